"""Shared fixtures: a tiny randomly initialised BERT (no real checkpoint needed) and small gold data."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from hydra import compose, initialize_config_dir
from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

from claimtype.labels import ID2LABEL, LABEL2ID, LABELS
from claimtype.modeling import resolve_model_path, save_checkpoint

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs"
GOLD = ROOT / "data" / "annotations" / "gold.jsonl"


def tiny_bert(tokenizer) -> BertForSequenceClassification:
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        num_labels=len(LABELS),
        id2label=ID2LABEL,
        label2id=LABEL2ID,
    )
    return BertForSequenceClassification(config)


@pytest.fixture(scope="session")
def tiny_base(tmp_path_factory) -> Path:
    """A tiny BERT saved like a base checkpoint (the packaged tokenizer, random weights)."""
    directory = tmp_path_factory.mktemp("tiny_base")
    tokenizer = AutoTokenizer.from_pretrained(resolve_model_path("default"))
    tiny_bert(tokenizer).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory) -> Path:
    """A tiny claimtype checkpoint (random weights) for inference, evaluation and labelling tests."""
    directory = tmp_path_factory.mktemp("tiny_ckpt") / "model"
    tokenizer = AutoTokenizer.from_pretrained(resolve_model_path("default"))
    save_checkpoint(tiny_bert(tokenizer), tokenizer, directory, {"context": "none", "max_length": 64})
    return directory


@pytest.fixture(scope="module")
def classifier(tiny_checkpoint: Path) -> Iterator:
    """The tiny model, one sentence a batch, on one torch thread: its rows equal a labelling run's
    digit for digit, and a second thread gains nothing on a busy CPU. A module may define its own."""
    from claimtype.inference import ClaimTypeClassifier

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield ClaimTypeClassifier.from_pretrained(tiny_checkpoint, batch_size=1)
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def small_gold(tmp_path_factory) -> Path:
    """Real labelled sentences, small enough to train on in seconds: the first 20 cue-drawn articles
    (train) and the first 24 complete articles (split into train, validation and test)."""
    rows, docs = [], {"cue-pool": [], "complete-article": []}
    quota = {"cue-pool": 20, "complete-article": 24}
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        picked = docs.get(row["draw"])
        if picked is None:
            continue
        if row["doc_id"] not in picked and len(picked) < quota[row["draw"]]:
            picked.append(row["doc_id"])
        if row["doc_id"] in picked:
            rows.append(row)
    path = tmp_path_factory.mktemp("gold") / "gold.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def run_script(script: str, *arguments: str, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run ``scripts/<script>`` with Hydra overrides from the repository root, output captured."""
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / script), *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def one_error_line(result: subprocess.CompletedProcess) -> str:
    """A user error's promise: exit code 2 and exactly one ``error:`` line on stderr (returned)."""
    assert result.returncode == 2, result.stderr[-2000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    return lines[0]


def compose_config(name: str, overrides: list[str]):
    with initialize_config_dir(config_dir=str(CONFIGS), version_base="1.3"):
        return compose(config_name=name, overrides=overrides)

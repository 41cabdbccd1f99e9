"""Shared fixtures: a tiny randomly initialised BERT (no real checkpoint needed) and small gold data.
Shared paths and helpers that are not fixtures are in helpers.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from helpers import GOLD, tiny_bert
from transformers import AutoTokenizer

from claimtype.modeling import resolve_model_path, save_checkpoint


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

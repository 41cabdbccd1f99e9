"""What the test modules share that is not a fixture: the repository's paths, defined once here
instead of in each module, and small helpers to run a script or compose a config. Fixtures live in
conftest.py; test modules import these with ``from helpers import ...`` (tests/ is on sys.path)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hydra import compose, initialize_config_dir
from transformers import BertConfig, BertForSequenceClassification

from claimtype.corpora import ARTICLES_FILE
from claimtype.labels import ID2LABEL, LABEL2ID, LABELS

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs"
SCRIPTS = ROOT / "scripts"
LABEL_SCRIPT = SCRIPTS / "label.py"
DATA = ROOT / "data"
RAW_ARTICLES = DATA / ARTICLES_FILE
EXAMPLES = DATA / "examples"
ANNOTATIONS = DATA / "annotations"
GOLD = ANNOTATIONS / "gold.jsonl"
TEST_CUE = ANNOTATIONS / "test_cue_articles.txt"


def tiny_bert(tokenizer) -> BertForSequenceClassification:
    """A randomly initialised two-layer BERT with claimtype's labels, sized for ``tokenizer``."""
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


def run_script(script: str, *arguments: str, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run ``scripts/<script>`` with Hydra overrides from the repository root, output captured."""
    return subprocess.run(
        [sys.executable, str(SCRIPTS / script), *arguments],
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
    """``configs/<name>.yaml`` composed with Hydra overrides, as a script would see it."""
    with initialize_config_dir(config_dir=str(CONFIGS), version_base="1.3"):
        return compose(config_name=name, overrides=overrides)

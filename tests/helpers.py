"""What the test modules share that is not a fixture: the repository's paths, defined once here
instead of in each module, and small helpers to run a script or compose a config. Fixtures live in
conftest.py; test modules import these with ``from helpers import ...`` (tests/ is on sys.path)."""

from __future__ import annotations

import json
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

# Sample documents of the labeller tests (local and Ray engines), good and bad.
GOOD = "The minister said the new plan would cut costs. Critics denied that claim on Monday.\n"
CP1252 = "The mayor’s office called the “leaked” memo a fake — officials said.\n"
NESTED = "Police have not confirmed the reports.\n\nA spokesman said an inquiry was under way.\n"
SHORT = "Officials said the figures were accurate. Opponents say otherwise."
RUNON = "It is so. " * 12_000  # one 120k-character line: too long to split
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


def tiny_bert(
    tokenizer, layers: int = 2, attn_implementation: str | None = None
) -> BertForSequenceClassification:
    """A randomly initialised BERT (two layers unless told) with claimtype's labels, sized for ``tokenizer``."""
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=layers,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        num_labels=len(LABELS),
        id2label=ID2LABEL,
        label2id=LABEL2ID,
        attn_implementation=attn_implementation,
    )
    return BertForSequenceClassification(config)


def good_and_bad_files(tmp_path: Path) -> Path:
    """A folder of .txt articles: good ones (one nested, one in cp1252) and every kind of bad one
    (empty, blank, an image, a PDF, a 5 MB single line, a 120k run-on line), plus a .md the glob skips."""
    articles = tmp_path / "articles"
    (articles / "sub").mkdir(parents=True)
    (articles / "good.txt").write_text(GOOD, encoding="utf-8")
    (articles / "empty.txt").write_bytes(b"")
    (articles / "blank.txt").write_bytes(b"  \n\t\r\n  ")
    (articles / "image.txt").write_bytes(PNG)
    (articles / "report.txt").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    (articles / "windows.txt").write_bytes(CP1252.encode("cp1252"))
    (articles / "huge.txt").write_text("word " * 1_000_000, encoding="utf-8")
    (articles / "runon.txt").write_text(RUNON, encoding="utf-8")
    (articles / "sub" / "nested.txt").write_text(NESTED, encoding="utf-8")
    (articles / "notes.md").write_text(GOOD, encoding="utf-8")  # not matched by the glob
    return articles


def write_teacher_file(path: Path, gold_path: Path, **fields) -> list[dict]:
    """A teacher file beside a gold file: one soft-labelled sentence per gold row, in the same article
    (so the train articles' rows join train), each a denial at 0.6; ``fields`` are added to every row."""
    gold = [json.loads(line) for line in gold_path.read_text().splitlines()]
    rows = [
        {
            **row,
            "sentence_id": f"{row['doc_id']}:t{i}",
            "text": f"Officials said claim {i} was false.",
            "label": LABELS[1],
            "probs": [0.1, 0.6, 0.2, 0.1],
            "annotator": "teacher-test",
            **fields,
        }
        for i, row in enumerate(gold)
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return rows


def label_command(*overrides: str) -> list[str]:
    """``scripts/label.py`` with Hydra overrides, as a subprocess command line."""
    return [sys.executable, str(LABEL_SCRIPT), *overrides]


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

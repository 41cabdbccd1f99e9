"""Dataset builder: article-level splits, stratification, caching, silver handling, the data card."""

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from claimtype.data import SILVER_ANNOTATOR, build_dataset, load_annotations, split_by_article
from claimtype.labels import LABELS

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "data" / "annotations" / "gold.jsonl"


@pytest.fixture(scope="module")
def gold_rows():
    return load_annotations(GOLD)


def test_gold_corpus_meets_the_targets(gold_rows):
    counts = Counter(r["label"] for r in gold_rows)
    assert len(gold_rows) >= 2000
    assert all(counts[label] >= 250 for label in LABELS), counts
    war = sum(r["corpus"] != "fnc1" for r in gold_rows)
    assert war / len(gold_rows) >= 0.6
    assert len({r["sentence_id"] for r in gold_rows}) == len(gold_rows)
    assert all(r["annotator"] != SILVER_ANNOTATOR for r in gold_rows)


def test_no_article_in_two_splits_and_every_article_placed(gold_rows):
    assignment = split_by_article(gold_rows, 0.15, 0.15, seed=13)
    assert set(assignment) == {r["doc_id"] for r in gold_rows}
    dataset_docs: dict[str, set[str]] = {}
    for row in gold_rows:
        dataset_docs.setdefault(assignment[row["doc_id"]], set()).add(row["doc_id"])
    splits = list(dataset_docs.values())
    for i, docs in enumerate(splits):
        for other in splits[i + 1 :]:
            assert not docs & other


def test_split_is_stratified_and_deterministic(gold_rows):
    first = split_by_article(gold_rows, 0.15, 0.15, seed=13)
    assert first == split_by_article(list(reversed(gold_rows)), 0.15, 0.15, seed=13)
    assert first != split_by_article(gold_rows, 0.15, 0.15, seed=14)
    totals = Counter(r["label"] for r in gold_rows)
    for split, share in (("train", 0.7), ("validation", 0.15), ("test", 0.15)):
        counts = Counter(r["label"] for r in gold_rows if first[r["doc_id"]] == split)
        for label in LABELS:  # each label within 3 points of its target share
            assert abs(counts[label] / totals[label] - share) < 0.03, (split, label, counts)


def test_bad_fractions_are_refused(gold_rows):
    with pytest.raises(ValueError, match="split fractions"):
        split_by_article(gold_rows, 0.6, 0.5, seed=1)


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_dataset_dict_is_cached_and_rebuilt_when_inputs_change(small_gold, tmp_path):
    first = build_dataset(small_gold, tmp_path / "processed", seed=13)
    assert set(first) == {"train", "validation", "test"}
    assert first["train"].features["label"].names == list(LABELS)
    assert len(list((tmp_path / "processed").iterdir())) == 1
    again = build_dataset(small_gold, tmp_path / "processed", seed=13)
    assert again["train"]["sentence_id"] == first["train"]["sentence_id"]

    rows = [json.loads(line) for line in small_gold.read_text().splitlines()]
    rows[0]["label"] = "denial" if rows[0]["label"] != "denial" else "assertion"
    changed = _write(tmp_path / "gold.jsonl", rows)
    build_dataset(changed, tmp_path / "processed", seed=13)
    assert len(list((tmp_path / "processed").iterdir())) == 2  # new inputs, new cache entry


def test_silver_joins_train_only_and_never_from_held_out_articles(small_gold, tmp_path):
    gold = [json.loads(line) for line in small_gold.read_text().splitlines()]
    silver = []
    for i, row in enumerate(gold[:60]):
        silver.append({**row, "sentence_id": f"{row['doc_id']}:s{i}", "annotator": SILVER_ANNOTATOR})
    silver_path = _write(tmp_path / "silver.jsonl", silver)
    dataset = build_dataset(small_gold, tmp_path / "p", seed=13, silver_path=silver_path, silver_weight=0.25)
    held_out = set(dataset["validation"]["doc_id"]) | set(dataset["test"]["doc_id"])
    train = dataset["train"]
    silver_rows = [r for r in train if r["annotator"] == SILVER_ANNOTATOR]
    assert silver_rows and all(r["weight"] == 0.25 for r in silver_rows)
    assert not {r["doc_id"] for r in silver_rows} & held_out
    for split in ("validation", "test"):
        assert SILVER_ANNOTATOR not in dataset[split]["annotator"]
    capped = build_dataset(small_gold, tmp_path / "p", seed=13, silver_path=silver_path, silver_max_rows=3)
    assert capped["train"]["annotator"].count(SILVER_ANNOTATOR) == 3


def test_gold_file_refuses_silver_rows_and_unknown_labels(tmp_path, small_gold):
    row = json.loads(small_gold.read_text().splitlines()[0])
    with pytest.raises(ValueError, match="annotated by 'rules'"):
        load_annotations(_write(tmp_path / "a.jsonl", [{**row, "annotator": SILVER_ANNOTATOR}]))
    with pytest.raises(ValueError, match="unknown label"):
        load_annotations(_write(tmp_path / "b.jsonl", [{**row, "label": "rumour"}]))


def test_data_card_matches_the_annotation_files():
    result = subprocess.run(
        [sys.executable, "scripts/data_stats.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_gold_file_is_what_build_gold_produces(tmp_path):
    """gold.jsonl is derived from the pool, first-pass and adjudication files: no hand edits."""
    annotations = ROOT / "data" / "annotations"
    copy = tmp_path / "annotations"
    subprocess.run(["cp", "-r", str(annotations), str(copy)], check=True)
    subprocess.run(
        [sys.executable, "scripts/build_gold.py", "--annotations", str(copy)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    assert (copy / "gold.jsonl").read_bytes() == GOLD.read_bytes()

"""Dataset builder: article-level splits, stratification, caching, silver handling.

The data card and the gold file's derivation are tested in test_command_tools.py and
test_annotation_gold.py."""

import json
from collections import Counter
from pathlib import Path

import pytest
from helpers import ANNOTATIONS, GOLD, RAW_ARTICLES, TEST_CUE

from claimtype.data import (
    COMPLETE_DRAW,
    SILVER_ANNOTATOR,
    SPLITS,
    assign_splits,
    build_dataset,
    load_annotations,
    read_doc_list,
    sentence_rows,
    split_by_article,
)
from claimtype.labels import LABELS


@pytest.fixture(scope="module")
def gold_rows():
    return load_annotations(GOLD)


def test_gold_corpus_meets_the_targets(gold_rows):
    # counted as distinct texts: a stock sentence repeated across articles counts once
    distinct = {label: len({r["text"] for r in gold_rows if r["label"] == label}) for label in LABELS}
    assert distinct["counter-claim"] >= 700 and distinct["denial"] >= 700, distinct
    complete = {r["doc_id"] for r in gold_rows if r["draw"] == COMPLETE_DRAW}
    corpus = {r["doc_id"]: r["corpus"] for r in gold_rows}
    assert len(complete) >= 120 and sum(corpus[d] == "war_media" for d in complete) >= 60
    war = sum(r["corpus"] != "fnc1" for r in gold_rows)
    assert war / len(gold_rows) >= 0.6
    assert len({r["sentence_id"] for r in gold_rows}) == len(gold_rows)
    assert all(r["annotator"] != SILVER_ANNOTATOR for r in gold_rows)


def test_validation_and_test_hold_whole_complete_articles_only(gold_rows):
    assignment = assign_splits(gold_rows, 0.25, 0.25, 13, read_doc_list(TEST_CUE))
    assert set(assignment) == {r["doc_id"] for r in gold_rows}
    docs_by_split: dict[str, set[str]] = {split: set() for split in SPLITS}
    for doc, split in assignment.items():
        docs_by_split[split].add(doc)
    for i, split in enumerate(SPLITS):  # no article in two splits
        for other in SPLITS[i + 1 :]:
            assert not docs_by_split[split] & docs_by_split[other]
    draws = {r["doc_id"]: r["draw"] for r in gold_rows}
    held_out = docs_by_split["validation"] | docs_by_split["test"]
    assert docs_by_split["validation"] and docs_by_split["test"]
    assert all(draws[d] == COMPLETE_DRAW for d in held_out)
    # complete: every sentence the splitter finds has a gold row, or was judged not a sentence (skip)
    gold_ids = {r["sentence_id"] for r in gold_rows}
    from claimtype.annotation.gold import complete_labels

    decided = complete_labels(ANNOTATIONS)
    skipped = {sid for sid, d in decided.items() if d["label"] == "skip"}
    from claimtype.io import read_jsonl

    for article in read_jsonl(RAW_ARTICLES):
        if article["doc_id"] in held_out:
            ids = [row["sentence_id"] for row in sentence_rows(article)]
            assert all(sid in gold_ids or sid in skipped for sid in ids), article["doc_id"]
    assert docs_by_split["test_cue"] == read_doc_list(TEST_CUE) & set(assignment)


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
    assert set(first) == {"train", "validation", "test"}  # no cue-drawn test article in the small file
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


def test_a_missing_silver_file_says_how_to_build_it(small_gold, tmp_path):
    """`make data` no longer builds silver (the default does not read it): a silver run without it
    gets one line naming the command that builds it."""
    with pytest.raises(FileNotFoundError, match=r"silver.jsonl \(`make silver`"):
        build_dataset(small_gold, tmp_path / "p", seed=13, silver_path=tmp_path / "silver.jsonl")


def test_gold_file_refuses_silver_rows_and_unknown_labels(tmp_path, small_gold):
    row = json.loads(small_gold.read_text().splitlines()[0])
    with pytest.raises(ValueError, match="annotated by 'rules'"):
        load_annotations(_write(tmp_path / "a.jsonl", [{**row, "annotator": SILVER_ANNOTATOR}]))
    with pytest.raises(ValueError, match="unknown label"):
        load_annotations(_write(tmp_path / "b.jsonl", [{**row, "label": "rumour"}]))


def test_no_held_out_sentence_text_is_trained_on(tmp_path):
    """Stock sentences and wire copy repeat across articles: train keeps none of a held-out text."""
    dataset = build_dataset(GOLD, tmp_path / "processed", test_cue_path=TEST_CUE)
    train = set(dataset["train"]["text"])
    for split in ("validation", "test", "test_cue"):
        assert not train & set(dataset[split]["text"]), split

"""Teacher soft labels: which articles are picked, and the rows written from the labeller's output."""

import pytest

from claimtype.labels import LABELS
from claimtype.teacher import pick_articles, teacher_rows


def _article(doc_id: str, corpus: str) -> dict:
    return {
        "doc_id": doc_id,
        "corpus": corpus,
        "source_record_ids": [doc_id],
        "title": f"T {doc_id}",
        "text": "x",
    }


def test_articles_come_corpus_by_corpus_never_held_out():
    articles = [_article(f"m{i}", "war_media") for i in range(5)] + [
        _article(f"n{i}", "war_news") for i in range(3)
    ]
    picked = pick_articles(articles, ["war_news", "war_media"], exclude={"n1"}, max_articles=4, seed=1)
    ids = [a["doc_id"] for a in picked]
    assert len(ids) == 4 and set(ids[:2]) == {"n0", "n2"} and all(i.startswith("m") for i in ids[2:])
    assert pick_articles(articles, ["war_media"], set(), None, 1) == pick_articles(
        articles, ["war_media"], set(), None, 1
    )
    assert len(pick_articles(articles, ["fnc1"], set(), None, 1)) == 0


def _labelled(doc_id: str, index: int, text: str, label: str) -> dict:
    scores = dict.fromkeys(LABELS, 0.1)
    scores[label] = 0.7
    return {
        "doc_id": doc_id,
        "sentence_index": index,
        "start": 0,
        "end": len(text),
        "text": text,
        "label": label,
        "scores": scores,
    }


def test_teacher_rows_carry_probabilities_neighbours_and_skip_gold():
    labelled = [
        _labelled("a", 0, "One.", "assertion"),
        _labelled("a", 1, "Two.", "denial"),
        _labelled("a", 2, "Three.", "counter-claim"),
    ]
    rows = list(teacher_rows(labelled, {"a": _article("a", "war_media")}, gold_ids={"a:0"}, run="mpnet-ctx"))
    assert [r["sentence_id"] for r in rows] == ["a:1", "a:2"]  # a:0 has a gold label
    first = rows[0]
    assert first["annotator"] == "teacher-mpnet-ctx" and first["label"] == "denial"
    assert first["probs"] == pytest.approx([0.1, 0.7, 0.1, 0.1])
    assert (first["prev_text"], first["next_text"], first["title"]) == ("One.", "Three.", "T a")
    assert rows[1]["next_text"] == ""


def test_teacher_task_labels_train_articles_only_and_resumes(tiny_checkpoint, small_gold, tmp_path):
    """claimtype data teacher end to end: rows for unlabelled sentences of train articles, none of a
    held-out article or a gold sentence; a second run reuses the labeller's finished output."""
    import json

    from helpers import RAW_ARTICLES, compose_config

    from claimtype.data import build_dataset_from_config
    from claimtype.io import read_jsonl, write_jsonl_gz
    from claimtype.tasks import teacher_task

    gold = [json.loads(line) for line in small_gold.read_text().splitlines()]
    docs = sorted({r["doc_id"] for r in gold})
    wanted = set(docs)
    articles = [a for a in read_jsonl(RAW_ARTICLES) if a["doc_id"] in wanted]
    articles.append(
        {**_article("new-1", "war_media"), "text": "Kyiv said the bridge was hit. Moscow denied it."}
    )
    data_dir = tmp_path / "data"
    write_jsonl_gz(data_dir / "raw" / "articles.jsonl.gz", articles)
    overrides = [
        f"paths.data_dir={data_dir}",
        f"model_dir={tiny_checkpoint}",
        f"data.gold_path={small_gold}",
        "corpora=[war_media,war_news,disinfo_claim,disinfo_debunk,fnc1]",
        "max_articles=null",
        "inference.threads=1",
    ]
    cfg = compose_config("teacher", overrides)
    teacher_task(cfg)
    rows = list(read_jsonl(data_dir / "teacher" / "teacher.jsonl"))
    dataset = build_dataset_from_config(cfg.data)
    held_out = {d for split in dataset if split != "train" for d in dataset[split]["doc_id"]}
    gold_ids = {r["sentence_id"] for r in gold}
    assert {r["doc_id"] for r in rows} >= {"new-1"}
    assert not {r["doc_id"] for r in rows} & held_out
    assert not {r["sentence_id"] for r in rows} & gold_ids
    assert all(r["annotator"] == f"teacher-{tiny_checkpoint.parent.name}" for r in rows)
    teacher_task(compose_config("teacher", overrides))  # resumes: every document already done
    assert list(read_jsonl(data_dir / "teacher" / "teacher.jsonl")) == rows

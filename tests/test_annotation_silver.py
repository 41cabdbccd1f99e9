"""Silver labels: only unlabelled sentences where a labelling function fires, marked as rules."""

import json

from claimtype.annotation.silver import make_silver, silver_rows
from claimtype.data import SILVER_ANNOTATOR


def _article(doc_id: str, corpus: str, text: str) -> dict:
    return {"doc_id": doc_id, "corpus": corpus, "source_record_ids": [doc_id], "text": text}


ARTICLE = _article(
    "w", "war_news", "The ministry denied the report. Rain fell on Tuesday. The bridge was reportedly hit."
)


def test_silver_rows_skip_gold_and_abstentions():
    silver, coverage = silver_rows([ARTICLE], gold_ids={"w:2"})
    assert [(r["sentence_id"], r["label"]) for r in silver] == [("w:0", "denial")]
    assert all(r["annotator"] == SILVER_ANNOTATOR for r in silver)
    assert coverage["unlabelled_sentences"] == 2 and coverage["silver_rows"] == 1
    assert coverage["silver_per_label"]["denial"] == 1 and coverage["fires_on"]["deny_verb"] == 1


def test_make_silver_reads_only_the_named_corpora(tmp_path):
    articles = tmp_path / "articles.jsonl"
    other = _article("f", "fnc1", "He denied it.")
    articles.write_text("".join(json.dumps(a) + "\n" for a in (ARTICLE, other)), encoding="utf-8")
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"sentence_id": "w:0"}) + "\n", encoding="utf-8")
    out, coverage = tmp_path / "silver" / "silver.jsonl", tmp_path / "coverage.json"
    figures = make_silver(articles, ["war_news"], gold, out, coverage)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["sentence_id"] for r in rows] == ["w:2"]
    assert json.loads(coverage.read_text()) == figures

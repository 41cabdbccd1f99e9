"""Article context in the dataset: next sentence and title filled from the raw articles."""

import pytest

from claimtype.data import sentence_rows, with_article_context
from claimtype.io import write_jsonl_gz

ARTICLE = {
    "doc_id": "war-1",
    "corpus": "war_media",
    "source_record_ids": ["r1"],
    "title": "Strike on the port",
    "text": "Officials said the port was hit. Moscow denied it. The claim could not be verified.",
}


def test_rows_gain_the_next_sentence_and_title_of_their_article(tmp_path):
    articles = tmp_path / "articles.jsonl.gz"
    write_jsonl_gz(articles, [ARTICLE])
    rows = [{k: v for k, v in r.items() if k not in ("next_text", "title")} for r in sentence_rows(ARTICLE)]
    filled = with_article_context(rows[:2], articles)
    assert [r["next_text"] for r in filled] == ["Moscow denied it.", "The claim could not be verified."]
    assert {r["title"] for r in filled} == {"Strike on the port"}
    assert filled[1]["prev_text"] == "Officials said the port was hit."


def test_a_sentence_missing_from_the_articles_is_an_error(tmp_path):
    articles = tmp_path / "articles.jsonl.gz"
    write_jsonl_gz(articles, [ARTICLE])
    row = {**sentence_rows(ARTICLE)[0], "sentence_id": "war-1:9"}
    del row["next_text"]
    with pytest.raises(ValueError, match="1 annotated sentences are not in"):
        with_article_context([row], articles)

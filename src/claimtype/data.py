"""Sentence rows from articles, annotation loading, and the article-level dataset builder."""

from __future__ import annotations

from claimtype.text import split_sentences


def sentence_rows(article: dict) -> list[dict]:
    """Every sentence of an article as a row with provenance and its previous sentence."""
    rows, previous = [], ""
    for sentence in split_sentences(article["text"]):
        rows.append(
            {
                "sentence_id": f"{article['doc_id']}:{sentence.index}",
                "doc_id": article["doc_id"],
                "corpus": article["corpus"],
                "source_record_id": article["source_record_ids"][0],
                "sentence_index": sentence.index,
                "start": sentence.start,
                "end": sentence.end,
                "text": sentence.text,
                "prev_text": previous,
            }
        )
        previous = sentence.text
    return rows

"""The seeded draws: quotas by outlet, whole articles per batch, exchange windows."""

import random

from claimtype.annotation.pools import (
    draw_complete_articles,
    draw_cue_pool,
    make_exchanges,
    outlet_quotas,
    split_batches,
)


def _article(doc_id: str, corpus: str, text: str, outlet: str = "", title: str = "") -> dict:
    return {
        "doc_id": doc_id,
        "corpus": corpus,
        "source_record_ids": [doc_id],
        "outlet": outlet,
        "title": title or doc_id,
        "text": text,
    }


def test_outlet_quotas_fix_some_and_share_the_rest_by_size():
    quotas = outlet_quotas({"RT": 100, "A": 30, "B": 10, "C": 1}, 10, {"RT": 4})
    assert quotas["RT"] == 4 and sum(quotas.values()) == 10
    assert quotas["A"] > quotas["B"] >= quotas["C"] >= 1


def test_complete_articles_respect_length_quota_and_titles():
    sentences = " ".join(f"Sentence number {i} is here." for i in range(5))
    articles = [
        _article("a1", "war_media", sentences, "X", "same title"),
        _article("a2", "war_media", sentences, "X", "same title"),
        _article("a3", "war_media", "Too short.", "X", "other"),
        _article("b1", "war_media", sentences, "Y", "b"),
    ]
    drawn = draw_complete_articles(articles, {"X": 2, "Y": 1}, seed=1, min_sentences=3, max_sentences=10)
    ids = [a["doc_id"] for a in drawn]
    assert "b1" in ids and "a3" not in ids
    assert len([d for d in ids if d.startswith("a")]) == 1  # one article per title
    assert drawn == draw_complete_articles(articles, {"X": 2, "Y": 1}, 1, 3, 10)


def test_batches_keep_each_document_whole():
    chosen = {f"d{i}": [{"doc_id": f"d{i}", "n": k} for k in range(i + 1)] for i in range(6)}
    batches = split_batches(chosen, 3, random.Random(0))
    assert sum(map(len, batches)) == sum(map(len, chosen.values()))
    for batch in batches:
        for doc in {r["doc_id"] for r in batch}:
            assert [r for r in batch if r["doc_id"] == doc] == chosen[doc]


def test_cue_pool_is_seeded_and_ignores_corpora_it_was_not_drawn_from():
    articles = [
        _article("w", "war_news", "Officials denied the report. The bridge was reportedly hit. Rain fell."),
        _article("m", "war_media", "Moscow denied it."),
    ]
    batches = draw_cue_pool(articles, 1, seed=13)
    rows = [r for b in batches for r in b]
    assert rows and {r["doc_id"] for r in rows} == {"w"}
    assert {r["selected_by"] for r in rows if "denied" in r["text"]} == {"cue:denial"}
    assert batches == draw_cue_pool(articles, 1, seed=13)


def test_exchange_pairs_label_the_cue_sentence_and_the_one_before():
    rows = [{"sentence_id": f"d:{i}", "text": str(i)} for i in range(8)]
    item = {"article": {"doc_id": "d"}, "rows": rows, "k": 5, "cue": "denial"}
    paired = make_exchanges([item], 1, pair=True)[0]
    assert [t["sentence_id"] for t in paired["targets"]] == ["d:4", "d:5"]
    assert [r["sentence_id"] for r in paired["window"]] == [f"d:{i}" for i in range(1, 7)]
    single = make_exchanges([item], 9, pair=False)[0]
    assert single["number"] == 9 and [t["sentence_id"] for t in single["targets"]] == ["d:5"]
    assert single["targets"][0]["selected_by"] == "exchange:denial"

"""The data card's sections: counts and the completeness check of the complete articles.

`claimtype data stats --check` on the committed files runs in test_command_tools.py."""

from claimtype.annotation.card import complete_section, counts_section, default_split, label_counts


def _row(sid: str, doc: str, label: str, corpus: str = "war_media", draw: str = "complete-article") -> dict:
    return {"sentence_id": sid, "doc_id": doc, "label": label, "corpus": corpus, "draw": draw, "text": sid}


def test_the_card_describes_the_packaged_split():
    assert set(default_split()) == {"validation", "test", "seed"}


def test_counts_section_counts_by_split_label_and_draw():
    gold = [
        _row("a:0", "a", "denial"),
        _row("a:1", "a", "assertion"),
        _row("b:0", "b", "denial", "fnc1", "cue-pool"),
    ]
    assert label_counts(gold) == [1, 2, 0, 0]
    text = counts_section(gold, {"a": "test", "b": "train"})
    assert (
        "Gold sentences: **3** from 2 articles (train 1, validation 0, test 1, test_cue 0 articles)" in text
    )
    assert "| test | war_media | 1 | 1 | 0 | 0 | 2 |" in text
    assert "| cue-pool | 0 | 1 | 0 | 0 | 1 |" in text


def test_complete_section_reports_sentences_without_a_decision():
    article = {"doc_id": "a", "corpus": "war_media", "source_record_ids": ["a"], "text": "One. Two. Three."}
    drawn = [{"doc_id": "a", "corpus": "war_media", "outlet": "RT"}]
    gold = [_row("a:0", "a", "assertion")]
    decided = {"a:1": {"label": "skip"}}
    text, problems = complete_section(drawn, {"a": article}, decided, gold)
    assert problems == ["a:2: no gold row and no skip decision"]
    assert "gold row (2) or a `skip` decision (1)" in text and "**FAILED**" in text

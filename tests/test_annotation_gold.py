"""The gold corpus is derived from the annotators' files, and claim sources are found in the article."""

import shutil

from helpers import ANNOTATIONS, GOLD, RAW_ARTICLES

from claimtype.annotation.gold import locate_source, source_fields, write_gold


def test_gold_file_is_what_the_annotation_files_give(tmp_path):
    """gold.jsonl and audit.tsv are derived from the annotators' files: no hand edits."""
    copy = tmp_path / "annotations"
    shutil.copytree(ANNOTATIONS, copy)
    gold, report = write_gold(copy, RAW_ARTICLES)
    assert (copy / "gold.jsonl").read_bytes() == GOLD.read_bytes()
    assert (copy / "audit.tsv").read_bytes() == (ANNOTATIONS / "audit.tsv").read_bytes()
    assert len(gold) == len(GOLD.read_text().splitlines())
    assert set(report["skipped"]) <= {"cue-pool", "complete-article", "exchange"}


def test_source_is_located_inside_the_sentence_first_then_before_then_after():
    text = "Kyiv said A. The ministry said B. Kyiv denied it. Kyiv later added C."
    start = text.index("Kyiv denied")
    end = start + len("Kyiv denied it.")
    assert locate_source(text, start, end, "Kyiv") == (start, start + 4)
    assert locate_source(text, start, end, "The ministry") == (13, 25)
    assert locate_source(text, 0, 12, "The ministry") == (13, 25)  # only after the sentence
    assert locate_source(text, start, end, "writer") is None
    assert locate_source(text, start, end, "Moscow") is None


def test_source_fields_for_spans_and_kinds():
    row = {"start": 0, "end": 12}
    text = "Kyiv said A."
    assert source_fields(text, row, "Kyiv") == {
        "source_kind": "span",
        "source_text": "Kyiv",
        "source_start": 0,
        "source_end": 4,
    }
    assert source_fields(text, row, "Unnamed")["source_kind"] == "unnamed"
    assert source_fields(text, row, "Unnamed")["source_start"] is None

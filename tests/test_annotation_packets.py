"""The files annotators read and return: label files are checked, packets keep their order."""

from pathlib import Path

import pytest
from helpers import ANNOTATIONS

from claimtype.annotation.packets import (
    SKIP,
    adjudication_packet,
    pack,
    read_label_file,
    render_article,
    render_batch,
    render_exchange,
)

COMPLETE = ANNOTATIONS / "complete"


def _tsv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "labels.tsv"
    path.write_text(text, encoding="utf-8")
    return path


def test_label_file_reads_labels_sources_and_skips(tmp_path):
    path = _tsv(tmp_path, "# comment\nd:0\tDenial\tthe ministry\nd:1\tskip\n\nd:2\tassertion\twriter\n")
    labels = read_label_file(path, with_source=True)
    assert labels == {"d:0": ("denial", "the ministry"), "d:1": (SKIP, ""), "d:2": ("assertion", "writer")}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("d:0\n", "expected sentence_id<TAB>label"),
        ("d:0\trumour\twriter\n", "unknown label"),
        ("d:0\tdenial\n", "has no source column"),
        ("d:0\tdenial\twriter\nd:0\tassertion\twriter\n", "labelled twice, differently"),
    ],
)
def test_label_file_errors_name_the_line(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        read_label_file(_tsv(tmp_path, text), with_source=True)


def test_pack_keeps_order_and_folds_a_small_last_packet():
    assert pack([("a", 5), ("b", 5), ("c", 5), ("d", 1)], 10) == [["a", "b"], ["c", "d"]]
    assert pack([("a", 9), ("b", 9), ("c", 2)], 10) == [["a"], ["b", "c"]]  # 2 < 10 / 3


def test_renderings_mark_what_to_label():
    article = {"doc_id": "d", "corpus": "war_media", "outlet": "RT", "title": "T", "published": "2022-03-01"}
    rows = [
        {"sentence_id": "d:0", "doc_id": "d", "corpus": "war_media", "text": "A said X.", "prev_text": ""},
        {
            "sentence_id": "d:1",
            "doc_id": "d",
            "corpus": "war_media",
            "text": "B denied it.",
            "prev_text": "A said X.",
        },
    ]
    assert render_article(article, rows).splitlines() == [
        "=== ARTICLE d | RT | 2022-03-01 ===",
        "TITLE: T",
        "[d:0] A said X.",
        "[d:1] B denied it.",
    ]
    assert render_exchange(7, article, rows, {"d:1"}).splitlines()[2:] == [
        "   [d:0] A said X.",
        ">> [d:1] B denied it.",
    ]
    assert "PREV: (none: first sentence)" in render_batch(rows)


def test_adjudication_packet_is_the_committed_one():
    blocks = adjudication_packet(COMPLETE, seed=11)
    assert "\n".join(blocks) == (COMPLETE / "adjudication_packet.txt").read_text(encoding="utf-8")

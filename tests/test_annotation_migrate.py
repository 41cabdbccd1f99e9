"""The sentence-id migration finds each sentence again by its span and rewrites every file naming it."""

import pytest

from claimtype.annotation.migrate import rekey_rows, rekey_tsv


def test_rows_take_the_new_id_index_and_previous_sentence():
    old = {
        "sentence_id": "d:3",
        "doc_id": "d",
        "start": 10,
        "end": 20,
        "text": "X",
        "prev_text": "",
        "label": "x",
    }
    fresh = {"sentence_id": "d:4", "sentence_index": 4, "prev_text": "W"}
    rows, id_map = rekey_rows([old], {("d", 10, 20): fresh})
    assert id_map == {"d:3": "d:4"}
    assert rows == [{**old, "sentence_id": "d:4", "sentence_index": 4, "prev_text": "W"}]
    with pytest.raises(ValueError, match="no longer a sentence"):
        rekey_rows([{**old, "start": 11}], {("d", 10, 20): fresh})


def test_label_files_keep_comments_and_other_ids(tmp_path):
    path = tmp_path / "labels.tsv"
    path.write_text("# d:3 stays in a comment\nd:3\tdenial\treason\ne:1\tassertion\n", encoding="utf-8")
    rekey_tsv(path, {"d:3": "d:4"})
    assert (
        path.read_text(encoding="utf-8") == "# d:3 stays in a comment\nd:4\tdenial\treason\ne:1\tassertion\n"
    )

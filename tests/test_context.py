"""Article context: the modes, the neighbours within an article, and the second segment's text."""

import pytest

from claimtype.context import CONTEXT_MODES, context_parts, context_texts, neighbours


def test_modes_are_ordered_subsets_of_title_previous_next():
    assert CONTEXT_MODES[:3] == ("none", "title", "previous")
    assert "title+previous+next" in CONTEXT_MODES and "previous+title" not in CONTEXT_MODES
    assert context_parts("none") == () and context_parts("previous+next") == ("previous", "next")
    with pytest.raises(ValueError, match="data.context must be one of none, title, previous"):
        context_parts("previous+title")


def test_neighbours_stay_within_the_article():
    assert neighbours(["a", "b", "c"]) == (["", "a", "b"], ["b", "c", ""])
    assert neighbours(["a"]) == ([""], [""])
    assert neighbours([]) == ([], [])


def test_context_texts_mark_each_part_and_leave_out_empty_ones():
    previous, following = neighbours(["First.", "Second."])
    texts = context_texts("title+previous+next", 2, ["War news"] * 2, previous, following)
    assert texts == ["Title: War news After: Second.", "Title: War news Before: First."]
    assert context_texts("previous", 2, previous=previous) == ["", "Before: First."]
    assert context_texts("title", 1) == [""]  # a context model on bare sentences: empty context
    assert context_texts("none", 2, previous=previous) is None

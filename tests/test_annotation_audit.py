"""The audit's cue reason: the specification's cues, and "evidence" at all."""

from claimtype.annotation.audit import cue_reason


def test_cue_reason_names_each_cue_once():
    assert cue_reason("Moscow denied it and insisted there was no evidence.") == (
        "cue: insisted, no evidence, denied, evidence"
    )
    assert cue_reason("The bridge was hit.") is None

"""Labelling functions: each family fires on its cue, precedence follows the spec, abstains otherwise."""

import pytest

from claimtype.rules import LABELLING_FUNCTIONS, rule_label, rule_predict, rule_votes


@pytest.mark.parametrize(
    "text, previous, label",
    [
        (
            "The army claimed the village, but the claim could not be independently verified.",
            "",
            "unverified",
        ),
        ("According to a source who asked not to be named, the convoy was hit.", "", "unverified"),
        ("The governor denied that the dam had been damaged.", "", "denial"),
        ("Officials dismissed the reports as baseless.", "", "denial"),
        ("Kyiv, for its part, said the strike had hit a residential block.", "", "counter-claim"),
        ("However, Kyiv said the strike hit a school.", "Moscow claimed it hit a depot.", "counter-claim"),
        ("The ministry said 40 drones had been shot down.", "", "assertion"),
        ("Reportedly, officials denied the report.", "", "unverified"),  # verification status first
    ],
)
def test_rule_label(text, previous, label):
    assert rule_label(text, previous) == label


def test_abstains_without_any_cue_and_predict_defaults_to_assertion():
    text = "Rescue teams were still searching the rubble of the school late on Friday."
    assert rule_votes(text) == {}
    assert rule_label(text) is None
    assert rule_predict(text) == "assertion"


def test_previous_sentence_condition_is_required():
    assert "contrast_reply" not in rule_votes("However, the talks went on.", "The weather was cold.")


def test_function_names_are_unique():
    names = [f.name for f in LABELLING_FUNCTIONS]
    assert len(names) == len(set(names))

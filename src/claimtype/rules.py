"""Labelling functions: cue lexicons and patterns that vote for a claim type or abstain.

They make *silver* labels (``annotator: rules``) and a rules baseline, and they steer which
sentences annotators read (the rare labels are rare). They never make gold labels.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class LabellingFunction:
    """A named pattern that votes ``label`` when it matches a sentence (or its previous sentence)."""

    name: str
    label: str
    pattern: re.Pattern[str]
    previous_pattern: re.Pattern[str] | None = None  # must match the previous sentence too

    def __call__(self, text: str, previous: str = "") -> str | None:
        if not self.pattern.search(text):
            return None
        if self.previous_pattern is not None and not self.previous_pattern.search(previous):
            return None
        return self.label


def _lf(name: str, label: str, regex: str, previous: str | None = None) -> LabellingFunction:
    compiled_previous = re.compile(previous, re.IGNORECASE) if previous else None
    return LabellingFunction(name, label, re.compile(regex, re.IGNORECASE), compiled_previous)


LABELLING_FUNCTIONS: tuple[LabellingFunction, ...] = (
    # unverified: hedges, unconfirmed status, anonymous or second-hand sourcing, rumour.
    _lf("hedge_adverb", "unverified", r"\b(reportedly|allegedly|purportedly|supposedly|apparently)\b"),
    _lf("alleged", "unverified", r"\balleged\b"),
    _lf(
        "not_verified",
        "unverified",
        r"\b(could not|cannot|can't|couldn't|was unable to|were unable to|has not been|have not been|"
        r"hasn't been|haven't been|not been|yet to be|unable to)( be)?( independently)? "
        r"(verif|confirm|corroborat)",
    ),
    _lf("unconfirmed", "unverified", r"\b(unconfirmed|unverified|unsubstantiated)\b"),
    _lf(
        "no_evidence",
        "unverified",
        r"\b(without (providing |offering |giving )?(any )?evidence|"
        r"(did not|didn't|provided no|offered no|gave no) (provide |offer |give )?(any )?evidence)",
    ),
    _lf(
        "anonymous_source",
        "unverified",
        r"\b(unnamed|anonymous|anonymity|a source (close|familiar)|"
        r"sources (said|say|told|claim)|according to (a |one )?sources?|who asked not to be (named|identified))",
    ),
    _lf("said_to_be", "unverified", r"\b(is|are|was|were) (said|believed|rumou?red|thought) to\b"),
    _lf("rumour", "unverified", r"\b(rumou?rs?|rumou?red|speculation|unclear whether|circulating)\b"),
    _lf("claims_that", "unverified", r"\bclaim(s|ed)? (that|to have)\b"),
    # denial: rejection verbs, negated claims, "fake"/"baseless".
    _lf("deny_verb", "denial", r"\b(den(y|ies|ied|ying)|denial)\b"),
    _lf(
        "reject_verb",
        "denial",
        r"\b(reject(s|ed|ing)?|dismiss(es|ed|ing)?|refut(e|es|ed|ing)|rebuff(s|ed)?)\b",
    ),
    _lf(
        "not_true",
        "denial",
        r"\b(not true|untrue|no truth|false|baseless|groundless|fake|fabricat|"
        r"nonsense|a lie|lies|hoax|debunk|no such|never happened|there (is|are|was|were) no)\b",
    ),
    # counter-claim: an opposing version put forward.
    _lf(
        "insist_counter",
        "counter-claim",
        r"\b(insist(s|ed)?|counter(s|ed)|retort(s|ed)?|contend(s|ed)?|"
        r"maintain(s|ed) that|argue(s|d)? instead)\b",
    ),
    _lf(
        "contrast_marker",
        "counter-claim",
        r"\b(for (its|his|her|their) part|in contrast|on the contrary|"
        r"contrary to|instead|in fact|in reality|actually|the real (situation|reason|story)|rather than)\b",
    ),
    _lf(
        "blame_staging",
        "counter-claim",
        r"\b(stag(ed|ing)|provocation|false flag|accus(e|es|ed|ing) .{0,40} of|"
        r"blam(e|es|ed|ing))\b",
    ),
    _lf(
        "turned_out",
        "counter-claim",
        r"\b(turn(s|ed)? out (to be|that)|the truth is|was (actually|really)|not .{3,60}, but)\b",
    ),
    _lf(
        "contrast_reply",
        "counter-claim",
        r"^(but|however|yet|still|meanwhile|in response|responding)\b",
        previous=r"\b(claim(s|ed)?|said|says|report(s|ed)?|alleg\w+|accus\w+|insist\w*)\b",
    ),
    # assertion: a plainly attributed statement (wins only when no other function fires).
    _lf("attributed_statement", "assertion", r"\b(said|says|told|announced|stated|confirmed)\b"),
)
# The functions that existed when the annotation pool was drawn (scripts/annotation_pool.py uses
# only these, so the draw stays reproducible as the rules grow).
POOL_FUNCTION_NAMES = frozenset(f.name for f in LABELLING_FUNCTIONS[:15])


def rule_votes(text: str, previous: str = "", only: frozenset[str] | None = None) -> dict[str, str]:
    """Votes of every labelling function (or those named in ``only``) that fires: {name: label}."""
    votes = {}
    for function in LABELLING_FUNCTIONS:
        if only is not None and function.name not in only:
            continue
        label = function(text, previous)
        if label is not None:
            votes[function.name] = label
    return votes


# When several labels get votes, the spec's own order decides: verification status first, then the
# main act, and assertion only when nothing else fires. Without any vote the rules abstain.
_PRECEDENCE = ("unverified", "counter-claim", "denial", "assertion")


def rule_label(text: str, previous: str = "", only: frozenset[str] | None = None) -> str | None:
    """The rules' single label for a sentence, or None when no function fires (abstain)."""
    counts = Counter(rule_votes(text, previous, only).values())
    for label in _PRECEDENCE:
        if counts[label]:
            return label
    return None


def rule_predict(text: str, previous: str = "") -> str:
    """Rules as a classifier: abstentions become ``assertion`` (the spec's default)."""
    return rule_label(text, previous) or "assertion"

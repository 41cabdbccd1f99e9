"""Agreement figures: κ per label and the claim-source agreement of two passes."""

import json

import pytest
from helpers import ANNOTATIONS

from claimtype.annotation.agreement import draw_agreement_sample, kappa, per_label_kappa, span_agreement
from claimtype.annotation.packets import render_sample


def _span(start, end, kind="span"):
    return {"source_kind": kind, "source_start": start, "source_end": end}


def test_kappa_is_one_for_identical_labels_and_lists_only_labels_used():
    a = ["assertion", "denial", "skip", "assertion"]
    assert kappa(a, a) == pytest.approx(1.0)
    rows = per_label_kappa(a, ["assertion", "assertion", "skip", "assertion"])
    assert [r[:3] for r in rows] == [("assertion", 2, 3), ("denial", 1, 0), ("skip", 1, 1)]
    assert rows[2][3] == pytest.approx(1.0)


def test_span_agreement_counts_kinds_exact_and_overlapping_spans():
    pairs = [
        (_span(0, 4), _span(0, 4)),  # exact
        (_span(0, 10), _span(5, 12)),  # overlap only
        (_span(None, None, "writer"), _span(None, None, "writer")),  # same kind
        (_span(0, 4), _span(None, None, "unnamed")),  # different kinds
    ]
    assert span_agreement(pairs) == {"sentences": 4, "exact": 0.5, "overlap": 0.75}
    assert span_agreement([]) == {"sentences": 0, "exact": 0.0, "overlap": 0.0}


def test_the_agreement_sample_is_drawn_again_exactly_from_the_pool():
    """The committed sample (data/annotations/agreement/) is what the draw gives with its settings."""
    sample = draw_agreement_sample(ANNOTATIONS, 80, ["01", "02", "03", "04", "05", "06"], seed=29)
    committed = ANNOTATIONS / "agreement"
    assert [json.dumps(r, ensure_ascii=False) for r in sample] == committed.joinpath(
        "sample.jsonl"
    ).read_text(encoding="utf-8").splitlines()
    assert render_sample(sample) == committed.joinpath("sample.txt").read_text(encoding="utf-8")

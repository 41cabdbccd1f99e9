"""Temperature scaling recovers a known temperature; the prior correction recovers a known label shift;
both can be undone exactly."""

import numpy as np
import pytest
import torch
from sklearn.metrics import f1_score

from claimtype.calibration import (
    PRIOR_STRENGTHS,
    fit_prior_correction,
    fit_prior_strength,
    fit_temperature,
    prior_shift,
    strength_scores,
    uncalibrated,
)
from claimtype.evaluation import expected_calibration_error


def test_fit_recovers_the_temperature_of_overconfident_logits():
    rng = np.random.default_rng(0)
    true_logits = rng.normal(0, 2, size=(4000, 4))
    labels = np.array([rng.choice(4, p=torch.softmax(torch.tensor(z), 0).numpy()) for z in true_logits])
    overconfident = true_logits * 3.0  # a model three times too sure of itself
    temperature = fit_temperature(overconfident, labels)
    assert temperature == pytest.approx(3.0, rel=0.1)
    before = torch.softmax(torch.tensor(overconfident), 1).numpy()
    after = torch.softmax(torch.tensor(overconfident / temperature), 1).numpy()
    assert expected_calibration_error(after, labels) < expected_calibration_error(before, labels) / 2


def test_uncalibrated_inverts_temperature_scaling():
    logits = np.array([[2.0, 0.5, -1.0, 0.0], [0.1, 0.2, 0.3, 0.4]])
    scaled = torch.softmax(torch.tensor(logits / 2.5), 1).numpy()
    assert uncalibrated(scaled, 2.5) == pytest.approx(
        torch.softmax(torch.tensor(logits), 1).numpy(), abs=1e-9
    )


def test_uncalibrated_also_removes_the_prior_correction():
    logits = np.array([[2.0, 0.5, -1.0, 0.0], [0.1, 0.2, 0.3, 0.4]])
    bias = np.array([1.5, -2.0, -0.5, -3.0])
    corrected = torch.softmax(torch.tensor(logits / 2.0 + bias), 1).numpy()
    assert uncalibrated(corrected, 2.0, bias) == pytest.approx(
        torch.softmax(torch.tensor(logits), 1).numpy(), abs=1e-9
    )


def label_shifted_sample(rng, n: int, prior: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Labels drawn at ``prior`` and the log-probabilities of a model that learnt a uniform prior:
    noisy evidence for the true label, no knowledge of how rare each label is."""
    labels = rng.choice(4, size=n, p=prior)
    evidence = rng.normal(0, 1, size=(n, 4))
    evidence[np.arange(n), labels] += 1.5
    return torch.log_softmax(torch.tensor(evidence), 1).numpy(), labels


def test_prior_correction_helps_under_a_label_shift_and_stays_off_without_one():
    rng = np.random.default_rng(0)
    natural = np.array([0.85, 0.05, 0.07, 0.03])
    log_probs, labels = label_shifted_sample(rng, 4000, natural)
    shift = prior_shift(np.full(4, 1000.0), np.bincount(labels, minlength=4))
    strength, corrected = fit_prior_strength(log_probs, labels, shift)
    plain = f1_score(labels, log_probs.argmax(1), average="macro")
    assert strength > 0 and corrected > plain + 0.02
    # Held-out data with the same shift gains too: the strength is not an artefact of the fit.
    held_log_probs, held_labels = label_shifted_sample(rng, 4000, natural)
    assert f1_score(held_labels, (held_log_probs + strength * shift).argmax(1), average="macro") > f1_score(
        held_labels, held_log_probs.argmax(1), average="macro"
    )
    # Training prior equal to the natural one: nothing to correct, the shift is zero.
    assert prior_shift(np.bincount(labels, minlength=4), np.bincount(labels, minlength=4)) == pytest.approx(0)


def test_fit_prior_correction_writes_a_bias_at_the_chosen_strength():
    rng = np.random.default_rng(1)
    log_probs, labels = label_shifted_sample(rng, 2000, np.array([0.85, 0.05, 0.07, 0.03]))
    fitted = fit_prior_correction(log_probs, labels, np.full(4, 500.0))
    entry = fitted["prior_correction"]
    assert entry["strength"] in PRIOR_STRENGTHS
    assert entry["validation_label_counts"] == np.bincount(labels, minlength=4).tolist()
    expected = entry["strength"] * prior_shift(np.full(4, 500.0), np.bincount(labels, minlength=4))
    assert fitted["label_bias"] == pytest.approx(expected.tolist())
    assert entry["val_macro_f1_corrected"] >= entry["val_macro_f1_plain"]


def test_strength_scores_give_the_macro_f1_the_fit_picks_from():
    rng = np.random.default_rng(2)
    log_probs, labels = label_shifted_sample(rng, 1000, np.array([0.85, 0.05, 0.07, 0.03]))
    shift = prior_shift(np.full(4, 250.0), np.bincount(labels, minlength=4))
    scores = strength_scores(log_probs, labels, shift)
    assert len(scores) == len(PRIOR_STRENGTHS) and all(s.shape == (4,) for s in scores)
    assert scores[0].mean() == pytest.approx(f1_score(labels, log_probs.argmax(1), average="macro"))
    strength, best = fit_prior_strength(log_probs, labels, shift)
    assert best == max(s.mean() for s in scores) == scores[PRIOR_STRENGTHS.index(strength)].mean()

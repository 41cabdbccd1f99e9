"""Fitted on validation after training: temperature scaling and the label-shift (prior) correction.

Temperature scaling (one scalar T, softmax(z / T)) changes confidence, never the predicted label.
The prior correction does change labels, on purpose: the model is trained on a mix rich in the rare
labels (cue-drawn sentences, exchanges) and with class-balanced loss, i.e. for a near-uniform prior,
but it labels natural text, where ~88% of sentences are assertions. Bayes' rule for a changed prior
(Saerens et al., 2002) moves each log-probability by log(natural prior / training prior); the strength
of that move is picked on validation (complete articles in their natural mix).
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.metrics import f1_score

from claimtype.metrics import macro_f1


def fit_temperature(logits: np.ndarray, labels: np.ndarray, max_iter: int = 200) -> float:
    """The T > 0 minimising the negative log-likelihood of ``labels`` under softmax(logits / T)."""
    logits_t = torch.as_tensor(logits, dtype=torch.float64)
    labels_t = torch.as_tensor(labels, dtype=torch.long)
    log_t = torch.zeros(1, dtype=torch.float64, requires_grad=True)  # optimise log T: T stays positive
    optimizer = torch.optim.LBFGS([log_t], lr=0.1, max_iter=max_iter, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(logits_t / log_t.exp(), labels_t)
        loss.backward()
        return loss

    optimizer.step(closure)
    return float(log_t.exp().item())


# Strengths of the prior correction tried on validation: 0 (none) to 1 (the full Bayes correction).
PRIOR_STRENGTHS = tuple(round(0.1 * i, 1) for i in range(11))


def prior_shift(train_counts: np.ndarray, natural_counts: np.ndarray) -> np.ndarray:
    """log(natural prior / training prior) per label, both priors add-one smoothed. ``train_counts``
    are the *effective* counts the loss saw (label counts times class weights)."""
    train = np.asarray(train_counts, dtype=np.float64) + 1.0
    natural = np.asarray(natural_counts, dtype=np.float64) + 1.0
    return np.log(natural / natural.sum()) - np.log(train / train.sum())


def strength_scores(log_probs: np.ndarray, labels: np.ndarray, shift: np.ndarray) -> list[np.ndarray]:
    """Per-label F1 of argmax(log p + a · shift) against ``labels``, for each strength a in
    ``PRIOR_STRENGTHS`` (their mean is the macro-F1)."""
    labels_range = list(range(log_probs.shape[1]))
    return [
        f1_score(
            labels, (log_probs + a * shift).argmax(1), average=None, labels=labels_range, zero_division=0
        )
        for a in PRIOR_STRENGTHS
    ]


def fit_prior_strength(log_probs: np.ndarray, labels: np.ndarray, shift: np.ndarray) -> tuple[float, float]:
    """The strength a in ``PRIOR_STRENGTHS`` whose labels argmax(log p + a · shift) reach the best
    macro-F1 on (validation) ``labels``, the smallest on ties; returns (a, that macro-F1)."""
    scores = [float(per_label.mean()) for per_label in strength_scores(log_probs, labels, shift)]
    best = int(np.argmax(scores))  # first maximum: the smallest strength
    return PRIOR_STRENGTHS[best], scores[best]


def fit_prior_correction(scaled_logits: np.ndarray, labels: np.ndarray, train_counts: np.ndarray) -> dict:
    """The prior correction for a checkpoint, fitted on validation: its labels give the natural prior,
    ``train_counts`` the training prior; ``scaled_logits`` are z / T. Returns the metadata entries:
    ``label_bias`` (added to z / T at inference) and what was fitted, with macro-F1 before and after."""
    log_probs = torch.log_softmax(torch.as_tensor(scaled_logits, dtype=torch.float64), -1).numpy()
    natural = np.bincount(labels, minlength=log_probs.shape[1])
    shift = prior_shift(train_counts, natural)
    plain = macro_f1(labels, log_probs.argmax(1))
    strength, corrected = fit_prior_strength(log_probs, labels, shift)
    return {
        "label_bias": (strength * shift).tolist(),
        "prior_correction": {
            "strength": strength,
            "validation_label_counts": natural.tolist(),
            "effective_train_counts": np.asarray(train_counts, dtype=np.float64).round(1).tolist(),
            "val_macro_f1_plain": float(plain),
            "val_macro_f1_corrected": corrected,
        },
    }


def uncalibrated(probs: np.ndarray, temperature: float, bias: np.ndarray | None = None) -> np.ndarray:
    """Undo temperature scaling and the prior correction: since log p = z / T + b + c,
    softmax(T · (log p - b)) = softmax(z)."""
    log_probs = np.log(np.clip(probs, 1e-12, 1.0))
    if bias is not None:
        log_probs = log_probs - np.asarray(bias)
    scaled = temperature * log_probs
    scaled -= scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    return exp / exp.sum(axis=1, keepdims=True)

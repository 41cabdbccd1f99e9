"""The headline metric in one place, below both the evaluation report and the calibration fit."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import f1_score

from claimtype.labels import LABELS


def macro_f1(gold: np.ndarray, predicted: np.ndarray) -> float:
    """Macro-F1 over all four labels (a label absent from both counts as F1 0, as in the reports)."""
    return float(f1_score(gold, predicted, average="macro", labels=list(range(len(LABELS))), zero_division=0))

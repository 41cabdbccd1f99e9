"""Temperature scaling recovers a known temperature and can be undone exactly."""

import numpy as np
import pytest
import torch

from claimtype.calibration import fit_temperature, uncalibrated
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

"""Temperature scaling: one scalar T fitted on validation logits so that softmax(z / T) is calibrated.

It changes confidence, never the predicted label (argmax is unchanged), so accuracy and F1 stay put.
"""

from __future__ import annotations

import numpy as np
import torch


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


def uncalibrated(probs: np.ndarray, temperature: float) -> np.ndarray:
    """Undo temperature scaling: since log p = z / T + c, softmax(T · log p) = softmax(z)."""
    scaled = temperature * np.log(np.clip(probs, 1e-12, 1.0))
    scaled -= scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    return exp / exp.sum(axis=1, keepdims=True)

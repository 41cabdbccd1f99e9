"""The per-example training loss: cross-entropy for hard labels, distillation for a teacher's."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def soften(probs: torch.Tensor, temperature: float) -> torch.Tensor:
    """The teacher's distribution at a temperature: softmax(logits / T) from probabilities alone."""
    scaled = probs.clamp_min(1e-12) ** (1.0 / temperature)
    return scaled / scaled.sum(-1, keepdim=True)


def example_losses(
    logits: torch.Tensor,
    labels: torch.Tensor,
    class_weights: torch.Tensor | None = None,
    soft: torch.Tensor | None = None,
    temperature: float = 2.0,
) -> torch.Tensor:
    """One loss per example. A row with a teacher distribution (``soft`` not all zero) gets
    T² · KL(teacher_T ‖ student_T) (Hinton et al.: T² keeps its gradients on the cross-entropy's
    scale); every other row the (class-weighted) cross-entropy of its hard label. A batch without
    teacher rows computes exactly the cross-entropy alone."""
    hard = F.cross_entropy(logits, labels, weight=class_weights, reduction="none")
    if soft is None:
        return hard
    is_soft = soft.sum(-1) > 0
    if not bool(is_soft.any()):
        return hard
    target = soften(soft.float(), temperature)
    log_student = F.log_softmax(logits.float() / temperature, -1)
    kl = (target * (target.log() - log_student)).sum(-1) * temperature**2
    return torch.where(is_soft, kl.to(hard.dtype), hard)

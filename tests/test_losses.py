"""The training loss: cross-entropy for gold rows, temperature KL for teacher rows."""

import torch
import torch.nn.functional as F

from claimtype.losses import example_losses, soften


def test_hard_rows_get_exactly_the_cross_entropy():
    torch.manual_seed(0)
    logits, labels = torch.randn(5, 4), torch.tensor([0, 1, 2, 3, 0])
    weights = torch.tensor([0.5, 1.0, 2.0, 4.0])
    expected = F.cross_entropy(logits, labels, weight=weights, reduction="none")
    assert torch.equal(example_losses(logits, labels, weights), expected)
    assert torch.equal(example_losses(logits, labels, weights, soft=torch.zeros(5, 4)), expected)


def test_teacher_rows_get_the_scaled_kl_and_zero_when_student_matches():
    teacher = torch.tensor([[0.7, 0.1, 0.1, 0.1]])
    matching_logits = teacher.log()  # the student already predicts the teacher's distribution
    loss = example_losses(matching_logits, torch.tensor([0]), soft=teacher, temperature=2.0)
    assert torch.allclose(loss, torch.zeros(1), atol=1e-6)
    other = example_losses(torch.zeros(1, 4), torch.tensor([0]), soft=teacher, temperature=2.0)
    target = soften(teacher, 2.0)
    expected = (target * (target.log() - torch.log_softmax(torch.zeros(1, 4), -1))).sum() * 4
    assert torch.allclose(other, expected.reshape(1))
    assert torch.allclose(soften(teacher, 1.0), teacher)


def test_a_mixed_batch_uses_each_rows_own_loss():
    logits, labels = torch.randn(2, 4), torch.tensor([1, 2])
    soft = torch.tensor([[0.0, 0.0, 0.0, 0.0], [0.25, 0.25, 0.25, 0.25]])
    losses = example_losses(logits, labels, soft=soft, temperature=1.0)
    assert torch.allclose(losses[0], F.cross_entropy(logits[:1], labels[:1]))
    assert torch.allclose(losses[1], F.kl_div(torch.log_softmax(logits[1:], -1), soft[1:], reduction="sum"))

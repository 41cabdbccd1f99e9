"""The evaluation report's error analysis, from a classifier with known predictions."""

import json

import numpy as np
import pytest
import torch

from claimtype.evaluation import evaluate, paired_bootstrap_gain
from claimtype.labels import LABELS
from claimtype.metrics import macro_f1

CC, ASSERTION = LABELS.index("counter-claim"), LABELS.index("assertion")


class FixedClassifier:
    """Predicts a given label per sentence, so every count in the report is known in advance."""

    temperature = 1.0

    def __init__(self, predicted: list[int]):
        self.predicted = predicted

    def predict_proba(self, texts, *context):
        probs = torch.full((len(texts), len(LABELS)), 0.1)
        probs[torch.arange(len(texts)), torch.tensor(self.predicted)] = 0.7
        return probs


def _row(i: int, label: int) -> dict:
    return {
        "sentence_id": f"d:{i}",
        "text": f"sentence {i}",
        "prev_text": f"before {i}",
        "label": label,
        "corpus": "war_news",
    }


def test_counter_claim_errors_are_listed_with_their_previous_sentence(tmp_path):
    gold = [CC, CC, ASSERTION, ASSERTION, CC]
    predicted = [ASSERTION, CC, CC, ASSERTION, CC]  # one missed (d:0), one invented (d:2)
    rows = [_row(i, label) for i, label in enumerate(gold)]
    metrics = evaluate(FixedClassifier(predicted), rows, tmp_path, "test", "no-model")
    errors = metrics["counter_claim_errors"]
    assert [(e["sentence_id"], e["gold"], e["predicted"]) for e in errors] == [
        ("d:0", "counter-claim", "assertion"),
        ("d:2", "assertion", "counter-claim"),
    ]
    assert errors[0]["prev_text"] == "before 0"
    report = (tmp_path / "report.md").read_text()
    assert "### Counter-claim errors (2)" in report
    assert "| d:0 | counter-claim | assertion | 0.700 | before 0 | sentence 0 |" in report
    # rows of the share table: 2 of 3 gold counter-claims found, 1 of 2 assertions called counter-claim
    assert "| **counter-claim** | 33% | 0% | 0% | 67% |" in report
    assert "| **assertion** | 50% | 0% | 0% | 50% |" in report
    assert json.loads((tmp_path / "metrics.json").read_text())["counter_claim_errors"] == errors


def test_paired_bootstrap_gain_is_zero_for_equal_predictions_and_brackets_a_real_gain():
    rng = np.random.default_rng(0)
    articles = np.repeat(np.arange(40), 10)  # 40 articles of 10 sentences
    gold = rng.integers(0, 4, size=400)
    noisy = np.where(rng.random(400) < 0.6, rng.integers(0, 4, size=400), gold)
    assert paired_bootstrap_gain(gold, noisy, noisy, articles, rounds=200) == (0.0, 0.0, 0.0)
    better = np.where(rng.random(400) < 0.2, rng.integers(0, 4, size=400), gold)
    gain, low, high = paired_bootstrap_gain(gold, noisy, better, articles, rounds=200)
    assert gain == pytest.approx(macro_f1(gold, better) - macro_f1(gold, noisy))
    assert 0 < low < gain < high  # a large gain on 40 articles: the whole interval above zero
    assert paired_bootstrap_gain(gold, noisy, better, articles, rounds=200) == (gain, low, high)  # seeded

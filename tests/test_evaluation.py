"""The evaluation report's error analysis, from a classifier with known predictions."""

import json

import torch

from claimtype.evaluation import evaluate
from claimtype.labels import LABELS

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

"""Inference module and evaluation report, on a tiny random checkpoint."""

import json

import numpy as np
import pytest

from claimtype.evaluation import classification_metrics, evaluate, expected_calibration_error
from claimtype.inference import ClaimTypeClassifier
from claimtype.labels import LABELS

SENTENCES = [
    "The governor denied that the dam had been damaged by shelling.",
    "Rescue teams were still searching.",
    "According to a source who asked not to be named, the convoy was hit near the border on Friday night.",
    "Kyiv said otherwise.",
]


@pytest.fixture(scope="module")
def classifier(tiny_checkpoint):
    return ClaimTypeClassifier.from_pretrained(tiny_checkpoint, batch_size=2)


def test_predictions_keep_input_order_despite_length_sorting(classifier):
    batched = classifier.predict(SENTENCES)
    one_by_one = [classifier.predict([s])[0] for s in SENTENCES]
    assert [p.label for p in batched] == [p.label for p in one_by_one]
    for a, b in zip(batched, one_by_one, strict=True):
        assert a.score == pytest.approx(b.score, abs=1e-5)
        assert set(a.scores) == set(LABELS)
        assert sum(a.scores.values()) == pytest.approx(1.0, abs=1e-5)
        assert a.score == max(a.scores.values())
    assert classifier.predict([]) == []


def test_label_article_gives_offsets_into_the_text(classifier):
    article = "CNN —\n\nThe governor denied it. Engineers disagreed.\n\nFollow us on Twitter"
    sentences = classifier.label_article(article)
    assert [s.text for s in sentences] == ["The governor denied it.", "Engineers disagreed."]
    for s in sentences:
        assert article[s.start : s.end] == s.text
        assert s.prediction.label in LABELS


def test_int8_runs_on_onnxruntime_only(tiny_checkpoint):
    """torch's own int8 (torch.ao) is deprecated: the torch backend refuses quantize in one line."""
    with pytest.raises(ValueError, match="quantize=int8 runs on ONNX Runtime only: use backend onnxruntime"):
        ClaimTypeClassifier.from_pretrained(tiny_checkpoint, quantize="int8")
    for mode in ("int8-half", "int4"):
        with pytest.raises(ValueError, match="quantize must be one of none, int8"):
            ClaimTypeClassifier.from_pretrained(tiny_checkpoint, quantize=mode)


def test_the_prior_correction_of_a_checkpoint_shifts_its_probabilities(tiny_checkpoint, tmp_path):
    """A checkpoint's ``label_bias`` is added to z / T: p_corrected ∝ p_plain · exp(bias)."""
    import shutil

    from claimtype.modeling import METADATA_FILE

    corrected_dir = tmp_path / "model"
    shutil.copytree(tiny_checkpoint, corrected_dir)
    metadata = json.loads((corrected_dir / METADATA_FILE).read_text())
    bias = [1.0, -2.0, 0.5, -1.0]
    (corrected_dir / METADATA_FILE).write_text(json.dumps({**metadata, "label_bias": bias}))
    plain = ClaimTypeClassifier.from_pretrained(tiny_checkpoint).predict_proba(SENTENCES).numpy()
    corrected = ClaimTypeClassifier.from_pretrained(corrected_dir).predict_proba(SENTENCES).numpy()
    expected = plain * np.exp(bias)
    assert corrected == pytest.approx(expected / expected.sum(1, keepdims=True), abs=1e-5)


def test_not_a_checkpoint_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a model checkpoint"):
        ClaimTypeClassifier.from_pretrained(tmp_path)


def test_classification_metrics_by_hand():
    gold, predicted = [0, 0, 1, 2, 3, 3], [0, 1, 1, 2, 3, 0]
    metrics = classification_metrics(gold, predicted)
    assert metrics["accuracy"] == pytest.approx(4 / 6)
    assert metrics["per_label"]["assertion"]["precision"] == pytest.approx(0.5)
    assert metrics["per_label"]["counter-claim"]["recall"] == pytest.approx(0.5)
    assert metrics["confusion_matrix"][3] == [1, 0, 0, 1]
    f1 = [2 / 4, 2 / 3, 1.0, 2 / 3]  # assertion: p=.5 r=.5; denial: p=.5 r=1; counter-claim: p=1 r=.5
    assert metrics["macro_f1"] == pytest.approx(sum(f1) / 4)


def test_expected_calibration_error():
    probs = np.array([[0.9, 0.1, 0, 0], [0.6, 0.4, 0, 0]])
    assert expected_calibration_error(probs, np.array([0, 1])) == pytest.approx(0.5 * 0.1 + 0.5 * 0.6)


def test_evaluation_writes_report_metrics_and_png(classifier, small_gold, tmp_path):
    rows = [json.loads(line) for line in small_gold.read_text().splitlines()][:40]
    for row in rows:
        row["label"] = LABELS.index(row["label"])
    metrics = evaluate(classifier, rows, tmp_path, "test", "tiny", n_errors=5)
    saved = json.loads((tmp_path / "metrics.json").read_text())
    assert saved["macro_f1"] == metrics["macro_f1"] and saved["n"] == 40
    assert sum(map(sum, saved["confusion_matrix"])) == 40
    assert len(saved["errors"]) == min(5, 40 - round(saved["accuracy"] * 40))
    report = (tmp_path / "report.md").read_text()
    assert f"| macro-F1 | {metrics['macro_f1']:.4f} |" in report
    assert "## Confusion matrix" in report and "most confident errors" in report
    assert (tmp_path / "confusion_matrix.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

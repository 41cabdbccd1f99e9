"""The baselines on small real data, the recorded training time, and the headline comparisons."""

import json

import numpy as np
import pytest

from claimtype.benchmark.baselines import (
    headline,
    mean_pooled_embeddings,
    recorded_train_seconds,
    rules_method,
    tfidf_method,
)
from claimtype.benchmark.inference_speed import REFERENCE, Variant
from claimtype.benchmark.results import MethodResult
from claimtype.data import build_dataset
from claimtype.evaluation import classification_metrics
from claimtype.inference import QUANTIZE_MODES
from claimtype.labels import LABEL2ID, LABELS


def test_rules_method_is_a_classifier():
    method = rules_method()
    predicted = method.predict(
        ["The ministry denied the report.", "Troops reportedly crossed the river.", "It rained."],
        ["", "", ""],
    )
    assert predicted == [LABEL2ID["denial"], LABEL2ID["unverified"], LABEL2ID["assertion"]]
    assert method.train_seconds is None


def test_tfidf_baseline_on_a_small_gold_sample(small_gold, tmp_path):
    dataset = build_dataset(small_gold, tmp_path / "processed")
    train, validation, test = (list(dataset[split]) for split in ("train", "validation", "test"))
    method = tfidf_method(train, validation, [1.0], seed=0)
    predicted = method.predict([r["text"] for r in test], [r["prev_text"] for r in test])
    assert len(predicted) == len(test) and set(predicted) <= set(range(len(LABELS)))
    assert method.name.endswith("C=1)") and "picked on validation" in method.note and method.train_seconds > 0
    # It fits its training data far better than chance: the pipeline really learnt something.
    seen = method.predict([r["text"] for r in train], [r["prev_text"] for r in train])
    assert classification_metrics([r["label"] for r in train], seen)["accuracy"] > 0.9
    with pytest.raises(ValueError, match="at least one value"):
        tfidf_method(train, validation, [], seed=0)


def test_mean_pooled_embeddings_are_unit_vectors_in_input_order(tiny_base):
    from transformers import AutoModel, AutoTokenizer

    model, tokenizer = AutoModel.from_pretrained(tiny_base), AutoTokenizer.from_pretrained(tiny_base)
    texts = ["A much longer sentence than the other one, with many words.", "Short one."]
    together = mean_pooled_embeddings(model, tokenizer, texts, batch_size=1)
    assert together.shape == (2, model.config.hidden_size)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert np.allclose(together[1], mean_pooled_embeddings(model, tokenizer, texts[1:])[0], atol=1e-5)


def test_recorded_train_seconds_sums_the_epochs(tmp_path):
    (tmp_path / "model").mkdir()
    records = [
        {"epoch": 1, "train_seconds": 10.0, "val_macro_f1": 0.5},
        {"epoch": 2, "train_seconds": 12.5, "val_macro_f1": 0.6},
    ]
    (tmp_path / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    seconds, note = recorded_train_seconds(tmp_path / "model")
    assert seconds == pytest.approx(22.5)
    assert "2 epochs of 10-12 s, best at epoch 2" in note
    assert recorded_train_seconds(tmp_path / "elsewhere" / "model")[0] is None


def test_headline_compares_every_variant_with_the_reference():
    def row(f1: float) -> MethodResult:
        return MethodResult("m", f1, 0.9, dict.fromkeys(LABELS, f1), None, 1.0)

    quantized = Variant(REFERENCE.backend, QUANTIZE_MODES[-1])
    other_backend = Variant("onnxruntime", REFERENCE.quantize)
    head = headline(
        row(0.6),
        (row(0.7), [0, 1, 2, 3]),
        [(quantized, row(0.68), [0, 1, 2, 0]), (other_backend, row(0.71), [0, 1, 2, 3])],
    )
    assert head.finetuned_minus_tfidf_points == pytest.approx(10.0)
    first, second = head.variants
    assert (first.name, first.quantized, first.test_changed) == (QUANTIZE_MODES[-1], True, 1)
    assert first.loss_points == pytest.approx(2.0)
    assert (second.name, second.quantized, second.loss_points) == (
        "onnxruntime fp32",
        False,
        pytest.approx(-1.0),
    )

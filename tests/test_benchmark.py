"""The benchmark's parts on tiny data: baselines, speed and training comparisons, memory probe, report."""

import json
import shutil
import sys

import numpy as np
import pytest
from conftest import GOLD, compose_config

from claimtype.benchmark import (
    LABELLER_VARIANTS,
    compare_inference_speed,
    compare_training_speed,
    label_peak_rss,
    load_labellers,
    mean_pooled_embeddings,
    recorded_train_seconds,
    render_markdown,
    rules_method,
    speed_sample,
    tfidf_method,
)
from claimtype.data import build_dataset
from claimtype.evaluation import classification_metrics
from claimtype.labels import LABEL2ID, LABELS


@pytest.fixture(scope="module")
def small_splits(small_gold, tmp_path_factory):
    dataset = build_dataset(small_gold, tmp_path_factory.mktemp("processed"))
    return {split: list(dataset[split]) for split in dataset}


def test_rules_method_is_a_classifier():
    method = rules_method()
    predicted = method.predict(
        ["The ministry denied the report.", "Troops reportedly crossed the river.", "It rained."],
        ["", "", ""],
    )
    assert predicted == [LABEL2ID["denial"], LABEL2ID["unverified"], LABEL2ID["assertion"]]
    assert method.train_seconds is None


def test_tfidf_baseline_on_a_small_gold_sample(small_splits):
    train, validation, test = small_splits["train"], small_splits["validation"], small_splits["test"]
    method = tfidf_method(train, validation, [1.0, 10.0], seed=0)
    predicted = method.predict([r["text"] for r in test], [r["prev_text"] for r in test])
    assert len(predicted) == len(test) and set(predicted) <= set(range(len(LABELS)))
    metrics = classification_metrics([r["label"] for r in test], predicted)
    assert 0.0 < metrics["macro_f1"] <= 1.0
    assert method.name.endswith(("C=1)", "C=10)")) and "picked on validation" in method.note
    assert method.train_seconds > 0
    # It fits its training data far better than chance: the pipeline really learnt something.
    seen = method.predict([r["text"] for r in train], [r["prev_text"] for r in train])
    assert classification_metrics([r["label"] for r in train], seen)["accuracy"] > 0.9


def test_mean_pooled_embeddings_are_unit_vectors_in_input_order(tiny_base):
    from transformers import AutoModel, AutoTokenizer

    model, tokenizer = AutoModel.from_pretrained(tiny_base), AutoTokenizer.from_pretrained(tiny_base)
    texts = ["A much longer sentence than the other one, with many words.", "Short one."]
    together = mean_pooled_embeddings(model, tokenizer, texts, batch_size=1)
    assert together.shape == (2, model.config.hidden_size)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert np.allclose(together[1], mean_pooled_embeddings(model, tokenizer, texts[1:])[0], atol=1e-5)


def test_inference_speed_comparison_on_the_tiny_checkpoint(tiny_checkpoint, tmp_path):
    checkpoint = shutil.copytree(tiny_checkpoint, tmp_path / "model")  # the ONNX export writes into it
    texts = [row["text"] for row in speed_sample(GOLD, 50, seed=0)]
    result = compare_inference_speed(
        checkpoint,
        load_labellers(checkpoint, batch_size=16),
        texts,
        repeats=1,
        pipeline_batch_size=8,
        chunk=20,
    )
    assert result["sentences"] == 50 and result["max_length"] == 64 and result["chunk"] == 20
    assert result["batch_size"] == 16
    labellers = [f"labeller {name}" for name in LABELLER_VARIANTS]
    assert {name: len(times) for name, times in result["seconds"].items()} == dict.fromkeys(
        ["pipeline", *labellers], 1
    )
    for name in labellers:
        ratio = result["median_seconds"]["pipeline"] / result["median_seconds"][name]
        assert result["speedup"][name] == pytest.approx(ratio)
    # Same checkpoint, same truncation: fp32 labeller and pipeline pick the same labels.
    assert result["agreement_with_pipeline"]["labeller fp32"] == 1.0


def test_training_speed_comparison_runs_both_loops(tiny_base, small_gold, tmp_path):
    cfg = compose_config(
        "benchmark",
        [
            f"model.name_or_path={tiny_base}",
            "model.max_length=32",
            f"data.gold_path={small_gold}",
            f"data.processed_dir={tmp_path / 'processed'}",
            "trainer.batch_size=64",
        ],
    )
    result = compare_training_speed(cfg, compose_config("train", []), tmp_path / "runs")
    assert result["ours"]["seconds"] > 0 and result["trainer"]["seconds"] > 0
    assert result["ratio"] == pytest.approx(
        result["ours"]["sentences_per_s"] / result["trainer"]["sentences_per_s"]
    )
    assert (tmp_path / "runs" / "ours" / "model" / "config.json").is_file()


def test_peak_rss_is_the_childs_own(tmp_path):
    grow = [sys.executable, "-c", "x = bytearray(200 * 2**20); x[::4096] = b'1' * len(x[::4096])"]
    peak, seconds = label_peak_rss(grow, tmp_path / "big.log", tmp_path)
    small, _ = label_peak_rss([sys.executable, "-c", "pass"], tmp_path / "small.log", tmp_path)
    assert peak > 200 and small < 60 and seconds > 0
    with pytest.raises(RuntimeError, match="exited with 3"):
        label_peak_rss([sys.executable, "-c", "raise SystemExit(3)"], tmp_path / "fail.log", tmp_path)


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


def _report() -> dict:
    def method(name, f1, train_seconds, speed, note=""):
        return {
            "name": name,
            "macro_f1": f1,
            "accuracy": 0.9,
            "per_label_f1": {label: f1 for label in LABELS},
            "train_seconds": train_seconds,
            "sentences_per_s": speed,
            "note": note,
        }

    return {
        "generated": "2026-01-01 00:00 UTC",
        "command": ".venv/bin/python scripts/benchmark.py",
        "runtime_seconds": 600.0,
        "machine": {
            "cpu": "Test CPU",
            "cores": 2,
            "torch_threads": 2,
            "ram_gib": 8.0,
            "python": "3.11",
            "torch": "2.x",
            "transformers": "5.x",
            "platform": "Linux",
            "load_average_1min": 0.5,
            "load_average_1min_end": 2.25,
        },
        "data": {
            "gold_path": "gold.jsonl",
            "train": 100,
            "validation": 20,
            "test": 20,
            "speed_sentences": 2048,
        },
        "methods": [
            method("rules", 0.4, None, 9000.0, "no training"),
            method("TF-IDF", 0.6, 3.0, 5000.0),
            method("fine-tuned, fp32", 0.7, 300.0, 400.0),
            method("fine-tuned, int8", 0.68, 300.0, 1100.0),
            method("fine-tuned, int8-half", 0.697, 300.0, 800.0),
        ],
        "headline": {
            "finetuned_macro_f1": 0.7,
            "tfidf_macro_f1": 0.6,
            "finetuned_minus_tfidf_points": 10.0,
            "quantized": {
                "int8": {"macro_f1": 0.68, "loss_points": 2.0, "test_changed": 3},
                "int8-half": {"macro_f1": 0.697, "loss_points": 0.3, "test_changed": 1},
            },
        },
        "inference_speed": {
            "sentences": 2048,
            "repeats": 3,
            "pipeline_batch_size": 32,
            "batch_size": 64,
            "chunk": 256,
            "max_length": 128,
            "median_seconds": {
                "pipeline": 10.0,
                "labeller fp32": 4.0,
                "labeller int8": 1.9,
                "labeller int8-half": 2.5,
            },
            "sentences_per_s": {
                "pipeline": 204.8,
                "labeller fp32": 512.0,
                "labeller int8": 1077.9,
                "labeller int8-half": 819.2,
            },
            "speedup": {"labeller fp32": 2.5, "labeller int8": 10 / 1.9, "labeller int8-half": 4.0},
            "agreement_with_pipeline": {
                "labeller fp32": 1.0,
                "labeller int8": 0.985,
                "labeller int8-half": 0.995,
            },
        },
        "training_speed": {
            "ours": {"seconds": 50.0, "sentences_per_s": 60.0},
            "trainer": {"seconds": 80.0, "sentences_per_s": 37.5},
            "ratio": 1.6,
            "batch_size": 32,
            "max_length": 128,
            "group_by_length": True,
        },
        "memory": {
            "runs": [
                {"articles": 30, "sentences": 900, "peak_rss_mib": 500.0, "seconds": 10.0},
                {"articles": 300, "sentences": 9000, "peak_rss_mib": 510.0, "seconds": 60.0},
            ],
            "quantize": "none",
            "batch_size": 64,
            "growth_percent": 2.0,
        },
    }


def test_report_states_the_headlines():
    page = render_markdown(_report())
    expected = [
        "Command: `.venv/bin/python scripts/benchmark.py`",
        "Machine: Test CPU, 2 cores (2 torch threads), 8.0 GiB RAM",
        "load average was 0.50 when the run started and 2.25 when it ended",
        "**The fine-tuned transformer beats TF-IDF + LR by +10.0 macro-F1 points on test**",
        "**int8 loses 2.00 macro-F1 points** (0.680 vs 0.700; target ≤ 0.5): 3 of 20 test",
        "**int8-half loses 0.30 macro-F1 points** (0.697 vs 0.700): 1 of 20 test predictions",
        "| 2. TF-IDF | 0.600 | 0.600 | 0.600 | 0.600 | 0.600 | 0.900 | 3.0 s | 5,000 |",
        "| 1. rules | 0.400 |",
        "| — | 9,000 |",
        "| 3. fine-tuned, fp32 | 0.700 |",
        "| 5.0 min | 400 |",
        "**Labeller vs pipeline: 2.50x (fp32), 5.26x (int8), 4.00x (int8-half)** (target ≥ 5x; fastest: 5.26x)",
        "Each of 3 repeats feeds every path the same 256 sentences in turn, chunk after chunk",
        "| labeller int8 | 1.90 | 1,078 | 5.26x | 98.5% |",
        "| pipeline | 10.00 | 205 | 1.00x | — |",
        "**Our loop vs Trainer: 1.60x training sentences/s**",
        "**Peak RSS grows by +2.0% for 10x the sentences**",
        "- 1. rules: no training",
    ]
    assert [line for line in expected if line not in page] == []


def test_report_says_when_the_transformer_does_not_win():
    report = _report()
    report["headline"]["finetuned_minus_tfidf_points"] = -2.0
    report["headline"]["quantized"]["int8-half"]["loss_points"] = -0.25
    report["training_speed"] = report["memory"] = None
    page = render_markdown(report)
    assert "trails TF-IDF + LR by 2.0 macro-F1 points on test" in page
    assert "**int8-half gains 0.25 macro-F1 points**" in page
    assert "## Training speed" not in page and "## Memory" not in page

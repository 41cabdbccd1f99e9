"""The training loop on a tiny random BERT: one epoch end to end, and a Hydra multirun."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, compose_config
from transformers import AutoTokenizer, DistilBertConfig, DistilBertForSequenceClassification

from claimtype.labels import LABELS
from claimtype.modeling import read_metadata, resolve_model_path
from claimtype.runs import read_run
from claimtype.training import LengthGroupedBatches, class_weights, train


def tiny_overrides(tiny_base: Path, small_gold: Path, tmp_path: Path) -> list[str]:
    return [
        f"model.name_or_path={tiny_base}",
        "model.max_length=64",
        f"data.gold_path={small_gold}",
        f"data.processed_dir={tmp_path / 'processed'}",
        f"paths.experiments_dir={tmp_path / 'experiments'}",
        "trainer.epochs=1",
        "trainer.batch_size=16",
    ]


def test_one_epoch_writes_checkpoint_metrics_and_config(tiny_base, small_gold, tmp_path):
    cfg = compose_config(
        "train", [*tiny_overrides(tiny_base, small_gold, tmp_path), f"paths.run_dir={tmp_path / 'run'}"]
    )
    model_dir = train(cfg)
    assert model_dir == tmp_path / "run" / "model"
    for name in ("config.json", "model.safetensors", "tokenizer.json", "claimtype.json"):
        assert (model_dir / name).is_file(), name
    metadata = read_metadata(model_dir)
    assert metadata["labels"] == list(LABELS)
    assert metadata["context"] == "none" and metadata["epoch"] == 1
    assert metadata["temperature"] > 0  # fitted on validation by default (trainer.calibrate=true)
    # What temperature scaling guarantees: validation NLL no worse than at T = 1 (ECE usually drops too,
    # but need not on a tiny random model).
    assert metadata["val_nll_calibrated"] <= metadata["val_nll_uncalibrated"] + 1e-6
    assert 0.0 <= metadata["val_ece_calibrated"] <= 1.0
    # The prior correction (trainer.prior_correction=true): a bias per label, fitted on validation,
    # never worse there than the plain argmax, and said on the model card.
    fitted = metadata["prior_correction"]
    assert len(metadata["label_bias"]) == len(LABELS)
    assert fitted["val_macro_f1_corrected"] >= fitted["val_macro_f1_plain"]
    assert "Prior correction" in (model_dir / "README.md").read_text()
    assert metadata["config"]["model"]["name_or_path"] == str(tiny_base)
    records = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in records] == [1]
    assert 0.0 <= records[0]["val_macro_f1"] <= 1.0 and records[0]["train_loss"] > 0
    assert (tmp_path / "run" / "checkpoints" / "last" / "trainer_state.json").is_file()


def test_test_true_evaluates_test_and_test_cue_into_the_run_dir(tiny_base, small_gold, tmp_path):
    cue_docs = []
    for line in small_gold.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["draw"] == "cue-pool" and row["doc_id"] not in cue_docs:
            cue_docs.append(row["doc_id"])
    cue_list = tmp_path / "test_cue_articles.txt"
    cue_list.write_text("\n".join(cue_docs[:3]) + "\n")
    run = tmp_path / "run"
    overrides = [f"paths.run_dir={run}", "test=true", f"data.test_cue_articles={cue_list}"]
    train(compose_config("train", [*tiny_overrides(tiny_base, small_gold, tmp_path), *overrides]))
    test = json.loads((run / "metrics.json").read_text())
    test_cue = json.loads((run / "test_cue" / "metrics.json").read_text())
    assert (test["split"], test_cue["split"]) == ("test", "test_cue")
    assert test_cue["n"] == sum(
        json.loads(line)["doc_id"] in cue_docs[:3]
        for line in small_gold.read_text(encoding="utf-8").splitlines()
    )
    figures = read_run(run)
    assert (figures.test_macro_f1, figures.test_cue_macro_f1) == (test["macro_f1"], test_cue["macro_f1"])


def test_context_previous_and_balanced_weights_train(tiny_base, small_gold, tmp_path):
    overrides = [
        *tiny_overrides(tiny_base, small_gold, tmp_path),
        f"paths.run_dir={tmp_path / 'run'}",
        "data.context=previous",
        "trainer.class_weights=balanced",
    ]
    model_dir = train(compose_config("train", [*overrides, "trainer.prior_correction=false"]))
    metadata = read_metadata(model_dir)
    assert metadata["context"] == "previous"
    assert "label_bias" not in metadata and "prior_correction" not in metadata


@pytest.mark.slow
def test_multirun_sweeps_learning_rates(tiny_base, small_gold, tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "scripts/train.py",
            "-m",
            "trainer.lr=1e-5,3e-5",
            "name=sweep",
            *tiny_overrides(tiny_base, small_gold, tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    runs = sorted(p for p in (tmp_path / "experiments" / "sweep" / "multirun").iterdir() if p.is_dir())
    assert [r.name for r in runs] == ["0", "1"]
    for run, lr in zip(runs, (1e-5, 3e-5), strict=True):
        assert (run / ".hydra" / "overrides.yaml").is_file()
        assert read_metadata(run / "model")["config"]["trainer"]["lr"] == lr
    collected = (
        subprocess.run(
            [sys.executable, "scripts/collect_runs.py", str(tmp_path / "experiments" / "sweep")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()
    )
    assert len(collected) == 4  # header, rule, one row per job
    assert (
        "trainer.lr=1e-05" in collected[2] + collected[3]
        and "trainer.lr=3e-05" in collected[2] + collected[3]
    )


def test_length_grouped_batches_cover_every_example_once_and_reshuffle():
    lengths = [5, 50, 7, 30, 12, 48, 3, 22, 9, 41] * 7
    sampler = LengthGroupedBatches(lengths, batch_size=4, seed=1, mega=2)
    first = list(sampler)
    assert sorted(i for batch in first for i in batch) == list(range(len(lengths)))
    assert len(first) == len(sampler)
    sampler.set_epoch(1)
    assert list(sampler) != first


def test_class_weights():
    assert class_weights([0, 0, 1], "none") is None
    weights = class_weights([0, 0, 0, 1, 2, 3], "balanced")
    assert weights.tolist() == pytest.approx([0.5, 1.5, 1.5, 1.5])
    with pytest.raises(ValueError):
        class_weights([0], "inverse")


def test_a_model_without_cls_only_support_trains_its_last_layer_in_full_and_says_so(
    small_gold, tmp_path, caplog
):
    tokenizer = AutoTokenizer.from_pretrained(resolve_model_path("default"))
    config = DistilBertConfig(
        vocab_size=tokenizer.vocab_size, dim=32, n_layers=1, n_heads=2, hidden_dim=64, num_labels=len(LABELS)
    )
    base = tmp_path / "distilbert"
    DistilBertForSequenceClassification(config).save_pretrained(base)
    tokenizer.save_pretrained(base)
    cfg = compose_config(
        "train", [*tiny_overrides(base, small_gold, tmp_path), f"paths.run_dir={tmp_path / 'run'}"]
    )
    assert cfg.trainer.cls_only_last_layer  # the default
    with caplog.at_level("INFO", logger="claimtype.training"):
        model_dir = train(cfg)
    assert (model_dir / "model.safetensors").is_file()
    assert "DistilBertForSequenceClassification is not a BERT classifier" in caplog.text

"""Every checkpoint carries a Hugging Face model card whose figures are the run's own."""

import json

import yaml
from helpers import compose_config
from test_training import tiny_overrides

from claimtype.data import build_dataset_from_config
from claimtype.evaluation import evaluate
from claimtype.inference import ClaimTypeClassifier
from claimtype.labels import LABELS
from claimtype.training import train


def card_header(model_dir) -> dict:
    text = (model_dir / "README.md").read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n")[1])


def test_card_metrics_equal_the_runs_metrics_json(tiny_base, small_gold, tmp_path):
    run_dir = tmp_path / "run"
    cfg = compose_config(
        "train", [*tiny_overrides(tiny_base, small_gold, tmp_path), f"paths.run_dir={run_dir}"]
    )
    model_dir = train(cfg)
    dataset = build_dataset_from_config(cfg.data)
    header = card_header(model_dir)
    assert header["base_model"] == str(tiny_base)
    assert header["model-index"][0]["results"] == []  # trained, not yet evaluated
    card = (model_dir / "README.md").read_text()
    for heading in ("## Intended use", "## Training", "## Evaluation", "## Calibration", "## Limitations"):
        assert heading in card
    assert f"Training sentences: {len(dataset['train'])} (" in card

    rows = list(dataset["test"])
    classifier = ClaimTypeClassifier.from_pretrained(model_dir)
    evaluate(classifier, rows, run_dir, "test", str(model_dir))
    metrics = json.loads((run_dir / "metrics.json").read_text())
    (result,) = card_header(model_dir)["model-index"][0]["results"]
    assert result["dataset"]["split"] == "test"
    values = {m["name"]: m["value"] for m in result["metrics"]}
    assert values == {"macro-F1": round(metrics["macro_f1"], 4), "accuracy": round(metrics["accuracy"], 4)}
    table_row = next(
        line for line in (model_dir / "README.md").read_text().splitlines() if line.startswith("| test |")
    )
    assert table_row.split(" | ")[2] == f"{metrics['macro_f1']:.4f}"
    assert [float(x) for x in table_row.strip(" |").split(" | ")[4:]] == [
        round(metrics["per_label"][label]["f1"], 4) for label in LABELS
    ]

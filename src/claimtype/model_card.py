"""A Hugging Face model card (README.md) beside every checkpoint, written from the run's own figures.

Training writes it once the best checkpoint is calibrated (validation figures); ``evaluate`` adds
each split it scores (``eval_results.json`` in the checkpoint keeps them, kept apart from
claimtype.json so that evaluating never changes what identifies the model).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from claimtype.io import atomic_write_text
from claimtype.labels import LABELS
from claimtype.modeling import METADATA_FILE

CARD_FILE = "README.md"
RESULTS_FILE = "eval_results.json"


def _yaml_header(metadata: dict, results: dict[str, dict]) -> str:
    config = metadata.get("config", {})
    base = config.get("model", {}).get("name_or_path", "unknown")
    lines = [
        "---",
        "library_name: transformers",
        "pipeline_tag: text-classification",
        "language: en",
        f"base_model: {json.dumps(str(base))}",
        "tags: [claimtype, claim-type, news, sentence-classification]",
        "model-index:",
        "- name: claimtype",
        "  results:" if results else "  results: []",
    ]
    for split, metrics in sorted(results.items()):
        lines += [
            "  - task: {type: text-classification, name: claim type of a news sentence}",
            f"    dataset: {{name: claimtype gold, type: claimtype-gold, split: {json.dumps(split)}}}",
            "    metrics:",
            f"    - {{type: f1, name: macro-F1, value: {metrics['macro_f1']:.4f}}}",
            f"    - {{type: accuracy, name: accuracy, value: {metrics['accuracy']:.4f}}}",
        ]
    return "\n".join(lines + ["---"])


def render_model_card(metadata: dict, results: dict[str, dict], train_counts: dict[str, int] | None) -> str:
    """The card's text: YAML header, intended use, data, results per split, calibration, limits."""
    config = metadata.get("config", {})
    base = config.get("model", {}).get("name_or_path", "unknown")
    trainer = config.get("trainer", {})
    sections = [
        _yaml_header(metadata, results),
        "# claimtype sentence classifier",
        f"Labels each sentence of a news article as one of {', '.join(f'`{label}`' for label in LABELS)} "
        "(what the sentence does with a claim, not whether it is true), as specified in the claimtype "
        "project's label specification.",
        "## Intended use",
        "Researchers, fact-checkers and media monitors labelling English news sentences, war coverage in "
        "particular, to find denials, unconfirmed reports and rival versions. Not a fact-checker: it says "
        "nothing about truth.",
        "## Training",
        f"Base model `{base}`, fine-tuned for {metadata.get('epoch', '?')} epoch(s) at the best validation "
        f"macro-F1 ({metadata.get('val_macro_f1', float('nan')):.4f}); learning rate {trainer.get('lr')}, batch "
        f"size {trainer.get('batch_size')}, class weights {trainer.get('class_weights')}, context "
        f"`{metadata.get('context', 'none')}`, max length {metadata.get('max_length')}.",
    ]
    if train_counts:
        counts = ", ".join(f"{label} {train_counts.get(label, 0)}" for label in LABELS)
        sections.append(f"Training sentences: {sum(train_counts.values())} ({counts}).")
    sections.append("## Evaluation")
    if results:
        rows = [
            "| split | sentences | macro-F1 | accuracy | "
            + " | ".join(f"F1 {label}" for label in LABELS)
            + " |"
        ]
        rows.append("|---|---|---|---|" + "---|" * len(LABELS))
        for split, m in sorted(results.items()):
            per_label = " | ".join(f"{m['per_label'][label]['f1']:.4f}" for label in LABELS)
            rows.append(f"| {split} | {m['n']} | {m['macro_f1']:.4f} | {m['accuracy']:.4f} | {per_label} |")
        sections.append("\n".join(rows))
    else:
        sections.append("Not evaluated on a test split yet (`evaluate` adds its figures here).")
    if "temperature" in metadata:
        sections += [
            "## Calibration",
            f"Temperature scaling fitted on validation: T = {metadata['temperature']:.3f}; validation expected "
            f"calibration error {metadata['val_ece_uncalibrated']:.4f} before, {metadata['val_ece_calibrated']:.4f} "
            "after. Scores are calibrated probabilities.",
        ]
    if "prior_correction" in metadata:
        fitted = metadata["prior_correction"]
        bias = ", ".join(f"{label} {b:+.2f}" for label, b in zip(LABELS, metadata["label_bias"], strict=True))
        sections.append(
            "Prior correction (label shift): the model was trained on a mix richer in the rare labels than "
            "natural text, so its log-probabilities are shifted towards the label mix of the validation "
            f"articles at strength {fitted['strength']:.1f} of the Bayes correction ({bias}); validation "
            f"macro-F1 {fitted['val_macro_f1_plain']:.4f} plain, {fitted['val_macro_f1_corrected']:.4f} "
            "corrected (the strength was picked there; the test figures above are the fair ones)."
        )
    sections += [
        "## Limitations",
        "Trained on English news and fact-check text (2014-2022); rare labels (`denial`, `counter-claim`) "
        "have few examples in natural text, so their F1 on complete articles rests on a few dozen sentences. "
        "It labels one sentence at a time (with the previous sentence when the context mode says so).",
    ]
    return "\n\n".join(sections) + "\n"


def read_results(model_dir: Path) -> dict[str, dict]:
    path = model_dir / RESULTS_FILE
    return json.loads(path.read_text()) if path.is_file() else {}


def write_model_card(model_dir: Path | str) -> None:
    """(Re)write ``<model_dir>/README.md`` from claimtype.json and the stored evaluation results."""
    model_dir = Path(model_dir)
    metadata = json.loads((model_dir / METADATA_FILE).read_text())
    card = render_model_card(metadata, read_results(model_dir), metadata.get("train_counts"))
    atomic_write_text(model_dir / CARD_FILE, card)


def record_evaluation(model_dir: Path | str, metrics: dict[str, Any]) -> None:
    """Store one split's figures (exactly those of its metrics.json) and refresh the card."""
    model_dir = Path(model_dir)
    keep = ("split", "n", "macro_f1", "accuracy", "per_label", "ece", "temperature", "quantize", "backend")
    results = read_results(model_dir)
    variant = (metrics.get("quantize", "none"), metrics.get("backend", "torch"))
    key = (
        metrics["split"]
        if variant == ("none", "torch")
        else f"{metrics['split']} ({variant[1]}, {variant[0]})"
    )
    results[key] = {k: metrics[k] for k in keep if k in metrics}
    atomic_write_text(model_dir / RESULTS_FILE, json.dumps(results, indent=2, sort_keys=True) + "\n")
    write_model_card(model_dir)


def label_counts(labels: list[int]) -> dict[str, int]:
    counts = Counter(labels)
    return {label: counts[i] for i, label in enumerate(LABELS)}

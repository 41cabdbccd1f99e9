"""Evaluate a checkpoint on a split: metrics.json, report.md and confusion_matrix.png in one folder."""

from __future__ import annotations

import io
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from claimtype.io import atomic_write_text
from claimtype.labels import LABELS


def classification_metrics(gold: list[int], predicted: list[int]) -> dict:
    """Accuracy, macro-F1, per-label precision/recall/F1/support and the confusion matrix."""
    label_ids = list(range(len(LABELS)))
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=label_ids, zero_division=0
    )
    return {
        "n": len(gold),
        "accuracy": float(accuracy_score(gold, predicted)),
        "macro_f1": float(f1_score(gold, predicted, labels=label_ids, average="macro", zero_division=0)),
        "per_label": {
            label: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for label, p, r, f, s in zip(LABELS, precision, recall, f1, support, strict=True)
        },
        "confusion_matrix": confusion_matrix(gold, predicted, labels=label_ids).tolist(),
    }


def expected_calibration_error(probs: np.ndarray, gold: np.ndarray, bins: int = 10) -> float:
    """ECE with equal-width confidence bins: mean |accuracy - confidence|, weighted by bin size."""
    confidence, predicted = probs.max(1), probs.argmax(1)
    edges = np.linspace(0.0, 1.0, bins + 1)
    ece = 0.0
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        in_bin = (confidence > low) & (confidence <= high)
        if in_bin.any():
            ece += in_bin.mean() * abs((predicted[in_bin] == gold[in_bin]).mean() - confidence[in_bin].mean())
    return float(ece)


def plot_confusion_matrix(matrix: list[list[int]], path: Path, title: str) -> None:
    """Save the confusion matrix as a PNG (counts in cells, rows = gold, columns = predicted)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    values = np.array(matrix)
    fig, ax = plt.subplots(figsize=(5.5, 4.8))
    ax.imshow(values, cmap="Blues")
    ax.set_xticks(range(len(LABELS)), LABELS, rotation=30, ha="right")
    ax.set_yticks(range(len(LABELS)), LABELS)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(title)
    for i in range(len(LABELS)):
        for j in range(len(LABELS)):
            colour = "white" if values[i, j] > values.max() / 2 else "black"
            ax.text(j, i, str(values[i, j]), ha="center", va="center", color=colour)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120)
    plt.close(fig)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(buffer.getvalue())
    tmp.replace(path)


def _table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_report(metrics: dict, errors: list[dict], title: str) -> str:
    """The Markdown report: headline metrics, per-label table, confusion matrix, errors."""
    per_label = [
        [label, f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}", m["support"]]
        for label, m in metrics["per_label"].items()
    ]
    matrix = [[f"**{label}**", *row] for label, row in zip(LABELS, metrics["confusion_matrix"], strict=True)]
    by_corpus = [
        [corpus, v["n"], f"{v['accuracy']:.3f}", f"{v['macro_f1']:.3f}"]
        for corpus, v in metrics["by_corpus"].items()
    ]
    error_rows = [
        [e["sentence_id"], e["gold"], e["predicted"], f"{e['score']:.3f}", _cell(e["text"][:200])]
        for e in errors
    ]
    return (
        "\n\n".join(
            [
                f"# {title}",
                f"Model: `{metrics['model_dir']}` · split: `{metrics['split']}` · {metrics['n']} sentences"
                + (
                    f" · quantize: `{metrics['quantize']}`"
                    if metrics.get("quantize", "none") != "none"
                    else ""
                ),
                _table(
                    ["metric", "value"],
                    [
                        ["accuracy", f"{metrics['accuracy']:.4f}"],
                        ["macro-F1", f"{metrics['macro_f1']:.4f}"],
                        ["expected calibration error", f"{metrics['ece']:.4f}"],
                    ],
                ),
                "## Per label",
                _table(["label", "precision", "recall", "F1", "support"], per_label),
                "## Confusion matrix (rows: gold, columns: predicted)",
                _table(["gold \\ predicted", *LABELS], matrix),
                "![confusion matrix](confusion_matrix.png)",
                "## By source corpus",
                _table(["corpus", "n", "accuracy", "macro-F1"], by_corpus),
                f"## The {len(errors)} most confident errors",
                _table(["sentence", "gold", "predicted", "score", "text"], error_rows),
            ]
        )
        + "\n"
    )


def evaluate(
    classifier,
    rows: list[dict],
    output_dir: Path | str,
    split: str,
    model_dir: str,
    n_errors: int = 30,
    quantize: str = "none",
) -> dict:
    """Predict ``rows`` (dataset rows with text, prev_text, label id), write the report, return metrics."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    probs = classifier.predict_proba([r["text"] for r in rows], [r["prev_text"] for r in rows]).numpy()
    gold = np.array([r["label"] for r in rows])
    predicted = probs.argmax(1)
    metrics = {
        "model_dir": model_dir,
        "split": split,
        "quantize": quantize,
        **classification_metrics(gold.tolist(), predicted.tolist()),
    }
    metrics["ece"] = expected_calibration_error(probs, gold)
    corpora: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        corpora[row["corpus"]].append(i)
    metrics["by_corpus"] = {}
    for corpus, idx in sorted(corpora.items()):
        sub = classification_metrics(gold[idx].tolist(), predicted[idx].tolist())
        metrics["by_corpus"][corpus] = {k: sub[k] for k in ("n", "accuracy", "macro_f1")}
    wrong = np.flatnonzero(predicted != gold)
    wrong = wrong[np.argsort(-probs[wrong].max(1))][:n_errors]
    errors = [
        {
            "sentence_id": rows[i]["sentence_id"],
            "text": rows[i]["text"],
            "gold": LABELS[gold[i]],
            "predicted": LABELS[predicted[i]],
            "score": float(probs[i].max()),
        }
        for i in wrong
    ]
    plot_confusion_matrix(metrics["confusion_matrix"], output_dir / "confusion_matrix.png", f"{split} split")
    atomic_write_text(output_dir / "metrics.json", json.dumps({**metrics, "errors": errors}, indent=2) + "\n")
    atomic_write_text(
        output_dir / "report.md", render_report(metrics, errors, f"Evaluation report ({split})")
    )
    return metrics

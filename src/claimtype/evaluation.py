"""Evaluate a checkpoint on a split: metrics.json, report.md and confusion_matrix.png in one folder."""

from __future__ import annotations

import io
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

from claimtype.calibration import uncalibrated
from claimtype.io import atomic_write_text
from claimtype.labels import LABELS
from claimtype.markdown import cell, table
from claimtype.metrics import macro_f1
from claimtype.model_card import record_evaluation
from claimtype.modeling import METADATA_FILE

LENGTH_BINS = ((0, 15), (16, 30), (31, 50), (51, 10_000))  # sentence length in words


def classification_metrics(gold: list[int], predicted: list[int]) -> dict:
    """Accuracy, macro-F1, per-label precision/recall/F1/support and the confusion matrix."""
    label_ids = list(range(len(LABELS)))
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=label_ids, zero_division=0
    )
    return {
        "n": len(gold),
        "accuracy": float(accuracy_score(gold, predicted)),
        "macro_f1": macro_f1(gold, predicted),
        "per_label": {
            label: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for label, p, r, f, s in zip(LABELS, precision, recall, f1, support, strict=True)
        },
        "confusion_matrix": confusion_matrix(gold, predicted, labels=label_ids).tolist(),
    }


def paired_bootstrap_gain(
    gold: np.ndarray,
    before: np.ndarray,
    after: np.ndarray,
    groups: np.ndarray,
    rounds: int = 2000,
    seed: int = 0,
) -> tuple[float, float, float]:
    """Macro-F1 of ``after`` minus ``before`` on the same sentences, and its 95% interval from
    resampling whole ``groups`` (articles) with replacement: sentences of one article are not
    independent, and both predictions are scored on every draw (paired)."""
    members = [np.flatnonzero(groups == group) for group in np.unique(groups)]
    rng = np.random.default_rng(seed)
    gains = []
    for _ in range(rounds):
        rows = np.concatenate([members[i] for i in rng.integers(len(members), size=len(members))])
        gains.append(macro_f1(gold[rows], after[rows]) - macro_f1(gold[rows], before[rows]))
    low, high = np.percentile(gains, [2.5, 97.5])
    return macro_f1(gold, after) - macro_f1(gold, before), float(low), float(high)


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


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save_png(fig, path: Path) -> None:
    """Render to memory, then write beside and rename: never a half-written PNG."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120)
    _pyplot().close(fig)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(buffer.getvalue())
    tmp.replace(path)


def reliability_bins(probs: np.ndarray, gold: np.ndarray, bins: int = 10) -> list[dict]:
    """Per equal-width confidence bin: mean confidence, accuracy and count (the reliability diagram)."""
    confidence, correct = probs.max(1), probs.argmax(1) == gold
    edges = np.linspace(0.0, 1.0, bins + 1)
    rows = []
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        in_bin = (confidence > low) & (confidence <= high)
        if in_bin.any():
            rows.append(
                {
                    "confidence": float(confidence[in_bin].mean()),
                    "accuracy": float(correct[in_bin].mean()),
                    "n": int(in_bin.sum()),
                }
            )
    return rows


def plot_reliability(curves: dict[str, list[dict]], path: Path) -> None:
    """Reliability diagram: accuracy against confidence per bin, one curve per model variant."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfect calibration")
    for name, rows in curves.items():
        ax.plot([r["confidence"] for r in rows], [r["accuracy"] for r in rows], marker="o", label=name)
    ax.set_xlabel("confidence (top score)")
    ax.set_ylabel("accuracy")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left")
    ax.set_title("Reliability diagram (test)")
    fig.tight_layout()
    _save_png(fig, path)


def plot_confusion_matrix(matrix: list[list[int]], path: Path, title: str) -> None:
    """Save the confusion matrix as a PNG (counts in cells, rows = gold, columns = predicted)."""
    plt = _pyplot()
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
    _save_png(fig, path)


def render_report(metrics: dict, errors: list[dict], title: str) -> str:
    """The Markdown report: headline metrics, per-label table, confusion matrix, calibration, errors."""
    per_label = [
        [label, f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}", m["support"]]
        for label, m in metrics["per_label"].items()
    ]
    matrix = [[f"**{label}**", *row] for label, row in zip(LABELS, metrics["confusion_matrix"], strict=True)]

    def grouped_rows(groups: dict[str, dict]) -> list[list]:
        return [[key, v["n"], f"{v['accuracy']:.3f}", f"{v['macro_f1']:.3f}"] for key, v in groups.items()]

    pair_rows = [
        [
            p["gold"],
            p["predicted"],
            p["count"],
            "<br>".join(f"`{e['sentence_id']}` {cell(e['text'][:140])}" for e in p["examples"]),
        ]
        for p in metrics["confusion_pairs"]
    ]
    shares = [
        [f"**{label}**", *(f"{100 * n / max(sum(row), 1):.0f}%" for n in row)]
        for label, row in zip(LABELS, metrics["confusion_matrix"], strict=True)
    ]
    cc_rows = [
        [
            e["sentence_id"],
            e["gold"],
            e["predicted"],
            f"{e['score']:.3f}",
            cell(e["prev_text"][:160]),
            cell(e["text"][:200]),
        ]
        for e in metrics["counter_claim_errors"]
    ]
    error_rows = [
        [e["sentence_id"], e["gold"], e["predicted"], f"{e['score']:.3f}", cell(e["text"][:200])]
        for e in errors
    ]
    quantized = f" · quantize: `{metrics['quantize']}`" if metrics.get("quantize", "none") != "none" else ""
    if metrics.get("backend", "torch") != "torch":
        quantized += f" · backend: `{metrics['backend']}`"
    headline = [
        ["accuracy", f"{metrics['accuracy']:.4f}"],
        ["macro-F1", f"{metrics['macro_f1']:.4f}"],
        [f"expected calibration error (temperature {metrics['temperature']:.3f})", f"{metrics['ece']:.4f}"],
        [
            "expected calibration error of the raw model (T = 1, no prior correction)",
            f"{metrics['ece_uncalibrated']:.4f}",
        ],
    ]
    if "without_prior_correction" in metrics:
        headline.insert(
            2,
            [
                "macro-F1 without the prior correction (plain argmax)",
                f"{metrics['without_prior_correction']['macro_f1']:.4f}",
            ],
        )
    sections = [
        f"# {title}",
        f"Model: `{metrics['model_dir']}` · split: `{metrics['split']}` · {metrics['n']} sentences{quantized}",
        table(["metric", "value"], headline),
        "## Per label",
        table(["label", "precision", "recall", "F1", "support"], per_label),
        "## Confusion matrix (rows: gold, columns: predicted)",
        table(["gold \\ predicted", *LABELS], matrix),
        "![confusion matrix](confusion_matrix.png)",
        "## Calibration",
        "Temperature scaling is fitted on the validation split at the end of training and stored in the "
        "checkpoint; the inference module applies it. Reliability (accuracy against confidence):",
        "![reliability diagram](reliability.png)",
        "## Error analysis",
        "### Confusion pairs, most frequent first, with examples",
        table(["gold", "predicted", "count", "examples"], pair_rows),
        "### Where each gold label goes (rows sum to 100%)",
        table(["gold \\ predicted", *LABELS], shares),
        f"### Counter-claim errors ({len(cc_rows)}): missed ones, then false ones, each after its previous sentence",
        "A counter-claim often answers the sentence before it, so the previous sentence is shown.",
        table(["sentence", "gold", "predicted", "score", "previous sentence", "sentence text"], cc_rows),
        "### By source corpus",
        table(["corpus", "n", "accuracy", "macro-F1"], grouped_rows(metrics["by_corpus"])),
        "### By sentence length (words)",
        table(["length", "n", "accuracy", "macro-F1"], grouped_rows(metrics["by_length"])),
        f"## The {len(errors)} most confident errors",
        table(["sentence", "gold", "predicted", "score", "text"], error_rows),
    ]
    return "\n\n".join(sections) + "\n"


def _length_bucket(text: str) -> str:
    words = len(text.split())
    low, high = next((lo, hi) for lo, hi in LENGTH_BINS if lo <= words <= hi)
    return f"{low}-{high}" if high < 10_000 else f">{low - 1}"


def _grouped(gold: np.ndarray, predicted: np.ndarray, keys: list[str]) -> dict[str, dict]:
    """Accuracy and macro-F1 within each group of rows (source corpus, length bucket)."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        groups[key].append(i)
    result = {}
    for key, idx in sorted(groups.items()):
        sub = classification_metrics(gold[idx].tolist(), predicted[idx].tolist())
        result[key] = {k: sub[k] for k in ("n", "accuracy", "macro_f1")}
    return result


def _confusion_pairs(
    rows: list[dict], gold: np.ndarray, predicted: np.ndarray, examples: int = 3
) -> list[dict]:
    """Off-diagonal (gold, predicted) pairs by frequency, each with a few example sentences."""
    pairs: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i in np.flatnonzero(predicted != gold):
        pairs[(int(gold[i]), int(predicted[i]))].append(int(i))
    ranked = sorted(pairs.items(), key=lambda item: -len(item[1]))
    return [
        {
            "gold": LABELS[g],
            "predicted": LABELS[p],
            "count": len(idx),
            "examples": [
                {"sentence_id": rows[i]["sentence_id"], "text": rows[i]["text"]} for i in idx[:examples]
            ],
        }
        for (g, p), idx in ranked
    ]


def _counter_claim_errors(
    rows: list[dict], gold: np.ndarray, predicted: np.ndarray, probs: np.ndarray
) -> list[dict]:
    """Every counter-claim missed (gold counter-claim) or invented (predicted counter-claim), with the
    previous sentence it may answer: the label the model finds least, so each case is listed."""
    cc = LABELS.index("counter-claim")
    missed = np.flatnonzero((gold == cc) & (predicted != cc))
    invented = np.flatnonzero((predicted == cc) & (gold != cc))
    return [
        {
            "sentence_id": rows[i]["sentence_id"],
            "prev_text": rows[i]["prev_text"],
            "text": rows[i]["text"],
            "gold": LABELS[gold[i]],
            "predicted": LABELS[predicted[i]],
            "score": float(probs[i].max()),
        }
        for i in [*missed, *invented]
    ]


def evaluate(
    classifier,
    rows: list[dict],
    output_dir: Path | str,
    split: str,
    model_dir: str,
    n_errors: int = 30,
    quantize: str = "none",
    backend: str = "torch",
) -> dict:
    """Predict ``rows`` (dataset rows with text, prev_text, label id), write the report, return metrics."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    probs = classifier.predict_proba(
        [r["text"] for r in rows],
        [r["prev_text"] for r in rows],
        [r.get("title", "") for r in rows],
        [r.get("next_text", "") for r in rows],
    ).numpy()
    gold = np.array([r["label"] for r in rows])
    predicted = probs.argmax(1)
    metrics = {
        "model_dir": model_dir,
        "split": split,
        "quantize": quantize,
        "backend": backend,
        **classification_metrics(gold.tolist(), predicted.tolist()),
    }
    temperature = float(getattr(classifier, "temperature", 1.0))
    bias = getattr(classifier, "label_bias", None)
    raw_probs = uncalibrated(probs, temperature, None if bias is None else np.asarray(bias))
    metrics.update(
        temperature=temperature,
        ece=expected_calibration_error(probs, gold),
        ece_uncalibrated=expected_calibration_error(raw_probs, gold),
    )
    if bias is not None and np.any(np.asarray(bias) != 0):  # what the prior correction changed
        plain = classification_metrics(gold.tolist(), raw_probs.argmax(1).tolist())
        metrics["without_prior_correction"] = {
            "macro_f1": plain["macro_f1"],
            "per_label_f1": {label: m["f1"] for label, m in plain["per_label"].items()},
        }
    plot_reliability(
        {
            f"calibrated (T={temperature:.2f})": reliability_bins(probs, gold),
            "uncalibrated": reliability_bins(raw_probs, gold),
        },
        output_dir / "reliability.png",
    )
    metrics["by_corpus"] = _grouped(gold, predicted, [r["corpus"] for r in rows])
    metrics["by_length"] = _grouped(gold, predicted, [_length_bucket(r["text"]) for r in rows])
    metrics["confusion_pairs"] = _confusion_pairs(rows, gold, predicted)
    metrics["counter_claim_errors"] = _counter_claim_errors(rows, gold, predicted, probs)
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
    if (Path(model_dir) / METADATA_FILE).is_file():  # a claimtype checkpoint: its card shows this split
        record_evaluation(model_dir, metrics)
    return metrics

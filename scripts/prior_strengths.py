"""Macro-F1 of a checkpoint at every strength of the prior correction, on validation and test (the
table in docs/experiments.md): shows whether the strength training picked sits on a plateau or a
lucky spike, and the test gain at that strength with a 95% interval from resampling test articles.
`python scripts/prior_strengths.py experiments/quickstart/model [strength]`."""

import sys

import numpy as np
import torch
from sklearn.metrics import f1_score

from claimtype.calibration import PRIOR_STRENGTHS, prior_shift
from claimtype.data import build_dataset
from claimtype.inference import ClaimTypeClassifier
from claimtype.labels import LABELS
from claimtype.modeling import read_metadata
from claimtype.training import class_weights

if __name__ == "__main__":
    model_dir = sys.argv[1] if len(sys.argv) > 1 else "experiments/quickstart/model"
    metadata = read_metadata(model_dir)
    dataset = build_dataset(
        "data/annotations/gold.jsonl",
        "data/processed",
        context=metadata["context"],
        articles_path="data/raw/articles.jsonl.gz",
    )
    classifier = ClaimTypeClassifier.from_pretrained(model_dir)
    classifier.label_bias = torch.zeros(len(LABELS))  # the plain model; each strength is applied below
    train_labels = dataset["train"]["label"]
    effective = np.bincount(train_labels, minlength=len(LABELS)).astype(float)
    weights = class_weights(train_labels, metadata["config"]["trainer"]["class_weights"])
    if weights is not None:
        effective *= weights.numpy()
    validation_labels = np.array(dataset["validation"]["label"])
    shift = prior_shift(effective, np.bincount(validation_labels, minlength=len(LABELS)))
    scores = {}
    for split in ("validation", "test"):
        rows = list(dataset[split])
        columns = ("text", "prev_text", "title", "next_text")
        probs = classifier.predict_proba(*([r[c] for r in rows] for c in columns))
        scores[split] = (np.log(probs.numpy()), np.array([r["label"] for r in rows]))
    test_docs = np.array(dataset["test"]["doc_id"])
    print(
        "| strength | validation macro-F1 | test macro-F1 | "
        + " | ".join(f"test F1 {x}" for x in LABELS)
        + " |"
    )
    print("|---|---|---|" + "---|" * len(LABELS))
    for strength in PRIOR_STRENGTHS:
        cells = []
        for split in ("validation", "test"):
            log_probs, gold = scores[split]
            predicted = (log_probs + strength * shift).argmax(1)
            cells.append(f"{f1_score(gold, predicted, average='macro', labels=range(len(LABELS))):.4f}")
        per_label = f1_score(gold, predicted, average=None, labels=range(len(LABELS)))
        print(f"| {strength:.1f} | " + " | ".join(cells + [f"{f:.3f}" for f in per_label]) + " |")

    # The strength training picked, or one given after the model folder (a checkpoint without one).
    picked = float(sys.argv[2]) if len(sys.argv) > 2 else metadata.get("prior_correction", {}).get("strength")
    if picked:  # paired bootstrap over test articles: corrected minus plain macro-F1
        log_probs, gold = scores["test"]
        plain, corrected = log_probs.argmax(1), (log_probs + picked * shift).argmax(1)
        articles = {doc: np.flatnonzero(test_docs == doc) for doc in np.unique(test_docs)}
        names, rng, gains = list(articles), np.random.default_rng(0), []
        for _ in range(2000):
            rows = np.concatenate([articles[d] for d in rng.choice(names, size=len(names))])
            gains.append(
                f1_score(gold[rows], corrected[rows], average="macro", labels=range(len(LABELS)))
                - f1_score(gold[rows], plain[rows], average="macro", labels=range(len(LABELS)))
            )
        gain = f1_score(gold, corrected, average="macro") - f1_score(gold, plain, average="macro")
        low, high = np.percentile(gains, [2.5, 97.5])
        print(
            f"test macro-F1 gain at the strength training picked ({picked:.1f}): {gain:+.4f}, "
            f"95% interval over {len(names)} resampled test articles [{low:+.4f}, {high:+.4f}]"
        )

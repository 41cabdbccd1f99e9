"""Macro-F1 of a checkpoint at every strength of the prior correction, on validation and test (the
table in docs/experiments.md): shows whether the strength training picked sits on a plateau or a
lucky spike, and the test gain at that strength with a 95% interval from resampling test articles.
`python scripts/prior_strengths.py experiments/quickstart/model [strength]`."""

import sys

import numpy as np

from claimtype.calibration import PRIOR_STRENGTHS, prior_shift, strength_scores
from claimtype.data import build_dataset
from claimtype.evaluation import paired_bootstrap_gain
from claimtype.inference import ClaimTypeClassifier
from claimtype.labels import LABELS
from claimtype.markdown import table
from claimtype.modeling import read_metadata

if __name__ == "__main__":
    model_dir = sys.argv[1] if len(sys.argv) > 1 else "experiments/quickstart/model"
    metadata = read_metadata(model_dir)
    fitted = metadata.get("prior_correction")
    if not fitted:
        sys.exit(
            f"error: {model_dir} was trained without trainer.prior_correction: no training prior recorded"
        )
    dataset = build_dataset(
        "data/annotations/gold.jsonl",
        "data/processed",
        context=metadata["context"],
        articles_path="data/raw/articles.jsonl.gz",
    )
    classifier = ClaimTypeClassifier.from_pretrained(model_dir)
    # The plain model; each strength is applied below.
    classifier.label_bias = np.zeros(len(LABELS), np.float32)
    shift = prior_shift(fitted["effective_train_counts"], fitted["validation_label_counts"])
    log_probs, gold = {}, {}
    for split in ("validation", "test"):
        rows = list(dataset[split])
        probs = classifier.predict_proba(
            *([r[c] for r in rows] for c in ("text", "prev_text", "title", "next_text"))
        )
        log_probs[split], gold[split] = np.log(probs.numpy()), np.array([r["label"] for r in rows])
    scores = {split: strength_scores(log_probs[split], gold[split], shift) for split in log_probs}
    header = ["strength", "validation macro-F1", "test macro-F1", *[f"test F1 {label}" for label in LABELS]]
    rows = [
        [f"{a:.1f}", f"{val.mean():.4f}", f"{test.mean():.4f}", *[f"{f:.3f}" for f in test]]
        for a, val, test in zip(PRIOR_STRENGTHS, scores["validation"], scores["test"], strict=True)
    ]
    print(table(header, rows))

    # The strength training picked, or one given after the model folder.
    picked = float(sys.argv[2]) if len(sys.argv) > 2 else fitted["strength"]
    plain, corrected = log_probs["test"].argmax(1), (log_probs["test"] + picked * shift).argmax(1)
    test_docs = np.array(dataset["test"]["doc_id"])
    gain, low, high = paired_bootstrap_gain(gold["test"], plain, corrected, test_docs)
    print(
        f"test macro-F1 gain at strength {picked:.1f}: {gain:+.4f}, 95% interval over "
        f"{len(np.unique(test_docs))} resampled test articles [{low:+.4f}, {high:+.4f}]"
    )

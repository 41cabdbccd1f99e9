"""The labelling functions as a classifier (`rule_predict`) on each split of the gold corpus: the
floor every model is compared with (docs/experiments.md). `python scripts/rules_baseline.py`."""

from claimtype.data import build_dataset
from claimtype.evaluation import classification_metrics
from claimtype.labels import LABEL2ID, LABELS
from claimtype.rules import rule_predict

if __name__ == "__main__":
    dataset = build_dataset(
        "data/annotations/gold.jsonl",
        "data/processed",
        test_cue_path="data/annotations/test_cue_articles.txt",
    )
    for split in ("validation", "test", "test_cue"):
        rows = list(dataset[split])
        predicted = [LABEL2ID[rule_predict(r["text"], r["prev_text"])] for r in rows]
        metrics = classification_metrics([r["label"] for r in rows], predicted)
        per_label = ", ".join(f"{label} {metrics['per_label'][label]['f1']:.3f}" for label in LABELS)
        print(f"{split}: {len(rows)} sentences, macro-F1 {metrics['macro_f1']:.4f} ({per_label})")

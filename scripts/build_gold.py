"""Merge the annotation passes into the gold file (data/annotations/gold.jsonl).

Inputs: the sentence pool (pool/batch_NN.jsonl), each batch's first-pass labels
(first_pass/batch_NN.tsv, annotator ``annotator-NN``), and for the double-annotated sample the
adjudicated label (adjudication.tsv) where the two annotators disagreed. Rows labelled ``skip``
(not a sentence) are left out. Every label in these files was given by reading the sentence.
"""

import argparse
import csv
from pathlib import Path

from claimtype.data import GOLD_FIELDS
from claimtype.io import read_jsonl, write_jsonl
from claimtype.labels import check_label

SKIP = "skip"


def read_labels(path: Path) -> dict[str, str]:
    """sentence_id -> label from a two-column TSV (extra columns, e.g. notes, are ignored)."""
    labels = {}
    with path.open(encoding="utf-8") as handle:
        for number, row in enumerate(csv.reader(handle, delimiter="\t"), 1):
            if not row or row[0].startswith("#"):
                continue
            if len(row) < 2:
                raise ValueError(f"{path}:{number}: expected sentence_id<TAB>label")
            sentence_id, label = row[0].strip(), row[1].strip()
            if label != SKIP:
                check_label(label)
            if sentence_id in labels and labels[sentence_id] != label:
                raise ValueError(f"{path}:{number}: {sentence_id} labelled twice, differently")
            labels[sentence_id] = label
    return labels


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--annotations", type=Path, default=Path("data/annotations"))
    args = parser.parse_args()
    root = args.annotations
    adjudicated = read_labels(root / "adjudication.tsv") if (root / "adjudication.tsv").is_file() else {}
    gold, skipped, missing = [], 0, []
    for pool_path in sorted((root / "pool").glob("batch_*.jsonl")):
        batch = pool_path.stem.split("_")[1]
        label_path = root / "first_pass" / f"{pool_path.stem}.tsv"
        if not label_path.is_file():
            print(f"warning: {label_path} missing; batch {batch} not included")
            continue
        labels = read_labels(label_path)
        for row in read_jsonl(pool_path):
            sid = row["sentence_id"]
            if sid not in labels:
                missing.append(sid)
                continue
            label, annotator = labels[sid], f"annotator-{batch}"
            if sid in adjudicated:
                label, annotator = adjudicated[sid], "adjudicated"
            if label == SKIP:
                skipped += 1
                continue
            gold.append(
                {**{k: row[k] for k in GOLD_FIELDS if k in row}, "label": label, "annotator": annotator}
            )
    write_jsonl(root / "gold.jsonl", gold)
    print(f"gold: {len(gold)} rows ({skipped} skipped as not-a-sentence, {len(missing)} not yet labelled)")

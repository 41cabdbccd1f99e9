"""Draw the double-annotation sample: N sentences per first-pass label, shown in shuffled order.

The second annotator sees only the guidelines and each sentence with its article's title-free
context (previous sentence), never the first label. Output: data/annotations/agreement/sample.{jsonl,txt}.
"""

import argparse
import random
from collections import defaultdict
from pathlib import Path

from claimtype.annotation import read_label_file
from claimtype.io import read_jsonl, write_jsonl
from claimtype.labels import LABELS

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--annotations", type=Path, default=Path("data/annotations"))
    parser.add_argument("--per-label", type=int, default=80)
    parser.add_argument("--batches", default="01,02,03,04,05,06")
    parser.add_argument("--seed", type=int, default=29)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    by_label: dict[str, list[dict]] = defaultdict(list)
    for batch in args.batches.split(","):
        labels = {
            k: v[0]
            for k, v in read_label_file(args.annotations / "first_pass" / f"batch_{batch}.tsv").items()
        }
        for row in read_jsonl(args.annotations / "pool" / f"batch_{batch}.jsonl"):
            if labels.get(row["sentence_id"]) in LABELS:
                by_label[labels[row["sentence_id"]]].append(row)
    sample = [row for label in LABELS for row in rng.sample(by_label[label], args.per_label)]
    rng.shuffle(sample)
    out = args.annotations / "agreement"
    write_jsonl(out / "sample.jsonl", sample)
    text = "".join(
        f"[{r['sentence_id']}] ({r['corpus']})\n  PREV: {r['prev_text'] or '(none: first sentence)'}\n"
        f"  TEXT: {r['text']}\n"
        for r in sample
    )
    (out / "sample.txt").write_text(text, encoding="utf-8")
    print(f"{len(sample)} sentences, {args.per_label} per first-pass label")

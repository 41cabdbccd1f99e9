"""Write the adjudicator's packet for the complete articles: every sentence the two annotators
labelled differently, in its article window, with both labels (as annotator A and B, in a seeded
random order, so the adjudicator cannot tell which pass is which).

Output: data/annotations/complete/adjudication_packet.txt; the adjudicator writes
data/annotations/complete/adjudication.tsv (sentence_id, label, reason).
"""

import argparse
import random
from pathlib import Path

from claimtype.annotation import read_label_file
from claimtype.io import atomic_write_text, read_jsonl

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", type=Path, default=Path("data/annotations/complete"))
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    blocks = []
    for packet in sorted((args.root / "packets").glob("p*.jsonl")):
        rows = list(read_jsonl(packet))
        first = read_label_file(args.root / "pass1" / f"{packet.stem}.tsv", with_source=True)
        second = read_label_file(args.root / "pass2" / f"{packet.stem}.tsv", with_source=True)
        for k, row in enumerate(rows):
            a, b = first[row["sentence_id"]][0], second[row["sentence_id"]][0]
            if a == b:
                continue
            if rng.random() < 0.5:
                a, b = b, a
            window = [r for r in rows[max(0, k - 3) : k + 2] if r["doc_id"] == row["doc_id"]]
            lines = [f"=== {row['sentence_id']} | annotator A: {a} | annotator B: {b} ==="]
            lines += [
                f"{'>>' if w['sentence_id'] == row['sentence_id'] else '  '} [{w['sentence_id']}] {w['text']}"
                for w in window
            ]
            blocks.append("\n".join(lines) + "\n")
    atomic_write_text(args.root / "adjudication_packet.txt", "\n".join(blocks))
    print(f"{len(blocks)} disagreements to adjudicate")

"""Draw the double-annotation sample: N sentences per first-pass label, shown in shuffled order.

The second annotator sees only the guidelines and each sentence with its article's title-free
context (previous sentence), never the first label. Output: data/annotations/agreement/sample.{jsonl,txt}
(claimtype.annotation.agreement.draw_agreement_sample, claimtype.annotation.packets.render_sample).
"""

import argparse
from pathlib import Path

from claimtype.annotation.agreement import draw_agreement_sample
from claimtype.annotation.packets import render_sample
from claimtype.io import atomic_write_text, write_jsonl

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--annotations", type=Path, default=Path("data/annotations"))
    parser.add_argument("--per-label", type=int, default=80)
    parser.add_argument("--batches", default="01,02,03,04,05,06")
    parser.add_argument("--seed", type=int, default=29)
    args = parser.parse_args()
    sample = draw_agreement_sample(args.annotations, args.per_label, args.batches.split(","), args.seed)
    out = args.annotations / "agreement"
    write_jsonl(out / "sample.jsonl", sample)
    atomic_write_text(out / "sample.txt", render_sample(sample))
    print(f"{len(sample)} sentences, {args.per_label} per first-pass label")

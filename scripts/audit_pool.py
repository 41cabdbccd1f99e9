"""Choose the gold rows to re-read in the consistency audit and write the reviewers' packets
(data/annotations/audit/packets/aNN.{jsonl,txt}): claimtype.annotation.audit. Needs cleanlab
(`pip install -e ".[annotation]"`)."""

import argparse
from pathlib import Path

from claimtype.annotation.audit import audit_rows, write_audit_packets
from claimtype.corpora import ARTICLES_FILE
from claimtype.data import load_annotations

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gold", type=Path, default=Path("data/annotations/gold.jsonl"))
    parser.add_argument("--articles", type=Path, default=Path("data") / ARTICLES_FILE)
    parser.add_argument("--out", type=Path, default=Path("data/annotations/audit"))
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    rows, counts = audit_rows(load_annotations(args.gold), args.seed)
    packets = write_audit_packets(rows, args.articles, args.out)
    print(
        f"{counts['audited']} rows audited: {counts['flagged']} flagged by cleanlab, "
        f"{counts['cue']} with a cue, {len(rows)} to re-read in {packets} packets"
    )

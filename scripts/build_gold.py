"""Merge the annotation files into the gold corpus (data/annotations/gold.jsonl) and the audit's
change list (data/annotations/audit.tsv): claimtype.annotation.gold.write_gold."""

import argparse
from pathlib import Path

from claimtype.annotation.gold import write_gold
from claimtype.corpora import ARTICLES_FILE

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--annotations", type=Path, default=Path("data/annotations"))
    parser.add_argument("--articles", type=Path, default=Path("data") / ARTICLES_FILE)
    args = parser.parse_args()
    gold, report = write_gold(args.annotations, args.articles)
    print(
        f"gold: {len(gold)} rows; skipped as not-a-sentence: {report['skipped']}; "
        f"audit changes: {len(report['audit_changes'])}"
    )

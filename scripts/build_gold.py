"""Merge the annotation files into the gold corpus (data/annotations/gold.jsonl) and the audit's
change list (data/annotations/audit.tsv).

Inputs, every label given by an annotator reading the sentence (claimtype.annotation.build_gold_rows):
the cue-drawn pool batches with their first pass and adjudication, the consistency audit's reviews,
the complete articles' two passes and adjudication, and the claim/response exchanges.
"""

import argparse
from pathlib import Path

from claimtype.annotation import build_gold_rows
from claimtype.corpora import ARTICLES_FILE
from claimtype.io import atomic_write_text, read_jsonl, write_jsonl

AUDIT_COLUMNS = ("sentence_id", "old_label", "new_label", "flagged_by", "reason")

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--annotations", type=Path, default=Path("data/annotations"))
    parser.add_argument("--articles", type=Path, default=Path("data") / ARTICLES_FILE)
    args = parser.parse_args()
    root = args.annotations
    complete_docs = {r["doc_id"] for r in read_jsonl(root / "complete" / "drawn.jsonl")}
    texts = {a["doc_id"]: a["text"] for a in read_jsonl(args.articles) if a["doc_id"] in complete_docs}
    gold, report = build_gold_rows(root, texts)
    write_jsonl(root / "gold.jsonl", gold)
    lines = ["\t".join(AUDIT_COLUMNS)]
    lines += ["\t".join(" ".join(str(c[k]).split()) for k in AUDIT_COLUMNS) for c in report["audit_changes"]]
    atomic_write_text(root / "audit.tsv", "\n".join(lines) + "\n")
    print(
        f"gold: {len(gold)} rows; skipped as not-a-sentence: {report['skipped']}; "
        f"audit changes: {len(report['audit_changes'])}"
    )

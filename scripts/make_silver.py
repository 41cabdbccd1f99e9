"""Apply the labelling functions to every unlabelled sentence of data/raw -> data/silver/silver.jsonl.

Silver rows are marked `annotator: rules`; only sentences where some function fires are kept (an
abstention is no label). They are never gold and never enter validation or test. The war-media
corpus (250k sentences) is left out by default: splitting it takes minutes, and `make data` runs
this on every quickstart (`--corpora` names the corpora to read).
"""

import argparse
import json
from collections import Counter
from pathlib import Path

from tqdm import tqdm

from claimtype.corpora import ARTICLES_FILE
from claimtype.data import GOLD_FIELDS, SILVER_ANNOTATOR, sentence_rows
from claimtype.io import atomic_write_text, read_jsonl, write_jsonl
from claimtype.labels import LABELS
from claimtype.rules import LABELLING_FUNCTIONS, rule_label, rule_votes

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=Path, default=Path("data") / ARTICLES_FILE)
    parser.add_argument(
        "--corpora", default="war_news,disinfo_claim,disinfo_debunk,fnc1", help="comma-separated corpus names"
    )
    parser.add_argument("--gold", type=Path, default=Path("data/annotations/gold.jsonl"))
    parser.add_argument("--out", type=Path, default=Path("data/silver/silver.jsonl"))
    parser.add_argument("--coverage", type=Path, default=Path("data/silver_coverage.json"))
    args = parser.parse_args()
    gold_ids = {row["sentence_id"] for row in read_jsonl(args.gold)}
    silver, unlabelled, fired = [], 0, Counter()
    corpora = set(args.corpora.split(","))
    articles = [a for a in read_jsonl(args.articles) if a["corpus"] in corpora]
    for article in tqdm(articles, desc="articles", unit="doc"):
        for row in sentence_rows(article):
            if row["sentence_id"] in gold_ids:
                continue
            unlabelled += 1
            fired.update(rule_votes(row["text"], row["prev_text"]).keys())
            label = rule_label(row["text"], row["prev_text"])
            if label:
                silver.append(
                    {
                        **{k: row[k] for k in GOLD_FIELDS if k in row},
                        "label": label,
                        "annotator": SILVER_ANNOTATOR,
                    }
                )
    write_jsonl(args.out, silver)
    # Committed beside the data card: coverage of each function on the unlabelled sentences.
    coverage = {
        "unlabelled_sentences": unlabelled,
        "silver_rows": len(silver),
        "silver_per_label": {label: sum(r["label"] == label for r in silver) for label in LABELS},
        "fires_on": {f.name: fired[f.name] for f in LABELLING_FUNCTIONS},
    }
    atomic_write_text(args.coverage, json.dumps(coverage, indent=2) + "\n")
    print(f"silver: {len(silver)} rule-labelled sentences of {unlabelled} unlabelled -> {args.out}")

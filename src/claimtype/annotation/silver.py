"""Silver labels: the labelling functions applied to every unlabelled sentence (``claimtype data silver``).

Silver rows are marked ``annotator: rules``; only sentences where some function fires are kept (an
abstention is no label). They are never gold and never enter validation or test. The war-media
corpus (250k sentences) is left out by default: splitting it takes minutes, and ``make data`` runs
this on every quickstart. The functions' coverage of the unlabelled sentences is written beside the
data card (``silver_coverage.json``), which quotes it.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from tqdm import tqdm

from claimtype.corpora import ARTICLES_FILE
from claimtype.data import GOLD_FIELDS, SILVER_ANNOTATOR, sentence_rows
from claimtype.io import atomic_write_text, read_jsonl, write_jsonl
from claimtype.labels import LABELS
from claimtype.rules import LABELLING_FUNCTIONS, rule_label, rule_votes

DEFAULT_CORPORA = ("war_news", "disinfo_claim", "disinfo_debunk", "fnc1")


def silver_rows(articles: Iterable[dict], gold_ids: set[str]) -> tuple[list[dict], dict]:
    """The silver rows of the articles' sentences that have no gold row, and the coverage: how many
    sentences were unlabelled, how many got a silver label (per label), and how often each function
    fires on them."""
    silver, unlabelled, fired = [], 0, Counter()
    for article in articles:
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
    coverage = {
        "unlabelled_sentences": unlabelled,
        "silver_rows": len(silver),
        "silver_per_label": {label: sum(r["label"] == label for r in silver) for label in LABELS},
        "fires_on": {f.name: fired[f.name] for f in LABELLING_FUNCTIONS},
    }
    return silver, coverage


def make_silver(
    articles: Path = Path("data") / ARTICLES_FILE,
    corpora: Iterable[str] = DEFAULT_CORPORA,
    gold: Path = Path("data/annotations/gold.jsonl"),
    out: Path = Path("data/silver/silver.jsonl"),
    coverage: Path = Path("data/silver_coverage.json"),
) -> dict:
    """Write the silver rows of the named corpora to ``out`` and their coverage to ``coverage``;
    returns the coverage."""
    gold_ids = {row["sentence_id"] for row in read_jsonl(gold)}
    wanted = set(corpora)
    chosen = [a for a in read_jsonl(articles) if a["corpus"] in wanted]
    silver, figures = silver_rows(tqdm(chosen, desc="articles", unit="doc"), gold_ids)
    write_jsonl(out, silver)
    atomic_write_text(coverage, json.dumps(figures, indent=2) + "\n")
    return figures


def main(argv: list[str], prog: str = "claimtype data silver") -> int:
    """``claimtype data silver [--articles ...] [--corpora ...] [--gold ...] [--out ...] [--coverage ...]``."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Rule-labelled (silver) sentences: the labelling functions on every unlabelled sentence.",
    )
    parser.add_argument(
        "--articles",
        type=Path,
        default=Path("data") / ARTICLES_FILE,
        help="the raw articles (default: %(default)s)",
    )
    parser.add_argument(
        "--corpora",
        default=",".join(DEFAULT_CORPORA),
        help="comma-separated corpus names (default: %(default)s; war_media takes minutes)",
    )
    parser.add_argument(
        "--gold",
        type=Path,
        default=Path("data/annotations/gold.jsonl"),
        help="its sentences are left out (default: %(default)s)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("data/silver/silver.jsonl"),
        help="the silver rows (default: %(default)s)",
    )
    parser.add_argument(
        "--coverage",
        type=Path,
        default=Path("data/silver_coverage.json"),
        help="the functions' coverage, quoted by the data card (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    figures = make_silver(args.articles, args.corpora.split(","), args.gold, args.out, args.coverage)
    print(
        f"silver: {figures['silver_rows']} rule-labelled sentences of {figures['unlabelled_sentences']} "
        f"unlabelled -> {args.out}"
    )
    return 0

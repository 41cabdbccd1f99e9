"""Draw the sentences annotators read (data/annotations/pool/), steering towards the rare labels.

Cue hits (a labelling function firing) only choose *which* sentences are read; the label is each
annotator's judgment. Deterministic by seed.

Round 1 (batches 01-06): every distinct debunk sentence; in war news every cue hit plus 60% of the
rest; in disinformation claims every cue hit plus 30% of the rest; in 30% of FNC-1 articles at most
two cue-hit sentences each.
Round 2 (batches 07-10), after round 1 came back short of counter-claims: unread FNC-1 sentences
where a counter-claim or denial function fires (at most three per article), plus unread war news
and disinformation claims at random so that war-related text stays above 60% of the corpus.
"""

import argparse
import random
from collections import defaultdict
from pathlib import Path

from claimtype.data import sentence_rows
from claimtype.io import read_jsonl, write_jsonl
from claimtype.rules import POOL_FUNCTION_NAMES, rule_label, rule_votes

ROUND1_RATE = {"war_news": 0.6, "disinfo_claim": 0.3, "disinfo_debunk": 1.0, "fnc1": 0.0}
ROUND1_FNC1_ARTICLES = 0.3
ROUND2_COUNTS = {"fnc1_counter": 550, "fnc1_denial": 150, "war_news": 200, "disinfo_claim": 100}


def round1(articles: list[dict], rng: random.Random) -> dict[str, list[dict]]:
    chosen: dict[str, list[dict]] = {}
    for article in articles:
        corpus = article["corpus"]
        if corpus == "fnc1" and rng.random() > ROUND1_FNC1_ARTICLES:
            continue
        picked = []
        for row in sentence_rows(article):
            cue = rule_label(row["text"], row["prev_text"], POOL_FUNCTION_NAMES)
            cue = None if cue == "assertion" else cue  # only the rare labels steer the draw
            if cue or rng.random() < ROUND1_RATE[corpus]:
                picked.append({**row, "selected_by": f"cue:{cue}" if cue else "random"})
        if corpus == "fnc1" and len(picked) > 2:
            picked = sorted(rng.sample(picked, 2), key=lambda r: r["sentence_index"])
        if picked:
            chosen[article["doc_id"]] = picked
    return chosen


def round2(articles: list[dict], rng: random.Random, already: set[str]) -> dict[str, list[dict]]:
    candidates: dict[str, list[dict]] = defaultdict(list)
    for article in articles:
        corpus = article["corpus"]
        if corpus == "disinfo_debunk":
            continue
        rows = [r for r in sentence_rows(article) if r["sentence_id"] not in already]
        if corpus != "fnc1":
            candidates[corpus] += [{**r, "selected_by": "random"} for r in rows]
            continue
        by_cue = defaultdict(list)
        for row in rows:
            votes = set(rule_votes(row["text"], row["prev_text"], POOL_FUNCTION_NAMES).values())
            for cue in ("counter-claim", "denial"):
                if cue in votes:
                    by_cue[cue].append({**row, "selected_by": f"cue:{cue}"})
                    break
        for cue, hits in by_cue.items():
            candidates[f"fnc1_{cue.split('-')[0]}"] += rng.sample(hits, min(3, len(hits)))
    chosen: dict[str, list[dict]] = defaultdict(list)
    for key, count in ROUND2_COUNTS.items():
        for row in rng.sample(candidates[key], min(count, len(candidates[key]))):
            chosen[row["doc_id"]].append(row)
    return {d: sorted(rows, key=lambda r: r["sentence_index"]) for d, rows in chosen.items()}


def write_batches(
    chosen: dict[str, list[dict]], out: Path, first: int, count: int, rng: random.Random
) -> None:
    """Whole documents go to one batch, so one annotator sees an article's sentences in order."""
    doc_ids = sorted(chosen)
    rng.shuffle(doc_ids)
    batches: list[list[dict]] = [[] for _ in range(count)]
    for doc_id in sorted(doc_ids, key=lambda d: -len(chosen[d])):
        min(batches, key=len).extend(chosen[doc_id])
    for number, rows in enumerate(batches, first):
        write_jsonl(out / f"batch_{number:02d}.jsonl", rows)
        (out / f"batch_{number:02d}.txt").write_text(render(rows), encoding="utf-8")
    print(
        f"{sum(map(len, batches))} sentences in batches {first}-{first + count - 1}: {[len(b) for b in batches]}"
    )


def render(rows: list[dict]) -> str:
    """The annotator's view: sentences grouped by document, each with its previous sentence."""
    lines, doc = [], None
    for row in rows:
        if row["doc_id"] != doc:
            doc = row["doc_id"]
            lines.append(f"\n=== DOCUMENT {doc} ({row['corpus']}) ===")
        lines.append(
            f"[{row['sentence_id']}]\n  PREV: {row['prev_text'] or '(none: first sentence)'}\n  TEXT: {row['text']}"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=Path, default=Path("data/raw/articles.jsonl"))
    parser.add_argument("--out", type=Path, default=Path("data/annotations/pool"))
    parser.add_argument("--round", type=int, choices=(1, 2), default=1)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    articles = list(read_jsonl(args.articles))
    chosen = round1(articles, rng)
    if args.round == 1:
        write_batches(chosen, args.out, 1, 6, rng)
    else:
        already = {r["sentence_id"] for rows in chosen.values() for r in rows}
        write_batches(round2(articles, random.Random(args.seed + 1), already), args.out, 7, 4, rng)

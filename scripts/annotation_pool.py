"""Draw the sentences annotators read (data/annotations/pool/), steering towards the rare labels.

Cue hits (any labelling function firing) only choose *which* sentences are read; the label is each
annotator's judgment. Sampling, per corpus: every distinct debunk sentence; in war news every cue
hit plus a random share of the rest; a random share of disinformation claims; in FNC-1 cue hits
only, at most a few per article. Deterministic by seed.
"""

import argparse
import random
from collections import defaultdict
from pathlib import Path

from claimtype.data import sentence_rows
from claimtype.io import read_jsonl, write_jsonl
from claimtype.rules import rule_label

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=Path, default=Path("data/raw/articles.jsonl"))
    parser.add_argument("--out", type=Path, default=Path("data/annotations/pool"))
    parser.add_argument("--batches", type=int, default=6)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    rate = {"war_news": 0.6, "disinfo_claim": 0.3, "disinfo_debunk": 1.0, "fnc1": 0.0}
    per_article_cap = {"fnc1": 2}
    fnc1_docs_keep = 0.3
    chosen: dict[str, list[dict]] = defaultdict(list)
    for article in read_jsonl(args.articles):
        corpus = article["corpus"]
        if corpus == "fnc1" and rng.random() > fnc1_docs_keep:
            continue
        picked = []
        for row in sentence_rows(article):
            cue = rule_label(row["text"], row["prev_text"])
            if cue or rng.random() < rate[corpus]:
                picked.append({**row, "selected_by": f"cue:{cue}" if cue else "random"})
        cap = per_article_cap.get(corpus)
        if cap and len(picked) > cap:
            picked = sorted(rng.sample(picked, cap), key=lambda r: r["sentence_index"])
        if picked:
            chosen[article["doc_id"]] = picked

    # Whole documents go to one batch, so one annotator sees an article's sentences in order.
    doc_ids = sorted(chosen)
    rng.shuffle(doc_ids)
    batches: list[list[dict]] = [[] for _ in range(args.batches)]
    for doc_id in sorted(doc_ids, key=lambda d: -len(chosen[d])):
        min(batches, key=len).extend(chosen[doc_id])
    for number, rows in enumerate(batches, 1):
        write_jsonl(args.out / f"batch_{number:02d}.jsonl", rows)
    total = sum(len(b) for b in batches)
    print(f"{total} sentences in {args.batches} batches: {[len(b) for b in batches]}")

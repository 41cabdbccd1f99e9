"""Draw the cue-drawn sentence pool (data/annotations/pool/batch_NN.{jsonl,txt}), round 1 (batches
01-06) or round 2 (07-10): claimtype.annotation.pools.draw_cue_pool."""

import argparse
from pathlib import Path

from claimtype.annotation.pools import POOL_BATCHES, draw_cue_pool, write_cue_pool
from claimtype.corpora import ARTICLES_FILE
from claimtype.io import read_jsonl

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=Path, default=Path("data") / ARTICLES_FILE)
    parser.add_argument("--out", type=Path, default=Path("data/annotations/pool"))
    parser.add_argument("--round", type=int, choices=sorted(POOL_BATCHES), default=1)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    batches = draw_cue_pool(list(read_jsonl(args.articles)), args.round, args.seed)
    first = POOL_BATCHES[args.round][0]
    write_cue_pool(batches, args.out, first)
    print(
        f"{sum(map(len, batches))} sentences in batches {first}-{first + len(batches) - 1}: "
        f"{[len(b) for b in batches]}"
    )

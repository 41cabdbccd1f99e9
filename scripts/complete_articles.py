"""Draw the complete articles to annotate and write the annotators' packets
(data/annotations/complete/drawn.jsonl, packets/pNN.{txt,jsonl}): claimtype.annotation.pools.draw_complete."""

import argparse
from collections import Counter
from pathlib import Path

from claimtype.annotation.pools import draw_complete, write_complete
from claimtype.corpora import ARTICLES_FILE
from claimtype.io import read_jsonl

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=Path, default=Path("data") / ARTICLES_FILE)
    parser.add_argument("--out", type=Path, default=Path("data/annotations/complete"))
    parser.add_argument("--seed", type=int, default=2022)
    args = parser.parse_args()
    drawn = draw_complete(list(read_jsonl(args.articles)), args.seed)
    sizes = write_complete(drawn, args.out)
    print(f"{len(drawn)} articles, {sum(sizes)} sentences, {len(sizes)} packets: {sizes}")
    print("war_media per outlet:", dict(Counter(a["outlet"] for a in drawn if a["corpus"] == "war_media")))

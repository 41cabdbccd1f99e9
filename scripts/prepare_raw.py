"""Copy the articles the project needs from ../shared/corpora into data/raw/articles.jsonl (run once)."""

import argparse
import json
from pathlib import Path

from claimtype.corpora import iter_articles
from claimtype.io import atomic_write_text

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpora", type=Path, default=Path("../shared/corpora"))
    parser.add_argument("--out", type=Path, default=Path("data/raw/articles.jsonl"))
    args = parser.parse_args()
    articles = list(iter_articles(args.corpora))
    atomic_write_text(args.out, "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles))
    print(f"wrote {len(articles)} articles to {args.out}")

"""Copy the articles the project needs from ../shared/corpora into data/raw/articles.jsonl.gz (run once)."""

import argparse
from pathlib import Path

from claimtype.corpora import ARTICLES_FILE, iter_articles
from claimtype.io import write_jsonl_gz

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpora", type=Path, default=Path("../shared/corpora"))
    parser.add_argument("--out", type=Path, default=Path("data") / ARTICLES_FILE)
    args = parser.parse_args()
    articles = list(iter_articles(args.corpora))
    write_jsonl_gz(args.out, articles)
    print(f"wrote {len(articles)} articles to {args.out}")

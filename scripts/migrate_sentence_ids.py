"""One-off migration (Dec 2026): re-key the annotation files after a splitter change
(claimtype.annotation.migrate says why and how)."""

import argparse
from pathlib import Path

from claimtype.annotation.migrate import migrate_sentence_ids
from claimtype.corpora import ARTICLES_FILE

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--annotations", type=Path, default=Path("data/annotations"))
    parser.add_argument("--articles", type=Path, default=Path("data") / ARTICLES_FILE)
    args = parser.parse_args()
    id_map = migrate_sentence_ids(args.annotations, args.articles)
    moved = sum(old != new for old, new in id_map.items())
    print(f"{len(id_map)} annotated sentences, {moved} re-keyed")

"""Turn the shared third-party corpora into the project's article file (``data/raw/articles.jsonl.gz``).

This runs once, by hand (``scripts/prepare_raw.py``); everything else reads ``data/raw/`` so the
project never touches ``../shared`` at run time. One article per distinct text: the disinformation
table repeats each debunk under every case of its fake, so debunks are kept once, under the first
record id that carries them, and the other record ids are listed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

# Corpus name -> (file name, whether its text is about the war in Ukraine / pro-Kremlin narratives).
CORPUS_FILES = {
    "war_news": "war_news_2022.jsonl",
    "disinfo": "disinfo_cases.jsonl",
    "fnc1": "fnc1_articles.jsonl",
    "war_media": "war_media_2022.jsonl",
}
WAR_RELATED = {
    "war_news": True,
    "war_media": True,
    "disinfo_claim": True,
    "disinfo_debunk": True,
    "fnc1": False,
}
# Where the project keeps its copy of the articles (gzip: the war-media corpus alone is 36 MB of text).
ARTICLES_FILE = Path("raw") / "articles.jsonl.gz"


def _read_jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _news_article(record: dict, corpus: str) -> dict:
    """A news record (id, source outlet, title, url, published, text) as an article."""
    return {
        "doc_id": record["id"],
        "corpus": corpus,
        "source_record_ids": [record["id"]],
        "outlet": record["source"],
        "title": record["title"],
        "url": record["url"],
        "published": record["published"],
        "text": record["text"],
    }


def iter_articles(corpora_dir: Path) -> Iterator[dict]:
    """Yield one article dict per distinct text, with provenance."""
    for record in _read_jsonl(corpora_dir / CORPUS_FILES["war_news"]):
        yield _news_article(record, "war_news")
    claims: dict[str, dict] = {}
    debunks: dict[str, dict] = {}
    for record in _read_jsonl(corpora_dir / CORPUS_FILES["disinfo"]):
        for field, kind, seen in (("claim_text", "claim", claims), ("debunk_text", "debunk", debunks)):
            text = record.get(field, "").strip()
            if not text:
                continue
            if text in seen:
                seen[text]["source_record_ids"].append(record["id"])
                continue
            seen[text] = {
                "doc_id": f"{record['id']}#{kind}",
                "corpus": f"disinfo_{kind}",
                "source_record_ids": [record["id"]],
                "outlet": record["media"] if kind == "claim" else "",
                "title": record["fake"],
                "url": record["url"] if kind == "claim" else "",
                "published": record["date"],
                "text": text,
            }
    yield from claims.values()
    yield from debunks.values()
    for record in _read_jsonl(corpora_dir / CORPUS_FILES["fnc1"]):
        yield {
            "doc_id": record["id"],
            "corpus": "fnc1",
            "source_record_ids": [record["id"]],
            "outlet": "",
            "title": "",
            "url": "",
            "published": "",
            "text": record["text"],
        }
    for record in _read_jsonl(corpora_dir / CORPUS_FILES["war_media"]):
        # Where the upstream row was read (repository, file, commit): provenance kept verbatim.
        origin = {k: record[k] for k in ("origin_repo", "origin_path", "origin_commit")}
        yield {**_news_article(record, "war_media"), "origin": origin}

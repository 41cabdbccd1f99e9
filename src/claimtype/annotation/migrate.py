"""Re-keying annotation files after a splitter change (the one-off migration of Dec 2026).

The boilerplate filter used to drop news sentences that begin like boilerplate ("By Friday, ...",
photo captions); keeping them shifts the sentence index, and so the id, of later sentences in 39
annotated articles. Each annotated sentence is found again by its character span in the article
(the spans did not change), and every file that names it is rewritten with the new id, index and
previous sentence. A span that the splitter no longer yields stops the migration.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from claimtype.annotation.packets import render_batch, render_sample
from claimtype.corpora import ARTICLES_FILE
from claimtype.data import sentence_rows
from claimtype.io import atomic_write_text, read_jsonl, write_jsonl


def rekey_rows(rows: list[dict], by_span: dict) -> tuple[list[dict], dict[str, str]]:
    """``rows`` with the id, index and previous sentence the splitter now gives their span
    (``by_span``: (doc_id, start, end) -> sentence row), and old id -> new id."""
    new_rows, id_map = [], {}
    for row in rows:
        fresh = by_span.get((row["doc_id"], row["start"], row["end"]))
        if fresh is None:
            raise ValueError(f"{row['sentence_id']} ({row['text'][:60]!r}) is no longer a sentence")
        id_map[row["sentence_id"]] = fresh["sentence_id"]
        new_rows.append({**row, **{k: fresh[k] for k in ("sentence_id", "sentence_index", "prev_text")}})
    return new_rows, id_map


def rekey_tsv(path: Path, id_map: dict[str, str]) -> None:
    """Rewrite the sentence ids of a label file in place (comments and other columns kept)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    with path.open(encoding="utf-8") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if row and not row[0].startswith("#"):
                row[0] = id_map.get(row[0], row[0])
            writer.writerow(row)
    atomic_write_text(path, out.getvalue())


def migrate_sentence_ids(
    root: Path = Path("data/annotations"), articles: Path = Path("data") / ARTICLES_FILE
) -> dict[str, str]:
    """Re-key the cue-drawn pool, the agreement sample and their label files under ``root``;
    returns old id -> new id of every annotated sentence."""
    pool_paths = sorted((root / "pool").glob("batch_*.jsonl")) + [root / "agreement" / "sample.jsonl"]
    docs = {r["doc_id"] for path in pool_paths for r in read_jsonl(path)}
    by_span = {
        (row["doc_id"], row["start"], row["end"]): row
        for article in read_jsonl(articles)
        if article["doc_id"] in docs
        for row in sentence_rows(article)
    }
    id_map: dict[str, str] = {}
    for path in pool_paths:
        rows, mapping = rekey_rows(list(read_jsonl(path)), by_span)
        id_map.update(mapping)
        write_jsonl(path, rows)
        render = render_batch if path.parent.name == "pool" else render_sample
        atomic_write_text(path.with_suffix(".txt"), render(rows))
    tsvs = [*sorted((root / "first_pass").glob("*.tsv")), root / "agreement" / "second_pass.tsv"]
    for path in [*tsvs, root / "adjudication.tsv"]:
        rekey_tsv(path, id_map)
    return id_map

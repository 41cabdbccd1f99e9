"""One-off migration (Dec 2026): re-key the annotation files after a splitter change.

The boilerplate filter used to drop news sentences that begin like boilerplate ("By Friday, ...",
photo captions); keeping them shifts the sentence index, and so the id, of later sentences in 39
annotated articles. Each annotated sentence is found again by its character span in the article
(the spans did not change), and every file that names it is rewritten with the new id, index and
previous sentence. A span that the splitter no longer yields stops the migration.
"""

import argparse
import csv
import io
from pathlib import Path

from annotation_pool import render

from claimtype.corpora import ARTICLES_FILE
from claimtype.data import sentence_rows
from claimtype.io import atomic_write_text, read_jsonl, write_jsonl


def rekey_rows(rows: list[dict], by_span: dict) -> tuple[list[dict], dict[str, str]]:
    new_rows, id_map = [], {}
    for row in rows:
        fresh = by_span.get((row["doc_id"], row["start"], row["end"]))
        if fresh is None:
            raise SystemExit(f"error: {row['sentence_id']} ({row['text'][:60]!r}) is no longer a sentence")
        id_map[row["sentence_id"]] = fresh["sentence_id"]
        new_rows.append({**row, **{k: fresh[k] for k in ("sentence_id", "sentence_index", "prev_text")}})
    return new_rows, id_map


def rekey_tsv(path: Path, id_map: dict[str, str]) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    with path.open(encoding="utf-8") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if row and not row[0].startswith("#"):
                row[0] = id_map.get(row[0], row[0])
            writer.writerow(row)
    atomic_write_text(path, out.getvalue())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--annotations", type=Path, default=Path("data/annotations"))
    args = parser.parse_args()
    root = args.annotations
    pool_paths = sorted((root / "pool").glob("batch_*.jsonl")) + [root / "agreement" / "sample.jsonl"]
    docs = {r["doc_id"] for path in pool_paths for r in read_jsonl(path)}
    by_span = {
        (row["doc_id"], row["start"], row["end"]): row
        for article in read_jsonl(Path("data") / ARTICLES_FILE)
        if article["doc_id"] in docs
        for row in sentence_rows(article)
    }
    id_map: dict[str, str] = {}
    for path in pool_paths:
        rows, mapping = rekey_rows(list(read_jsonl(path)), by_span)
        id_map.update(mapping)
        write_jsonl(path, rows)
        if path.parent.name == "pool":
            atomic_write_text(path.with_suffix(".txt"), render(rows))
        else:
            atomic_write_text(
                path.with_suffix(".txt"),
                "".join(
                    f"[{r['sentence_id']}] ({r['corpus']})\n  PREV: {r['prev_text'] or '(none: first sentence)'}\n"
                    f"  TEXT: {r['text']}\n"
                    for r in rows
                ),
            )
    tsvs = [*sorted((root / "first_pass").glob("*.tsv")), root / "agreement" / "second_pass.tsv"]
    for path in [*tsvs, root / "adjudication.tsv"]:
        rekey_tsv(path, id_map)
    moved = sum(old != new for old, new in id_map.items())
    print(f"{len(id_map)} annotated sentences, {moved} re-keyed")

"""The gold corpus: every annotation source merged into ``gold.jsonl``, with the audit's changes.

Labels only ever come from annotators' files; this module decides which file's label a sentence
gets (first pass, adjudication, audit, the complete articles' two passes, an exchange) and locates
the claim source an annotator named in the article.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from claimtype.annotation.packets import SKIP, UNNAMED, WRITER, read_label_file
from claimtype.corpora import ARTICLES_FILE
from claimtype.data import GOLD_FIELDS
from claimtype.io import atomic_write_text, read_jsonl, write_jsonl

# How a gold row's sentence came to be read (the splits depend on it: validation and test hold
# complete articles only).
DRAW_CUE_POOL, DRAW_COMPLETE, DRAW_EXCHANGE = "cue-pool", "complete-article", "exchange"
DRAWS = (DRAW_CUE_POOL, DRAW_COMPLETE, DRAW_EXCHANGE)
SOURCE_FIELDS = ("source_kind", "source_text", "source_start", "source_end")
AUDIT_COLUMNS = ("sentence_id", "old_label", "new_label", "flagged_by", "reason")


def locate_source(text: str, start: int, end: int, source: str) -> tuple[int, int] | None:
    """Character span in the article of the source words an annotator copied for the sentence at
    ``text[start:end]``: inside the sentence first, else the nearest mention before it, else after.
    ``None`` for ``writer`` / ``unnamed`` or words that are not in the article."""
    if source.lower() in (WRITER, UNNAMED, "") or source not in text:
        return None
    inside = text.find(source, start, end)
    if inside >= 0:
        return inside, inside + len(source)
    before = text.rfind(source, 0, end)
    if before >= 0:
        return before, before + len(source)
    after = text.find(source, start)
    return (after, after + len(source)) if after >= 0 else None


def source_fields(article_text: str, row: dict, source: str) -> dict:
    """The gold row's claim-source fields for an annotator's source column."""
    kind = source.lower() if source.lower() in (WRITER, UNNAMED) else "span"
    span = locate_source(article_text, row["start"], row["end"], source) if kind == "span" else None
    return {
        "source_kind": kind,
        "source_text": source if kind == "span" else "",
        "source_start": span[0] if span else None,
        "source_end": span[1] if span else None,
    }


def _packets(folder: Path, prefix: str) -> list[Path]:
    return sorted(folder.glob(f"{prefix}*.jsonl"))


def _gold_row(row: dict, label: str, annotator: str, draw: str, source: dict | None = None) -> dict:
    return {
        **{k: row[k] for k in GOLD_FIELDS if k in row},
        "label": label,
        "annotator": annotator,
        "draw": draw,
        **(source or dict.fromkeys(SOURCE_FIELDS)),
    }


def audit_changes(root: Path) -> list[dict]:
    """The audit's changes: every reviewed row whose label the reviewer changed, with the reason
    and why the audit picked it (``root`` is data/annotations/; the audit is in ``root/audit/``)."""
    changes = []
    for packet in _packets(root / "audit" / "packets", "a"):
        review = read_label_file(root / "audit" / "reviews" / f"{packet.stem}.tsv")
        for row in read_jsonl(packet):
            new, reason = review[row["sentence_id"]]
            if new != row["label"]:
                changes.append(
                    {
                        "sentence_id": row["sentence_id"],
                        "old_label": row["label"],
                        "new_label": new,
                        "flagged_by": row["audit_reason"],
                        "reason": reason,
                    }
                )
    return changes


def complete_labels(root: Path) -> dict[str, dict]:
    """sentence_id -> the two passes' labels and sources and the final label of every sentence of
    the complete articles (agreed, or adjudicated where the passes differ)."""
    folder = root / "complete"
    adjudicated = (
        read_label_file(folder / "adjudication.tsv") if (folder / "adjudication.tsv").is_file() else {}
    )
    out = {}
    for packet in _packets(folder / "packets", "p"):
        first = read_label_file(folder / "pass1" / f"{packet.stem}.tsv", with_source=True)
        second = read_label_file(folder / "pass2" / f"{packet.stem}.tsv", with_source=True)
        for row in read_jsonl(packet):
            sid = row["sentence_id"]
            if sid not in first or sid not in second:
                raise ValueError(f"{packet.stem}: {sid} lacks a label in pass1 or pass2")
            (a, source_a), (b, source_b) = first[sid], second[sid]
            if a == b:
                final, how = a, "complete-agreed"
            elif sid in adjudicated:
                final, how = adjudicated[sid][0], "complete-adjudicated"
            else:
                raise ValueError(f"{sid}: the passes disagree ({a} / {b}) and it is not adjudicated")
            out[sid] = {
                "row": row,
                "pass1": (a, source_a),
                "pass2": (b, source_b),
                "label": final,
                "annotator": how,
            }
    return out


def build_gold_rows(root: Path, article_texts: dict[str, str]) -> tuple[list[dict], dict]:
    """Merge every annotation source into gold rows (labels only ever from annotators' files).

    1. cue-pool batches (first pass, agreement adjudication), with the consistency audit's changes;
       rows of articles that were later annotated whole are left to step 2;
    2. complete articles: the agreed or adjudicated label of every sentence, with its claim source
       (first pass's) located in the article;
    3. claim/response exchanges (one annotator each).
    Rows labelled ``skip`` (not a sentence making a claim) are left out and counted.
    """
    complete = complete_labels(root)
    complete_docs = {c["row"]["doc_id"] for c in complete.values()}
    changes = (
        {c["sentence_id"]: c for c in audit_changes(root)} if (root / "audit" / "reviews").is_dir() else {}
    )
    adjudicated = read_label_file(root / "adjudication.tsv")
    gold, skipped = [], Counter()
    for pool in _packets(root / "pool", "batch_"):
        batch = pool.stem.split("_")[1]
        labels = read_label_file(root / "first_pass" / f"{pool.stem}.tsv")
        for row in read_jsonl(pool):
            sid = row["sentence_id"]
            if row["doc_id"] in complete_docs:
                continue
            label, annotator = labels[sid][0], f"annotator-{batch}"
            if sid in adjudicated:
                label, annotator = adjudicated[sid][0], "adjudicated"
            if sid in changes:
                label, annotator = changes[sid]["new_label"], "audit"
            if label == SKIP:
                skipped[DRAW_CUE_POOL] += 1
                continue
            gold.append(_gold_row(row, label, annotator, DRAW_CUE_POOL))
    for entry in complete.values():
        row, label = entry["row"], entry["label"]
        if label == SKIP:
            skipped[DRAW_COMPLETE] += 1
            continue
        source = source_fields(article_texts[row["doc_id"]], row, entry["pass1"][1])
        gold.append(_gold_row(row, label, entry["annotator"], DRAW_COMPLETE, source))
    for packet in _packets(root / "exchanges" / "packets", "e"):
        label_path = root / "exchanges" / "labels" / f"{packet.stem}.tsv"
        if not label_path.is_file():
            continue
        labels = read_label_file(label_path)
        for row in read_jsonl(packet):
            label = labels[row["sentence_id"]][0]
            if label == SKIP:
                skipped[DRAW_EXCHANGE] += 1
                continue
            gold.append(_gold_row(row, label, f"exchange-{packet.stem}", DRAW_EXCHANGE))
    ids = Counter(r["sentence_id"] for r in gold)
    repeated = [sid for sid, n in ids.items() if n > 1]
    if repeated:
        raise ValueError(f"sentences with two gold rows: {repeated[:5]}")
    return gold, {"skipped": dict(skipped), "audit_changes": list(changes.values())}


def write_gold(
    root: Path = Path("data/annotations"), articles: Path = Path("data") / ARTICLES_FILE
) -> tuple[list[dict], dict]:
    """Build the gold rows and write ``root/gold.jsonl`` and the audit's change list ``root/audit.tsv``
    (both derived files: never edited by hand). ``articles`` gives the complete articles' texts, in
    which the claim sources are located. Returns what ``build_gold_rows`` returns."""
    complete_docs = {r["doc_id"] for r in read_jsonl(root / "complete" / "drawn.jsonl")}
    texts = {a["doc_id"]: a["text"] for a in read_jsonl(articles) if a["doc_id"] in complete_docs}
    gold, report = build_gold_rows(root, texts)
    write_jsonl(root / "gold.jsonl", gold)
    lines = ["\t".join(AUDIT_COLUMNS)]
    lines += ["\t".join(" ".join(str(c[k]).split()) for k in AUDIT_COLUMNS) for c in report["audit_changes"]]
    atomic_write_text(root / "audit.tsv", "\n".join(lines) + "\n")
    return gold, report

"""The files annotators work with: the packets they read (rendered here) and the label files they
return (read and checked here). Labels only ever come from annotators reading the sentences against
docs/annotation_guidelines.md.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from claimtype.io import read_jsonl
from claimtype.labels import check_label

SKIP = "skip"  # an annotator's decision that a row is not a sentence making a claim
WRITER, UNNAMED = "writer", "unnamed"  # claim sources that are not words of the article


def read_label_file(path: Path, with_source: bool = False) -> dict[str, tuple[str, str]]:
    """sentence_id -> (label, source) from ``sentence_id<TAB>label[<TAB>source]`` lines.

    A label is one of the four labels or ``skip`` (not a sentence); with ``with_source`` every
    labelled row needs its source column (``writer``, ``unnamed`` or words from the article).
    """
    labels: dict[str, tuple[str, str]] = {}
    with path.open(encoding="utf-8") as handle:
        for number, row in enumerate(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE), 1):
            if not row or not row[0].strip() or row[0].startswith("#"):
                continue
            if len(row) < 2:
                raise ValueError(f"{path}:{number}: expected sentence_id<TAB>label")
            sentence_id, label = row[0].strip(), row[1].strip().lower()
            if label != SKIP:
                check_label(label)
            source = row[2].strip() if len(row) > 2 else ""
            if with_source and label != SKIP and not source:
                raise ValueError(f"{path}:{number}: {sentence_id} has no source column")
            if sentence_id in labels and labels[sentence_id][0] != label:
                raise ValueError(f"{path}:{number}: {sentence_id} labelled twice, differently")
            labels[sentence_id] = (label, source)
    return labels


def pack(items: list[tuple[str, int]], size: int) -> list[list[str]]:
    """Group (key, weight) items, in order, into packets of about ``size`` weight each (one
    annotator's sitting); a last packet under a third of ``size`` joins the one before."""
    packets: list[list[str]] = [[]]
    weights = [0]
    for key, n in items:
        if weights[-1] and weights[-1] + n > size:
            packets.append([])
            weights.append(0)
        packets[-1].append(key)
        weights[-1] += n
    if len(packets) > 1 and weights[-1] < size / 3:
        last = packets.pop()
        packets[-1].extend(last)
    return packets


def render_batch(rows: list[dict]) -> str:
    """A cue-drawn pool batch: sentences grouped by document, each with its previous sentence."""
    lines, doc = [], None
    for row in rows:
        if row["doc_id"] != doc:
            doc = row["doc_id"]
            lines.append(f"\n=== DOCUMENT {doc} ({row['corpus']}) ===")
        lines.append(
            f"[{row['sentence_id']}]\n  PREV: {row['prev_text'] or '(none: first sentence)'}\n  TEXT: {row['text']}"
        )
    return "\n".join(lines) + "\n"


def render_sample(rows: list[dict]) -> str:
    """The double-annotation sample: each sentence with its corpus and previous sentence, no label."""
    return "".join(
        f"[{r['sentence_id']}] ({r['corpus']})\n  PREV: {r['prev_text'] or '(none: first sentence)'}\n"
        f"  TEXT: {r['text']}\n"
        for r in rows
    )


def render_article(article: dict, rows: list[dict]) -> str:
    """The whole article, one numbered sentence a line, with its title and outlet."""
    head = f"=== ARTICLE {article['doc_id']} | {article.get('outlet') or article['corpus']}"
    if article.get("published"):
        head += f" | {article['published']}"
    lines = [head + " ===", f"TITLE: {article.get('title') or '(none)'}"]
    lines += [f"[{row['sentence_id']}] {row['text']}" for row in rows]
    return "\n".join(lines) + "\n"


def render_exchange(number: int, article: dict, rows: list[dict], targets: set[str]) -> str:
    """A claim/response exchange: a window of the article, the sentences to label marked with >>."""
    lines = [
        f"=== EXCHANGE {number} | article {article['doc_id']} | {article.get('outlet') or article['corpus']} ===",
        f"TITLE: {article.get('title') or '(none)'}",
    ]
    for row in rows:
        mark = ">>" if row["sentence_id"] in targets else "  "
        lines.append(f"{mark} [{row['sentence_id']}] {row['text']}")
    return "\n".join(lines) + "\n"


def render_audit_row(row: dict, window: list[dict], number: int) -> str:
    """An audited gold row in its article window, with the label it has now (the reviewer may keep it)."""
    lines = [f"=== ROW {number} | {row['doc_id']} ({row['corpus']}) | current label: {row['label']} ==="]
    for w in window:
        mark = ">>" if w["sentence_id"] == row["sentence_id"] else "  "
        lines.append(f"{mark} [{w['sentence_id']}] {w['text']}")
    return "\n".join(lines) + "\n"


def adjudication_packet(complete: Path, seed: int) -> list[str]:
    """The adjudicator's view of the complete articles (``complete`` is data/annotations/complete/):
    every sentence the two passes labelled differently, in its article window, with both labels as
    annotator A and B in a seeded random order, so the adjudicator cannot tell which pass is which.
    One block per disagreement."""
    rng = random.Random(seed)
    blocks = []
    for packet in sorted((complete / "packets").glob("p*.jsonl")):
        rows = list(read_jsonl(packet))
        first = read_label_file(complete / "pass1" / f"{packet.stem}.tsv", with_source=True)
        second = read_label_file(complete / "pass2" / f"{packet.stem}.tsv", with_source=True)
        for k, row in enumerate(rows):
            a, b = first[row["sentence_id"]][0], second[row["sentence_id"]][0]
            if a == b:
                continue
            if rng.random() < 0.5:
                a, b = b, a
            window = [r for r in rows[max(0, k - 3) : k + 2] if r["doc_id"] == row["doc_id"]]
            lines = [f"=== {row['sentence_id']} | annotator A: {a} | annotator B: {b} ==="]
            lines += [
                f"{'>>' if w['sentence_id'] == row['sentence_id'] else '  '} [{w['sentence_id']}] {w['text']}"
                for w in window
            ]
            blocks.append("\n".join(lines) + "\n")
    return blocks

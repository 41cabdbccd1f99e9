"""Annotation tooling for complete articles and claim/response exchanges.

Which articles and exchanges are read is decided here (seeded draws); *labels* only ever come from
annotators reading the sentences against docs/annotation_guidelines.md. The files an annotator
sees are rendered here, and the label files they return are read and checked here.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from pathlib import Path

from claimtype.data import GOLD_FIELDS, sentence_rows
from claimtype.io import read_jsonl
from claimtype.labels import check_label

SKIP = "skip"
WRITER, UNNAMED = "writer", "unnamed"

# --- drawing complete articles ----------------------------------------------------------------------


def outlet_quotas(outlet_sizes: dict[str, int], total: int, fixed: dict[str, int]) -> dict[str, int]:
    """Articles per outlet: ``fixed`` outlets get their number, the rest share what is left in
    proportion to their size (largest remainder), at least one each."""
    rest = {o: n for o, n in outlet_sizes.items() if o not in fixed}
    left = total - sum(fixed.values())
    exact = {o: left * n / sum(rest.values()) for o, n in rest.items()}
    quotas = {o: max(1, int(share)) for o, share in exact.items()}
    by_remainder = sorted(rest, key=lambda o: (-(exact[o] - int(exact[o])), o))
    for outlet in by_remainder[: max(0, left - sum(quotas.values()))]:
        quotas[outlet] += 1
    return {**fixed, **quotas}


def draw_complete_articles(
    articles: list[dict],
    quotas: dict[str, int],
    seed: int,
    min_sentences: int,
    max_sentences: int,
) -> list[dict]:
    """A seeded random draw of whole articles within outlet strata, never by what they contain.

    Articles are visited in a seeded random order per outlet; one is taken when its sentence count
    lies in [min_sentences, max_sentences] (annotation cost) and its title was not taken already
    (wire copy appears under several outlets).
    """
    by_outlet: dict[str, list[dict]] = {}
    for article in sorted(articles, key=lambda a: a["doc_id"]):
        by_outlet.setdefault(article["outlet"], []).append(article)
    rng = random.Random(seed)
    chosen, titles = [], set()
    for outlet in sorted(quotas):
        candidates = by_outlet[outlet][:]
        rng.shuffle(candidates)
        taken = 0
        for article in candidates:
            if taken == quotas[outlet]:
                break
            n = len(sentence_rows(article))
            if not min_sentences <= n <= max_sentences or article["title"] in titles:
                continue
            titles.add(article["title"])
            chosen.append(article)
            taken += 1
    return chosen


# --- what the annotator reads -----------------------------------------------------------------------


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


# --- what the annotator returns ---------------------------------------------------------------------


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


def span_agreement(pairs: list[tuple[dict, dict]]) -> dict[str, float]:
    """Exact and overlapping agreement of two annotators' claim sources, over sentences both
    labelled: same kind (writer / unnamed) or, for spans, the same or an overlapping span."""
    exact = overlap = 0
    for a, b in pairs:
        if a["source_kind"] != b["source_kind"]:
            continue
        if a["source_kind"] != "span":
            exact += 1
            overlap += 1
            continue
        if a["source_start"] is None or b["source_start"] is None:
            continue
        if (a["source_start"], a["source_end"]) == (b["source_start"], b["source_end"]):
            exact += 1
        if a["source_start"] < b["source_end"] and b["source_start"] < a["source_end"]:
            overlap += 1
    n = len(pairs)
    return {"sentences": n, "exact": exact / n if n else 0.0, "overlap": overlap / n if n else 0.0}


def pack(items: list[tuple[str, int]], size: int) -> list[list[str]]:
    """Group (key, weight) items, in order, into packets of about ``size`` weight each; a last
    packet under a third of ``size`` joins the one before."""
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


# --- the gold corpus ---------------------------------------------------------------------------------

# How a gold row's sentence came to be read (the splits depend on it: validation and test hold
# complete articles only).
DRAW_CUE_POOL, DRAW_COMPLETE, DRAW_EXCHANGE = "cue-pool", "complete-article", "exchange"
SOURCE_FIELDS = ("source_kind", "source_text", "source_start", "source_end")


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
    and why the audit picked it (data/annotations/audit/)."""
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

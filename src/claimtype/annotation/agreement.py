"""How far independent annotators agree: Cohen's κ overall and per label, and on claim sources."""

from __future__ import annotations

import random
from collections import defaultdict
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

from claimtype.annotation.gold import source_fields
from claimtype.annotation.packets import SKIP, read_label_file
from claimtype.io import read_jsonl
from claimtype.labels import LABELS


def kappa(a: list[str], b: list[str]) -> float:
    """Cohen's κ of two annotators' labels of the same items (chance-corrected agreement)."""
    return float(cohen_kappa_score(a, b))


def per_label_kappa(a: list[str], b: list[str]) -> list[tuple[str, int, int, float]]:
    """(label, count in ``a``, count in ``b``, κ of that label against the rest) for each label and
    ``skip`` that either annotator used."""
    rows = []
    for label in [*LABELS, SKIP]:
        if label in a or label in b:
            k = kappa([x == label for x in a], [y == label for y in b])
            rows.append((label, a.count(label), b.count(label), k))
    return rows


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


def source_pairs(decided: dict[str, dict], texts: dict[str, str]) -> list[tuple[dict, dict]]:
    """Both passes' claim-source fields of each complete-article sentence that neither pass skipped
    (``decided``: ``gold.complete_labels``; ``texts``: doc_id -> article text)."""
    pairs = []
    for d in decided.values():
        if SKIP in (d["pass1"][0], d["pass2"][0]):
            continue
        text = texts[d["row"]["doc_id"]]
        pairs.append(
            (source_fields(text, d["row"], d["pass1"][1]), source_fields(text, d["row"], d["pass2"][1]))
        )
    return pairs


def pool_sample_labels(annotations: Path) -> tuple[list[str], list[str]]:
    """The cue-drawn pool's double-annotated sample (``annotations/agreement/``): the first-pass and
    the second-pass label of each sampled sentence, in sample order."""
    sample = list(read_jsonl(annotations / "agreement" / "sample.jsonl"))
    first: dict[str, str] = {}
    for path in sorted((annotations / "first_pass").glob("batch_*.tsv")):
        first.update({k: v[0] for k, v in read_label_file(path).items()})
    second = {k: v[0] for k, v in read_label_file(annotations / "agreement" / "second_pass.tsv").items()}
    return [first[r["sentence_id"]] for r in sample], [second[r["sentence_id"]] for r in sample]


def draw_agreement_sample(annotations: Path, per_label: int, batches: list[str], seed: int) -> list[dict]:
    """The double-annotation sample: ``per_label`` pool rows of each first-pass label from the named
    pool batches, drawn and then shuffled with ``seed`` (the second annotator never sees the label)."""
    rng = random.Random(seed)
    by_label: dict[str, list[dict]] = defaultdict(list)
    for batch in batches:
        labels = {
            k: v[0] for k, v in read_label_file(annotations / "first_pass" / f"batch_{batch}.tsv").items()
        }
        for row in read_jsonl(annotations / "pool" / f"batch_{batch}.jsonl"):
            if labels.get(row["sentence_id"]) in LABELS:
                by_label[labels[row["sentence_id"]]].append(row)
    sample = [row for label in LABELS for row in rng.sample(by_label[label], per_label)]
    rng.shuffle(sample)
    return sample

"""The consistency audit: which existing gold rows are re-read (data/annotations/audit/).

Two reasons to re-read a row, both recorded per row:
1. cleanlab's ``find_label_issues`` flags it, from out-of-fold predicted probabilities (5 folds,
   split by article: no article is both trained on and scored). The fold model is a logistic
   regression on frozen MiniLM sentence embeddings of the sentence and of its previous sentence:
   fast on a CPU, and independent of the fine-tuned classifier.
2. It carries one of the specification's typical cues, or "evidence" at all (the specification's
   clarified "no evidence" rule).

Rows of war-news articles are left out: those articles are re-annotated whole, twice. The reviewer
sees each row in its article window with its current label and writes the label it should have.
cleanlab is the optional ``annotation`` extra (``pip install -e ".[annotation]"``).
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from tqdm import tqdm
from transformers import AutoModel, AutoTokenizer

from claimtype.annotation.packets import pack, render_audit_row
from claimtype.data import sentence_rows
from claimtype.io import atomic_write_text, read_jsonl, write_jsonl
from claimtype.labels import LABEL2ID, LABELS
from claimtype.modeling import resolve_model_path

SPEC_CUES = (
    "for its part",
    "disputed",
    "insisted",
    "countered",
    "staged",
    "claimed",
    "admitted",
    "no evidence",
    "denied",
)
PACKET_ROWS = 300


@torch.inference_mode()
def embed(texts: list[str], batch_size: int = 64) -> np.ndarray:
    """Mean-pooled, normalised MiniLM embeddings (the packaged base checkpoint, not fine-tuned)."""
    path = resolve_model_path("default")
    tokenizer, model = AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval()
    out = []
    for i in tqdm(range(0, len(texts), batch_size), desc="embedding", unit="batch"):
        batch = tokenizer(
            texts[i : i + batch_size], padding=True, truncation=True, max_length=128, return_tensors="pt"
        )
        hidden = model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)
        out.append(torch.nn.functional.normalize(pooled, dim=-1).numpy())
    return np.concatenate(out)


def out_of_fold_probabilities(rows: list[dict], seed: int) -> np.ndarray:
    """Each row's label probabilities from a fold model that never saw the row's article."""
    features = np.hstack([embed([r["text"] for r in rows]), embed([r["prev_text"] or "" for r in rows])])
    labels = np.array([LABEL2ID[r["label"]] for r in rows])
    groups = [r["doc_id"] for r in rows]
    probabilities = np.zeros((len(rows), len(LABELS)))
    folds = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=seed)
    for train, held in folds.split(features, labels, groups):
        model = LogisticRegression(max_iter=2000, C=2.0, class_weight="balanced")
        model.fit(features[train], labels[train])
        probabilities[held] = model.predict_proba(features[held])
    return probabilities


def cue_reason(text: str) -> str | None:
    """``cue: ...`` naming the specification cues in ``text`` (and "evidence" at all), or None."""
    lowered = text.lower()
    cues = [c for c in SPEC_CUES if c in lowered] + (["evidence"] if "evidence" in lowered else [])
    return "cue: " + ", ".join(dict.fromkeys(cues)) if cues else None


def audit_rows(gold: list[dict], seed: int) -> tuple[list[dict], dict[str, int]]:
    """The rows to re-read, each with its ``audit_reason``, in a seeded random order, and counts
    (rows audited, flagged by cleanlab, with a cue). War-news rows are left out."""
    from cleanlab.filter import find_label_issues  # the optional `annotation` extra

    gold = [r for r in gold if r["corpus"] != "war_news"]
    probabilities = out_of_fold_probabilities(gold, seed)
    labels = np.array([LABEL2ID[r["label"]] for r in gold])
    flagged = set(
        find_label_issues(labels, probabilities, filter_by="prune_by_noise_rate").nonzero()[0].tolist()
    )
    reasons = {}
    for i, row in enumerate(gold):
        why = []
        if i in flagged:
            predicted = LABELS[int(probabilities[i].argmax())]
            why.append(
                f"cleanlab (p[{row['label']}]={probabilities[i][labels[i]]:.2f}, predicted {predicted})"
            )
        cue = cue_reason(row["text"])
        if cue:
            why.append(cue)
        if why:
            reasons[row["sentence_id"]] = "; ".join(why)
    chosen = [{**r, "audit_reason": reasons[r["sentence_id"]]} for r in gold if r["sentence_id"] in reasons]
    random.Random(seed).shuffle(chosen)
    counts = {
        "audited": len(gold),
        "flagged": len(flagged),
        "cue": sum("cue" in w for w in reasons.values()),
    }
    return chosen, counts


def write_audit_packets(rows: list[dict], articles: Path, out: Path) -> int:
    """``packets/aNN.jsonl`` (the rows with their audit reason) and ``packets/aNN.txt`` (each row in
    its article window), PACKET_ROWS rows each. Returns the packet count."""
    docs = {r["doc_id"] for r in rows}
    article_rows = {a["doc_id"]: sentence_rows(a) for a in read_jsonl(articles) if a["doc_id"] in docs}
    by_id = {r["sentence_id"]: r for r in rows}
    packets = pack([(r["sentence_id"], 1) for r in rows], PACKET_ROWS)
    for index, ids in enumerate(packets, 1):
        name = f"a{index:02d}"
        packet = [by_id[s] for s in ids]
        write_jsonl(out / "packets" / f"{name}.jsonl", packet)
        blocks = []
        for number, row in enumerate(packet, 1):
            sentences = article_rows[row["doc_id"]]
            k = row["sentence_index"]
            blocks.append(render_audit_row(row, sentences[max(0, k - 2) : k + 2], number))
        atomic_write_text(out / "packets" / f"{name}.txt", "\n".join(blocks))
    return len(packets)

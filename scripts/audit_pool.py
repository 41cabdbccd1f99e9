"""Choose the existing gold rows to re-read in the consistency audit (data/annotations/audit/).

Two reasons to re-read a row, both recorded per row:
1. cleanlab's ``find_label_issues`` flags it, from out-of-fold predicted probabilities (5 folds,
   split by article: no article is both trained on and scored). The fold model is a logistic
   regression on frozen MiniLM sentence embeddings of the sentence and of its previous sentence:
   fast on a CPU, and independent of the fine-tuned classifier.
2. It carries one of the specification's typical cues ("for its part", "disputed", "insisted",
   "countered", "staged", "claimed", "admitted", "no evidence", "denied"), or "evidence" at all
   (the specification's clarified "no evidence" rule).

Rows of war-news articles are left out: those articles are re-annotated whole, twice. The reviewer
sees each row in its article window with its current label and writes the label it should have.
"""

import argparse
import random
from pathlib import Path

import numpy as np
import torch
from cleanlab.filter import find_label_issues
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from tqdm import tqdm
from transformers import AutoModel, AutoTokenizer

from claimtype.annotation import pack
from claimtype.corpora import ARTICLES_FILE
from claimtype.data import load_annotations, sentence_rows
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


def render_row(row: dict, window: list[dict], number: int) -> str:
    lines = [f"=== ROW {number} | {row['doc_id']} ({row['corpus']}) | current label: {row['label']} ==="]
    for w in window:
        mark = ">>" if w["sentence_id"] == row["sentence_id"] else "  "
        lines.append(f"{mark} [{w['sentence_id']}] {w['text']}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gold", type=Path, default=Path("data/annotations/gold.jsonl"))
    parser.add_argument("--articles", type=Path, default=Path("data") / ARTICLES_FILE)
    parser.add_argument("--out", type=Path, default=Path("data/annotations/audit"))
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    gold = [r for r in load_annotations(args.gold) if r["corpus"] != "war_news"]
    probabilities = out_of_fold_probabilities(gold, args.seed)
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
        lowered = row["text"].lower()
        cues = [c for c in SPEC_CUES if c in lowered] + (["evidence"] if "evidence" in lowered else [])
        if cues:
            why.append("cue: " + ", ".join(dict.fromkeys(cues)))
        if why:
            reasons[row["sentence_id"]] = "; ".join(why)
    chosen = [r for r in gold if r["sentence_id"] in reasons]
    random.Random(args.seed).shuffle(chosen)
    docs = {r["doc_id"] for r in chosen}
    article_rows = {a["doc_id"]: sentence_rows(a) for a in read_jsonl(args.articles) if a["doc_id"] in docs}
    packets = pack([(r["sentence_id"], 1) for r in chosen], PACKET_ROWS)
    by_id = {r["sentence_id"]: r for r in chosen}
    for index, ids in enumerate(packets, 1):
        name = f"a{index:02d}"
        rows = [{**by_id[s], "audit_reason": reasons[s]} for s in ids]
        write_jsonl(args.out / "packets" / f"{name}.jsonl", rows)
        blocks = []
        for number, row in enumerate(rows, 1):
            sentences = article_rows[row["doc_id"]]
            k = row["sentence_index"]
            blocks.append(render_row(row, sentences[max(0, k - 2) : k + 2], number))
        atomic_write_text(args.out / "packets" / f"{name}.txt", "\n".join(blocks))
    print(
        f"{len(gold)} rows audited: {len(flagged)} flagged by cleanlab, "
        f"{sum('cue' in w for w in reasons.values())} with a cue, {len(chosen)} to re-read in {len(packets)} packets"
    )

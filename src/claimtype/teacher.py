"""A teacher model's soft labels for unlabelled sentences: the data a fast student distils from.

``claimtype data teacher model_dir=<teacher>`` picks the raw articles of the chosen corpora (in the
order given, ``war_media`` first) that hold no held-out sentence (validation, test, test_cue), labels
them with the batch labeller (resumable: a killed run goes on where it stopped), and writes one row
per sentence that has no gold label, with the teacher's probability of every label:
``annotator: teacher-<run>``, never gold. The dataset builder adds them to train only
(``data.use_teacher=true``), and the training loss fits them with a KL term (``trainer.distill``).
"""

from __future__ import annotations

import json
import logging
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

from claimtype.context import neighbours
from claimtype.data import TEACHER_PREFIX, build_dataset_from_config, load_annotations
from claimtype.io import atomic_write_text, read_jsonl
from claimtype.labels import LABELS

log = logging.getLogger(__name__)


def held_out_documents(data_cfg) -> set[str]:
    """Articles of validation, test and test_cue: the teacher never labels them."""
    dataset = build_dataset_from_config(data_cfg)
    return {doc for split in dataset if split != "train" for doc in dataset[split]["doc_id"]}


def pick_articles(
    articles: Iterable[dict], corpora: list[str], exclude: set[str], max_articles: int | None, seed: int
) -> list[dict]:
    """Articles of ``corpora`` (in that order), none of ``exclude``; a seeded sample of each corpus
    in turn until ``max_articles`` (None: all)."""
    by_corpus: dict[str, list[dict]] = defaultdict(list)
    for article in articles:
        if article["corpus"] in corpora and article["doc_id"] not in exclude:
            by_corpus[article["corpus"]].append(article)
    picked: list[dict] = []
    for corpus in corpora:
        pool = by_corpus[corpus]
        random.Random(seed).shuffle(pool)
        room = len(pool) if max_articles is None else max(max_articles - len(picked), 0)
        picked += pool[:room]
    return picked


def teacher_rows(
    labelled: Iterable[dict], articles: dict[str, dict], gold_ids: set[str], run: str
) -> Iterator[dict]:
    """Labeller rows (one document after another) as teacher rows with the dataset's fields."""
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for row in labelled:
        by_doc[row["doc_id"]].append(row)
    for doc_id, rows in by_doc.items():
        article = articles[doc_id]
        previous, following = neighbours([r["text"] for r in rows])
        for row, prev_text, next_text in zip(rows, previous, following, strict=True):
            sentence_id = f"{doc_id}:{row['sentence_index']}"
            if sentence_id in gold_ids:
                continue
            probs = [row["scores"][label] for label in LABELS]
            total = sum(probs)
            yield {
                "sentence_id": sentence_id,
                "doc_id": doc_id,
                "corpus": article["corpus"],
                "source_record_id": article["source_record_ids"][0],
                "sentence_index": row["sentence_index"],
                "start": row["start"],
                "end": row["end"],
                "text": row["text"],
                "prev_text": prev_text,
                "next_text": next_text,
                "title": article.get("title") or "",
                "label": row["label"],
                "probs": [round(p / total, 6) for p in probs],
                "annotator": f"{TEACHER_PREFIX}{run}",
            }


def make_teacher_labels(cfg, classifier, settings: dict) -> Path:
    """Pick, label (resumably) and convert: writes ``cfg.output`` and returns it."""
    from claimtype import labeller

    work_dir = Path(cfg.work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    exclude = held_out_documents(cfg.data)
    articles = pick_articles(
        read_jsonl(cfg.data.articles_path),
        list(cfg.corpora),
        exclude,
        cfg.max_articles,
        cfg.seed,
    )
    if not articles:
        raise ValueError(f"no article of corpora {list(cfg.corpora)} outside the held-out splits")
    source = work_dir / "articles.jsonl"
    atomic_write_text(
        source,
        "".join(
            json.dumps({"id": a["doc_id"], "text": a["text"], "title": a.get("title") or ""}) + "\n"
            for a in articles
        ),
    )
    labelled_path = work_dir / "labels.jsonl"
    summary = labeller.label_documents(
        classifier,
        labeller.read_documents(str(source), "", "text"),
        labelled_path,
        settings={**settings, "articles": len(articles)},
        total=len(articles),
    )
    log.info("teacher labelling: %s", summary.render())
    gold_ids = {r["sentence_id"] for r in load_annotations(cfg.data.gold_path)}
    by_id = {a["doc_id"]: a for a in articles}
    rows = list(teacher_rows(labeller.read_output_rows(labelled_path), by_id, gold_ids, cfg.run))
    output = Path(cfg.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(output, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    per_corpus = Counter(r["corpus"] for r in rows)
    log.info("teacher rows per corpus: %s", dict(per_corpus))
    return output

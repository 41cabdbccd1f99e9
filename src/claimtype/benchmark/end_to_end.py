"""Scale out: articles to labelled rows end to end, the longest article's split, and the Ray engine.

The articles are a seeded sample of one corpus of the project's article file (data/raw/, written by
claimtype.corpora; ``war_media`` by default: war coverage of 2022, mostly one long line per article).
"""

from __future__ import annotations

import importlib.util
import logging
import random
import statistics
import time
from pathlib import Path

from omegaconf import DictConfig

from claimtype.benchmark.common import CommandFailed, interleaved, label_command, run_logged
from claimtype.benchmark.inference_speed import text_classification_pipeline
from claimtype.benchmark.results import EndToEnd, EngineComparison, EngineRun, SplitTime
from claimtype.corpora import CORPUS_FILES
from claimtype.inference import ClaimTypeClassifier
from claimtype.io import read_jsonl, write_jsonl
from claimtype.labeller import Summary, label_documents, read_documents, read_output_rows
from claimtype.text import split_sentences

log = logging.getLogger(__name__)

LOCAL = "local"


def corpus_articles(articles_path: Path, corpus: str) -> list[dict]:
    """The article file's articles of one corpus, in file order."""
    articles = [record for record in read_jsonl(articles_path) if record["corpus"] == corpus]
    if not articles:
        raise ValueError(
            f"{articles_path} holds no article of corpus {corpus!r} (corpora: {', '.join(CORPUS_FILES)})"
        )
    return articles


def write_archive(articles: list[dict], path: Path) -> Path:
    """The articles as the labeller's .jsonl input (``{"id", "text"}`` records)."""
    write_jsonl(path, ({"id": a["doc_id"], "text": a["text"]} for a in articles))
    return path


def sample_archive(articles: list[dict], n: int, seed: int, path: Path) -> Path:
    """A seeded sample of ``n`` articles (all when there are fewer) written as the labeller's input."""
    return write_archive(random.Random(seed).sample(articles, min(n, len(articles))), path)


def measure_end_to_end(
    classifier: ClaimTypeClassifier,
    model_dir: Path,
    archive: Path,
    corpus: str,
    workdir: Path,
    repeats: int,
    pipeline_batch_size: int,
    inference: DictConfig,
) -> EndToEnd:
    """The local labeller from an article file to its output (read, clean, split, tokenize, model,
    write), against the model alone on the sentences it wrote: ``pipeline`` and ``predict()``.

    An untimed first run warms every cache and gives the sentences; then the three paths are timed
    side by side, ``repeats`` times. The labeller's time includes the sentence splitting that the
    model-only paths are spared, so both ratios are conservative.
    """
    output = workdir / "labels.jsonl"

    def label(_: object = None) -> Summary:
        return label_documents(
            classifier, read_documents(str(archive)), output, progress=False, overwrite=True
        )

    warm = label()
    rows = list(read_output_rows(output))
    texts = [row["text"] for row in rows]
    previous = [
        "" if row["sentence_index"] == 0 else rows[i - 1]["text"] for i, row in enumerate(rows)
    ]  # as the labeller passes them: the previous kept sentence of the same article
    pipe = text_classification_pipeline(model_dir, pipeline_batch_size, classifier.max_length)
    pipe(texts[:pipeline_batch_size])  # warm-up
    runners = {
        "labeller": label,
        "pipeline": lambda _: pipe(texts),
        "predict": lambda _: classifier.predict(texts, previous),
    }
    seconds, _ = interleaved(runners, repeats, desc="end to end")
    medians = {name: statistics.median(values) for name, values in seconds.items()}
    return EndToEnd(
        corpus=corpus,
        articles=warm.documents + warm.skipped,
        skipped_articles=warm.skipped,
        sentences=len(texts),
        repeats=repeats,
        backend=inference.backend,
        quantize=inference.quantize,
        batch_size=inference.batch_size,
        pipeline_batch_size=pipeline_batch_size,
        labeller_seconds=seconds["labeller"],
        pipeline_seconds=seconds["pipeline"],
        predict_seconds=seconds["predict"],
        sentences_per_s=len(texts) / medians["labeller"],
        vs_pipeline=medians["pipeline"] / medians["labeller"],
        vs_predict=medians["predict"] / medians["labeller"],
    )


def measure_split(article: dict, repeats: int) -> SplitTime:
    """``split_sentences`` on one article (a record of the article file), timed ``repeats`` times
    after a small warm-up call."""
    text = article["text"]
    split_sentences(text[:1000])  # pysbd's segmenter is built on first use
    seconds, sentences = [], 0
    for _ in range(repeats):
        started = time.perf_counter()
        sentences = len(split_sentences(text))
        seconds.append(time.perf_counter() - started)
    return SplitTime(
        corpus=article["corpus"],
        doc_id=article["doc_id"],
        characters=len(text),
        longest_line=max(len(line) for line in text.splitlines()),
        sentences=sentences,
        seconds=seconds,
        median_seconds=statistics.median(seconds),
    )


class _LabelRun:
    """One engine's ``claimtype label`` command, run again on each call; a failure is kept (and the
    engine not run again) unless it is the local engine, which every ratio needs."""

    def __init__(self, command: list[str], log_path: Path, root: Path, required: bool):
        self.command, self.log_path, self.root, self.required = command, log_path, root, required
        self.error: str | None = None

    def __call__(self, _: object) -> None:
        if self.error is not None:
            return
        try:
            run_logged(self.command, self.log_path, self.root)
        except CommandFailed as error:
            if self.required:
                raise
            self.error = error.reason
            log.warning("engine run failed: %s", error)


def ray_unavailable() -> str | None:
    """Why the Ray engine cannot run here, or None when ray is importable."""
    if importlib.util.find_spec("ray") is None:
        return "ray is not importable in this environment (`pip install -e '.[ray]'`)"
    return None


def compare_engines(
    model_dir: Path,
    archive: Path,
    workdir: Path,
    root: Path,
    inference: DictConfig,
    concurrency: list[int],
    repeats: int,
) -> EngineComparison:
    """``python -m claimtype label`` with the local engine and with ``engine=ray ray.concurrency=N``
    on the same articles, side by side; wall time of the whole command (process start, model load
    and, for Ray, starting its local cluster included)."""
    with archive.open(encoding="utf-8") as handle:
        articles = sum(1 for _ in handle)
    actors = {LOCAL: None} | {f"ray, {n} actor{'s' if n > 1 else ''}": n for n in concurrency}
    engines = {
        name: [] if n is None else ["engine=ray", f"ray.concurrency={n}"] for name, n in actors.items()
    }
    reason = ray_unavailable()
    if reason is not None:
        runs = [
            EngineRun(name, actors[name], overrides, "skipped", reason)
            for name, overrides in engines.items()
            if overrides
        ]
        return EngineComparison(articles, repeats, runs)
    workdir.mkdir(parents=True, exist_ok=True)
    outputs = {name: workdir / f"labels-{i}.jsonl" for i, name in enumerate(engines)}
    runners = {
        name: _LabelRun(
            label_command(model_dir, archive, outputs[name], inference, *overrides),
            outputs[name].with_suffix(".log"),
            root,
            required=name == LOCAL,
        )
        for name, overrides in engines.items()
    }
    seconds, _ = interleaved(runners, repeats, desc="engines")
    local_median = statistics.median(seconds[LOCAL])
    runs = []
    for name, overrides in engines.items():
        error = runners[name].error
        if error is not None:
            runs.append(EngineRun(name, actors[name], overrides, "failed", error))
            continue
        with outputs[name].open(encoding="utf-8") as handle:
            sentences = sum(1 for _ in handle)
        median = statistics.median(seconds[name])
        runs.append(
            EngineRun(
                name,
                actors[name],
                overrides,
                "measured",
                "",
                seconds[name],
                sentences,
                median,
                local_median / median,
            )
        )
    return EngineComparison(articles, repeats, runs)

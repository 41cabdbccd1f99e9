"""Inference speed: each labeller variant (backend x quantize) against ``transformers.pipeline``.

The variants are every combination of ``claimtype.inference.BACKENDS`` and ``QUANTIZE_MODES`` (or
the subsets the config names); a combination the loader refuses is reported as not run, with its
reason, so new modes and backends are measured without touching the benchmark.
"""

from __future__ import annotations

import itertools
import logging
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from claimtype.benchmark.common import interleaved
from claimtype.benchmark.results import InferenceSpeed, PathTiming
from claimtype.errors import error_line
from claimtype.inference import BACKENDS, QUANTIZE_MODES, ClaimTypeClassifier
from claimtype.labels import LABEL2ID

log = logging.getLogger(__name__)

PIPELINE = "pipeline"


@dataclass(frozen=True)
class Variant:
    """How a checkpoint runs: ``ClaimTypeClassifier.from_pretrained(backend=..., quantize=...)``."""

    backend: str
    quantize: str

    @property
    def name(self) -> str:
        """The report's name: ``fp32``/the mode on the reference backend, else prefixed by the backend."""
        precision = "fp32" if self.quantize == REFERENCE.quantize else self.quantize
        return precision if self.backend == REFERENCE.backend else f"{self.backend} {precision}"

    @property
    def overrides(self) -> str:
        """The command-line settings that select it."""
        return f"inference.backend={self.backend} inference.quantize={self.quantize}"


# The loader's defaults, the exact path whose scores `claimtype evaluate` reports: every other variant's
# macro-F1 is compared with it.
REFERENCE = Variant(backend="torch", quantize="none")


def variants_to_compare(backends: Sequence[str] | None, quantize: Sequence[str] | None) -> list[Variant]:
    """Every backend x quantize combination (None: all that claimtype.inference offers), reference first."""
    chosen = {"backend": list(backends or BACKENDS), "quantize": list(quantize or QUANTIZE_MODES)}
    for key, known in (("backend", BACKENDS), ("quantize", QUANTIZE_MODES)):
        unknown = [value for value in chosen[key] if value not in known]
        if unknown:
            raise ValueError(f"speed.{key}: unknown {', '.join(unknown)} (known: {', '.join(known)})")
    combos = [Variant(b, q) for b, q in itertools.product(chosen["backend"], chosen["quantize"])]
    return [REFERENCE, *(v for v in combos if v != REFERENCE)]


def load_labellers(
    model_dir: Path | str, variants: Sequence[Variant], batch_size: int
) -> tuple[dict[Variant, ClaimTypeClassifier], dict[str, str]]:
    """The variants of a checkpoint that load, and why the others do not (the reference must load)."""
    loaded: dict[Variant, ClaimTypeClassifier] = {}
    not_run: dict[str, str] = {}
    for variant in variants:
        try:
            loaded[variant] = ClaimTypeClassifier.from_pretrained(
                model_dir, quantize=variant.quantize, batch_size=batch_size, backend=variant.backend
            )
        except (ValueError, ImportError) as error:
            if variant == REFERENCE:
                raise
            not_run[variant.name] = error_line(error)
            log.info("variant %s not run: %s", variant.name, not_run[variant.name])
    return loaded, not_run


def text_classification_pipeline(model_dir: Path | str, batch_size: int, max_length: int):
    """``pipeline("text-classification")`` on the checkpoint, as a function of sentences to label ids,
    with the labeller's truncation (the checkpoint's max_length)."""
    from transformers import pipeline

    pipe = pipeline("text-classification", model=str(model_dir), batch_size=batch_size)

    def run(texts: list[str]) -> list[int]:
        return [LABEL2ID[r["label"]] for r in pipe(texts, truncation=True, max_length=max_length)]

    return run


def compare_inference_speed(
    model_dir: Path | str,
    labellers: dict[Variant, ClaimTypeClassifier],
    texts: list[str],
    repeats: int,
    pipeline_batch_size: int = 32,
    chunk: int = 4096,
    not_run: dict[str, str] | None = None,
) -> InferenceSpeed:
    """Time ``pipeline`` and each labeller variant on the same sentences, in one process.

    Each repeat feeds every path the same ``chunk`` sentences in turn, chunk after chunk (smaller
    chunks, e.g. the labeller's flush size of 256, make a slow spell of a shared machine hit all paths
    alike); a repeat's time is a path's sum over its chunks; medians over repeats are compared. Model
    loading is not timed.
    """
    reference = labellers[REFERENCE]
    runners = {PIPELINE: text_classification_pipeline(model_dir, pipeline_batch_size, reference.max_length)}
    for variant, labeller in labellers.items():
        runners[variant.name] = lambda batch, c=labeller: [LABEL2ID[p.label] for p in c.predict(batch)]
    for run in runners.values():
        run(texts[:pipeline_batch_size])  # warm-up: first-call allocations and kernel selection
    chunks = [texts[start : start + chunk] for start in range(0, len(texts), chunk)]
    seconds, outputs = interleaved(runners, repeats, chunks, desc="inference speed")
    labels = {name: np.concatenate(parts) for name, parts in outputs.items()}
    medians = {name: statistics.median(values) for name, values in seconds.items()}
    paths = [
        PathTiming(
            name=name,
            seconds=seconds[name],
            median_seconds=medians[name],
            sentences_per_s=len(texts) / medians[name],
            speedup=None if name == PIPELINE else medians[PIPELINE] / medians[name],
            agreement_with_pipeline=None
            if name == PIPELINE
            else float(np.mean(labels[name] == labels[PIPELINE])),
        )
        for name in runners
    ]
    return InferenceSpeed(
        sentences=len(texts),
        repeats=repeats,
        chunk=chunk,
        pipeline_batch_size=pipeline_batch_size,
        batch_size=reference.batch_size,
        max_length=reference.max_length,
        paths=paths,
        not_run=dict(not_run or {}),
    )

"""``claimtype label engine=ray``: the local labeller's rows and files, with the sentence splitting
and the model spread over a pool of Ray actors, on this machine or on a cluster (``ray.address``).

The driver (this process) cuts the input into shards of ``ray.shard_documents`` consecutive items:
byte ranges of a JSONL file, runs of a directory's files; other inputs (stdin, ``.json``, ``.csv``,
one ``.txt``), read whole by the local engine too, travel inside their shards. A Ray Dataset holds
one row per shard, and ``map_batches`` over an actor pool of ``ShardLabeller`` (each with its own
``ClaimTypeClassifier``) reads a shard, splits its documents and labels their sentences. Results
come back in input order (``preserve_order``) and only the driver writes, through the local
engine's ``labeller.Ledger``: the lock, the ``run.json`` settings check, the SHA-256-verified
resume, the skipped list and the repeated-id check are the same code, so are the files.

Resuming: the actors are told which documents an earlier run (of either engine) finished and do
not split or label them again; their shards are still read, since the driver must see every id to
report a repeated one.

On a cluster the actors read the input and the checkpoint themselves: both must be at the same
path on every node (shared storage).
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from omegaconf import DictConfig, OmegaConf
from tqdm.auto import tqdm

from claimtype import labeller
from claimtype.labeller import Document, Ledger, Skipped, Summary

INSTALL = "pip install 'claimtype[ray]'"


def check_ray(settings: DictConfig) -> None:
    """Before any output: Ray Data must be installed (else one line naming the install command),
    ``ray.num_gpus`` (the one setting that validation's tables cannot hold) must make sense, and a
    local instance must have the CPUs the actors reserve (Ray would wait for them for ever)."""
    try:
        import ray.data  # noqa: F401
    except ImportError:
        raise ValueError(f"engine=ray needs Ray Data, which is not installed: {INSTALL}") from None
    gpus = settings.num_gpus
    if gpus != "auto" and (isinstance(gpus, bool) or not isinstance(gpus, int | float) or gpus < 0):
        raise ValueError(f"ray.num_gpus must be auto or a number at least 0, got {gpus!r}")
    if not settings.address:
        _check_fits(
            "CPU",
            settings,
            settings.concurrency * settings.threads_per_actor,
            settings.num_cpus or os.cpu_count(),
        )


def _check_fits(kind: str, settings: DictConfig, needed: float, available: float) -> None:
    if needed > available:
        raise ValueError(
            f"ray.concurrency={settings.concurrency} actors need {needed:g} {kind}s, but the local "
            f"Ray instance has {available:g}"
        )


def gpus_per_actor(setting: str | float, cluster_gpus: float) -> float:
    """``ray.num_gpus``: ``auto`` is one GPU per actor when the cluster has any, else none."""
    if setting == "auto":
        return 1.0 if cluster_gpus >= 1 else 0.0
    return float(setting)


@dataclass(frozen=True)
class Shard:
    """Consecutive input items that an actor reads by itself: the lines starting in bytes
    ``[start, stop)`` of a JSONL file (``first_line``: the number of the first), some files of a
    directory (``files``, relative to ``path``), or the items themselves."""

    kind: Literal["jsonl", "files", "items"]
    path: str = ""
    start: int = 0
    stop: int = 0
    first_line: int = 1
    files: tuple[str, ...] = ()
    items: tuple[Document | Skipped, ...] = ()

    def read(self, text_field: str) -> Iterator[Document | Skipped]:
        """The shard's items, read by the same functions as ``labeller.read_documents``."""
        if self.kind == "jsonl":
            path = Path(self.path)
            yield from labeller.read_jsonl(path, text_field, self.start, self.stop, self.first_line)
        elif self.kind == "files":
            for name in self.files:
                yield labeller.read_text_file(Path(self.path) / name, name)
        else:
            yield from self.items


def plan_shards(input_path: str, glob: str, text_field: str, size: int) -> Iterator[Shard]:
    """The input as shards of ``size`` items (JSONL: lines), in input order. JSONL files and
    directories are only scanned here; the actors read them."""
    path = Path(input_path)
    if input_path != "-" and path.is_dir():
        names = [file.relative_to(path).as_posix() for file in labeller.list_files(path, glob)]
        for first in range(0, len(names), size):
            yield Shard("files", str(path.resolve()), files=tuple(names[first : first + size]))
    elif input_path != "-" and path.suffix.lower() == ".jsonl":
        start = position = count = 0
        first_line = 1
        with path.open("rb") as handle:
            for line in handle:
                position += len(line)
                count += 1
                if count == size:
                    yield Shard("jsonl", str(path.resolve()), start, position, first_line)
                    start, first_line, count = position, first_line + size, 0
        if count:
            yield Shard("jsonl", str(path.resolve()), start, position, first_line)
    else:
        items = list(labeller.read_documents(input_path, glob, text_field))
        for first in range(0, len(items), size):
            yield Shard("items", items=tuple(items[first : first + size]))


class ShardLabeller:
    """A Ray actor with its own classifier: reads, screens, splits and labels one shard per call and
    returns one JSON result per input item, in order."""

    def __init__(
        self,
        model_dir: str,
        inference: dict,
        text_field: str,
        split: bool,
        min_score: float,
        done_ids: frozenset[str],
    ):
        from claimtype.tasks import load_classifier

        self.classifier = load_classifier(model_dir, OmegaConf.create(inference))
        self.text_field, self.split, self.min_score, self.done_ids = text_field, split, min_score, done_ids

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        results: list[dict] = []
        to_label: list[tuple[dict, Document, list[labeller.Unit]]] = []
        for shard in batch["shard"]:
            for item in pickle.loads(shard).read(self.text_field):
                result = {
                    "document": isinstance(item, Document),
                    "doc_id": item.doc_id,
                    "source": item.source,
                    "reason": item.reason if isinstance(item, Skipped) else None,
                }
                results.append(result)
                if not isinstance(item, Document) or item.doc_id in self.done_ids:
                    continue  # the driver needs no rows: skipped, or written by an earlier run
                screened = labeller.unsplittable(item, self.split)
                if screened is not None:
                    result["reason"] = screened.reason
                    continue
                dropped: list[str] = []
                to_label.append((result, item, labeller.document_units(item, self.split, dropped)))
                result["dropped"] = len(dropped)
        batch_rows = labeller.label_units(
            self.classifier, [(item, units) for _, item, units in to_label], self.split, self.min_score
        )
        for (result, _, _), rows in zip(to_label, batch_rows, strict=True):
            result["rows"] = rows
        return {"result": np.array([json.dumps(r, ensure_ascii=False) for r in results], dtype=object)}


def _record(ledger: Ledger, result: dict) -> None:
    """One item's result, admitted and written by the driver exactly as the local engine would."""
    if result["document"]:
        item: Document | Skipped = Document(result["doc_id"], "", result["source"])
        reason = result["reason"]
        screened = Skipped(result["source"], reason, result["doc_id"]) if reason else None
    else:
        item, screened = Skipped(result["source"], result["reason"], result["doc_id"]), None
    key = ledger.admit(item, screened)
    if key is not None:  # a new document, not repeated nor unsplittable: the actor labelled it
        ledger.summary.boilerplate_dropped += result["dropped"]
        ledger.write_rows(key, result["rows"])


def _start_ray(settings: DictConfig) -> bool:
    """Join the cluster at ``ray.address``, or start a private local instance of Ray; False when this
    process already runs Ray (a notebook, the tests), which is then used as it is and left running."""
    import ray

    if ray.is_initialized():
        return False
    if settings.address:
        ray.init(address=settings.address, logging_level=logging.WARNING)
        return True
    store = settings.object_store_mb * 2**20 if settings.object_store_mb else None
    ray.init(
        address="local",
        num_cpus=settings.num_cpus or None,
        object_store_memory=store,
        include_dashboard=False,
        logging_level=logging.WARNING,
    )
    return True


def _actor_resources(settings: DictConfig) -> dict[str, float]:
    """Each actor's CPUs and GPUs; a local instance too small for the pool is an error, not a hang."""
    import ray

    available = ray.cluster_resources()
    gpus = gpus_per_actor(settings.num_gpus, available.get("GPU", 0.0))
    needs = {"CPU": settings.concurrency * settings.threads_per_actor, "GPU": settings.concurrency * gpus}
    if not settings.address:
        for kind, needed in needs.items():
            _check_fits(kind, settings, needed, available.get(kind, 0.0))
    return {"num_cpus": settings.threads_per_actor, "num_gpus": gpus}


def label_with_ray(
    cfg: DictConfig, settings: dict, total: int | None = None, progress: bool = True
) -> Summary:
    """Label ``cfg.input`` into ``cfg.output`` on Ray (the ``label`` config: input, glob, text_field,
    output, split_sentences, min_score, overwrite, model_dir, inference, ray); resumable, with the
    local engine's checks and files. ``settings`` are recorded as by ``labeller.label_documents``."""
    import ray
    import ray.data

    ledger = Ledger(Path(cfg.output), cfg.overwrite, settings, cfg.split_sentences, cfg.min_score)
    started = time.perf_counter()
    try:
        shards = [
            {"shard": pickle.dumps(shard)}
            for shard in plan_shards(str(cfg.input), cfg.glob, cfg.text_field, cfg.ray.shard_documents)
        ]
        if not shards:
            return ledger.summary
        started_ray = _start_ray(cfg.ray)
        try:
            context = ray.data.DataContext.get_current()
            context.execution_options.preserve_order = True  # the driver writes in input order
            context.enable_progress_bars = False  # ours counts documents
            logging.getLogger("ray.data").setLevel(logging.WARNING)  # no per-run plan and timing lines
            inference = {**OmegaConf.to_container(cfg.inference), "threads": cfg.ray.threads_per_actor}
            dataset = ray.data.from_items(shards, override_num_blocks=len(shards)).map_batches(
                ShardLabeller,
                batch_size=1,
                compute=ray.data.ActorPoolStrategy(size=cfg.ray.concurrency),
                fn_constructor_kwargs={
                    "model_dir": str(Path(cfg.model_dir).resolve()),
                    "inference": inference,
                    "text_field": cfg.text_field,
                    "split": cfg.split_sentences,
                    "min_score": cfg.min_score,
                    "done_ids": frozenset(ledger.done_ids()),
                },
                **_actor_resources(cfg.ray),
            )
            with tqdm(desc="documents", unit="doc", total=total, disable=not progress) as bar:
                for row in dataset.iter_rows():
                    _record(ledger, json.loads(row["result"]))
                    bar.update()
        finally:
            if started_ray:
                ray.shutdown()
    finally:
        ledger.writer.close()
        ledger.summary.seconds = time.perf_counter() - started
    return ledger.summary

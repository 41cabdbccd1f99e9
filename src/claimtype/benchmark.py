"""Benchmarks: baselines side by side on one split, and the labeller's speed, training speed and memory.

Every figure in the report is measured in the run that writes it, with one labelled exception: the
training time of a reused checkpoint is read from its own run's ``metrics.jsonl``. The JSON report
is the source of truth; the Markdown table and ``docs/benchmarks.md`` are rendered from it.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import random
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch
from omegaconf import DictConfig, OmegaConf
from tqdm.auto import tqdm

from claimtype.corpora import ARTICLES_FILE
from claimtype.data import SPLITS, build_dataset_from_config
from claimtype.evaluation import classification_metrics
from claimtype.io import atomic_write_text, read_jsonl, write_jsonl
from claimtype.labels import LABEL2ID, LABELS
from claimtype.modeling import resolve_model_path
from claimtype.rules import rule_predict

log = logging.getLogger(__name__)

# (sentences, previous sentences) -> label ids
Predictor = Callable[[list[str], list[str]], list[int]]


@dataclass
class Method:
    """A trained classifier under test: how it predicts and what its training cost."""

    name: str
    predict: Predictor
    train_seconds: float | None
    note: str = ""


def _texts(rows: Sequence[dict]) -> list[str]:
    return [r["text"] for r in rows]


def _previous(rows: Sequence[dict]) -> list[str]:
    return [r["prev_text"] for r in rows]


def _labels(rows: Sequence[dict]) -> list[int]:
    return [int(r["label"]) for r in rows]


@contextmanager
def quiet_quantization_warnings() -> Iterator[None]:
    """torch.ao's deprecation notices repeat on every int8 load; one run's log needs none of them."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*(torch\.ao\.quantization|quantize_per_tensor).*")
        yield


# --- the methods -----------------------------------------------------------------------------------


def rules_method() -> Method:
    """The labelling functions as a classifier (abstentions become assertion)."""

    def predict(texts: list[str], previous: list[str]) -> list[int]:
        return [LABEL2ID[rule_predict(t, p)] for t, p in zip(texts, previous, strict=True)]

    return Method("rules (`rule_predict`)", predict, None, "no training; an abstention counts as assertion")


def tfidf_pipeline(c: float, seed: int):
    """Word 1-2-gram and char 2-5-gram TF-IDF into a class-balanced logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    features = make_union(
        TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True),
    )
    classifier = LogisticRegression(C=c, class_weight="balanced", max_iter=3000, random_state=seed)
    return make_pipeline(features, classifier)


def tfidf_method(train: list[dict], validation: list[dict], c_values: Sequence[float], seed: int) -> Method:
    """Fit one pipeline per C on train, keep the best on validation macro-F1 (as the transformer's
    early stopping uses validation); the train time covers the whole search."""
    started = time.perf_counter()
    best: tuple[float, float, object] | None = None
    for c in c_values:
        model = tfidf_pipeline(c, seed).fit(_texts(train), _labels(train))
        f1 = classification_metrics(_labels(validation), model.predict(_texts(validation)).tolist())[
            "macro_f1"
        ]
        log.info("TF-IDF + LR, C=%g: validation macro-F1 %.4f", c, f1)
        if best is None or f1 > best[0]:
            best = (f1, c, model)
    if best is None:
        raise ValueError("tfidf.C must list at least one value")
    f1, c, model = best
    return Method(
        f"TF-IDF word + char n-grams + LR (balanced, C={c:g})",
        lambda texts, previous: model.predict(texts).tolist(),
        time.perf_counter() - started,
        f"C picked on validation macro-F1 ({f1:.3f}) from {list(c_values)}",
    )


@torch.inference_mode()
def mean_pooled_embeddings(model, tokenizer, texts: list[str], batch_size: int = 64) -> np.ndarray:
    """L2-normalised mean-pooled last hidden states, as sentence-transformers' MiniLM computes them."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.empty((len(texts), model.config.hidden_size), dtype=np.float32)
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        batch = tokenizer(
            [texts[i] for i in idx], padding=True, truncation=True, max_length=128, return_tensors="pt"
        )
        hidden = model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)
        out[idx] = torch.nn.functional.normalize(pooled, dim=-1).numpy()
    return out


def frozen_encoder_method(base: str, train: list[dict], seed: int, reason: str) -> Method:
    """The base encoder, frozen, with a class-balanced logistic-regression head: SetFit's fallback."""
    from sklearn.linear_model import LogisticRegression
    from transformers import AutoModel, AutoTokenizer

    started = time.perf_counter()
    path = resolve_model_path(base)
    tokenizer, encoder = AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval()
    head = LogisticRegression(class_weight="balanced", max_iter=3000, random_state=seed)
    head.fit(mean_pooled_embeddings(encoder, tokenizer, _texts(train)), _labels(train))

    def predict(texts: list[str], previous: list[str]) -> list[int]:
        return head.predict(mean_pooled_embeddings(encoder, tokenizer, texts)).tolist()

    return Method(
        "frozen base encoder (mean-pooled) + LR (balanced)",
        predict,
        time.perf_counter() - started,
        f"instead of SetFit, which {reason}",
    )


def setfit_unavailable() -> str | None:
    """Why SetFit cannot run here, or None when it can (it is an optional extra)."""
    try:
        import setfit  # noqa: F401
    except ImportError as error:
        return f"is not installed ({error}; `pip install -e '.[setfit]'`)"
    return None


def setfit_method(base: str, train: list[dict], settings: DictConfig, seed: int, workdir: Path) -> Method:
    """SetFit on the base checkpoint: a capped contrastive phase, then a balanced LR head on all of train."""
    from datasets import Dataset
    from setfit import SetFitModel, Trainer, TrainingArguments

    started = time.perf_counter()
    model = SetFitModel.from_pretrained(
        resolve_model_path(base), head_params={"class_weight": "balanced", "max_iter": 3000}
    )
    args = TrainingArguments(
        output_dir=str(workdir),
        batch_size=settings.batch_size,
        num_epochs=1,
        max_steps=settings.max_steps,
        num_iterations=settings.num_iterations,
        seed=seed,
        report_to="none",
        save_strategy="no",
        logging_strategy="no",
    )
    train_set = Dataset.from_dict({"text": _texts(train), "label": _labels(train)})
    Trainer(model=model, args=args, train_dataset=train_set).train()

    def predict(texts: list[str], previous: list[str]) -> list[int]:
        return model.predict(texts, as_numpy=True, show_progress_bar=False).astype(int).tolist()

    return Method(
        "SetFit (base checkpoint, LR head, balanced)",
        predict,
        time.perf_counter() - started,
        f"contrastive phase capped at {settings.max_steps} steps of {settings.batch_size} pairs "
        f"({settings.num_iterations} pair iterations requested)",
    )


def transformer_predictor(classifier) -> Predictor:
    def predict(texts: list[str], previous: list[str]) -> list[int]:
        return classifier.predict_proba(texts, previous).argmax(-1).tolist()

    return predict


def recorded_train_seconds(model_dir: Path) -> tuple[float | None, str]:
    """The reused checkpoint's training time, from its run's metrics.jsonl (validation not included)."""
    path = Path(model_dir).parent / "metrics.jsonl"
    if not path.is_file():
        return None, f"reused {model_dir}; no {path.name} beside it to read its training time from"
    records = list(read_jsonl(path))
    best = max(records, key=lambda r: r.get("val_macro_f1", -1.0))
    epoch_seconds = [r["train_seconds"] for r in records]
    return (
        sum(epoch_seconds),
        f"not re-trained: the time its run recorded in {path} ({len(records)} epochs of "
        f"{min(epoch_seconds):.0f}-{max(epoch_seconds):.0f} s, best at epoch {best['epoch']}; "
        "training only, validation passes excluded)",
    )


def throughput(predict: Predictor, rows: Sequence[dict], repeats: int) -> float:
    """Sentences per second, median of ``repeats`` timed passes after one small warm-up call."""
    texts, previous = _texts(rows), _previous(rows)
    predict(texts[:32], previous[:32])
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        predict(texts, previous)
        seconds.append(time.perf_counter() - started)
    return len(texts) / statistics.median(seconds)


# --- inference speed: the labeller vs transformers.pipeline ----------------------------------------


# The labeller variants under test: row name -> ClaimTypeClassifier (backend, quantize).
LABELLER_VARIANTS = {
    "fp32": ("torch", "none"),
    "int8": ("torch", "int8"),
    "int8-half": ("torch", "int8-half"),
    "onnxruntime int8": ("onnxruntime", "int8"),
}
VARIANT_NOTES = {
    "fp32": "",
    "int8": "the fp32 checkpoint, quantized when loaded: dynamic int8 (per-channel weights) in every "
    "encoder layer",
    "int8-half": "the fp32 checkpoint, quantized when loaded: dynamic int8 (per-channel weights) in the "
    "second half of the encoder's layers only",
    "onnxruntime int8": "the fp32 checkpoint exported to ONNX (cached in the checkpoint's onnx/ folder), "
    "fused by ONNX Runtime's BERT optimizer, dynamic int8 (per-channel weights) in every encoder layer",
}


def load_labellers(model_dir: Path | str, batch_size: int) -> dict:
    """Every labeller variant of a checkpoint, by row name."""
    from claimtype.inference import ClaimTypeClassifier

    with quiet_quantization_warnings():
        return {
            name: ClaimTypeClassifier.from_pretrained(
                model_dir, quantize=quantize, batch_size=batch_size, backend=backend
            )
            for name, (backend, quantize) in LABELLER_VARIANTS.items()
        }


def compare_inference_speed(
    model_dir: Path | str,
    labellers: dict,
    texts: list[str],
    repeats: int,
    pipeline_batch_size: int = 32,
    chunk: int = 4096,
) -> dict:
    """Time ``pipeline("text-classification")`` on ``model_dir`` and each labeller variant of it
    (``load_labellers``) on the same sentences.

    One process. Each repeat feeds every path the same ``chunk`` sentences in turn, chunk after chunk
    (all of them at once by default; smaller chunks, e.g. the labeller's flush size of 256, make a slow
    spell of a shared machine hit all paths alike); a repeat's time is a path's sum over its chunks,
    and medians over repeats are compared. Model loading is not timed.
    """
    from transformers import pipeline

    max_length, batch_size = labellers["fp32"].max_length, labellers["fp32"].batch_size
    pipe = pipeline("text-classification", model=str(model_dir), batch_size=pipeline_batch_size)
    runners: dict[str, Callable[[list[str]], list[int]]] = {
        # The same truncation as the labeller: the checkpoint's max_length.
        "pipeline": lambda batch: [
            LABEL2ID[r["label"]] for r in pipe(batch, truncation=True, max_length=max_length)
        ],
    }
    for name, labeller in labellers.items():
        runners[f"labeller {name}"] = lambda batch, c=labeller: [LABEL2ID[p.label] for p in c.predict(batch)]
    for run in runners.values():
        run(texts[:pipeline_batch_size])  # warm-up: first-call allocations and kernel selection
    seconds: dict[str, list[float]] = {name: [] for name in runners}
    labels: dict[str, list[int]] = {}
    chunks = [texts[start : start + chunk] for start in range(0, len(texts), chunk)]
    with tqdm(total=repeats * len(chunks), desc="inference speed", unit="chunk") as bar:
        for _ in range(repeats):
            totals = dict.fromkeys(runners, 0.0)
            for name in runners:
                labels[name] = []
            for part in chunks:
                for name, run in runners.items():
                    started = time.perf_counter()
                    labels[name] += run(part)
                    totals[name] += time.perf_counter() - started
                bar.update()
            for name, total in totals.items():
                seconds[name].append(total)
    median = {name: statistics.median(values) for name, values in seconds.items()}
    labeller_names = [name for name in runners if name != "pipeline"]
    return {
        "sentences": len(texts),
        "repeats": repeats,
        "pipeline_batch_size": pipeline_batch_size,
        "batch_size": batch_size,
        "chunk": chunk,
        "max_length": max_length,
        "seconds": seconds,
        "median_seconds": median,
        "sentences_per_s": {name: len(texts) / m for name, m in median.items()},
        "speedup": {name: median["pipeline"] / median[name] for name in labeller_names},
        "agreement_with_pipeline": {
            name: float(np.mean(np.array(labels[name]) == np.array(labels["pipeline"])))
            for name in labeller_names
        },
    }


# --- training speed: our loop vs transformers.Trainer ----------------------------------------------


def train_config(train_base: DictConfig, cfg: DictConfig, run_dir: Path, **trainer_overrides) -> DictConfig:
    """The training config (``train_base``: train.yaml, composed) with the benchmark's model, data,
    trainer settings and seed, writing to ``run_dir``."""
    return OmegaConf.merge(
        train_base,
        {"seed": cfg.seed, "model": cfg.model, "data": cfg.data, "trainer": cfg.trainer},
        {"trainer": trainer_overrides, "paths": {"run_dir": str(run_dir)}},
    )


def our_loop_epoch(train_cfg: DictConfig) -> dict:
    """One epoch of claimtype.training.train; its own timer covers the batches only (not validation)."""
    from claimtype.training import train

    run_dir = Path(train_cfg.paths.run_dir)
    train(train_cfg)
    record = next(read_jsonl(run_dir / "metrics.jsonl"))
    return {"sentences_per_s": record["train_sentences_per_s"], "seconds": record["train_seconds"]}


def trainer_epoch(cfg: DictConfig, output_dir: Path) -> dict:
    """One epoch of ``transformers.Trainer`` with the same model, data, batch size, max length, optimiser
    (torch AdamW), learning rate, weight decay, warm-up, clipping and seed; its sampler is its default
    (random, no length grouping) and its collator the same DataCollatorWithPadding."""
    from transformers import DataCollatorWithPadding, Trainer, TrainingArguments, set_seed

    from claimtype.modeling import load_model_for_training, load_tokenizer
    from claimtype.training import tokenize_splits

    settings = cfg.trainer
    tokenizer = load_tokenizer(cfg.model.name_or_path)
    encoded = tokenize_splits(
        build_dataset_from_config(cfg.data), tokenizer, cfg.data.context, cfg.model.max_length
    )
    train_split = encoded["train"].rename_column("label", "labels").remove_columns(["weight"])
    set_seed(cfg.seed)
    model = load_model_for_training(cfg.model.name_or_path)
    args = TrainingArguments(
        output_dir=str(output_dir),
        per_device_train_batch_size=settings.batch_size,
        num_train_epochs=1,
        learning_rate=settings.lr,
        weight_decay=settings.weight_decay,
        warmup_steps=settings.warmup_ratio,  # a float below 1 is a ratio of the total steps
        max_grad_norm=settings.max_grad_norm,
        lr_scheduler_type="linear",
        optim="adamw_torch",  # our loop's torch.optim.AdamW (Trainer's default is the fused variant)
        seed=cfg.seed,
        save_strategy="no",
        logging_strategy="no",
        report_to="none",
    )
    trainer = Trainer(
        model=model, args=args, train_dataset=train_split, data_collator=DataCollatorWithPadding(tokenizer)
    )
    metrics = trainer.train().metrics
    return {"sentences_per_s": metrics["train_samples_per_second"], "seconds": metrics["train_runtime"]}


def compare_training_speed(cfg: DictConfig, train_base: DictConfig, workdir: Path) -> dict:
    """Our loop, then Trainer, one epoch each in this process; the ratio of training sentences/s."""
    log.info("training speed: one epoch of our loop")
    ours = our_loop_epoch(train_config(train_base, cfg, workdir / "ours", epochs=1, resume=False))
    log.info("training speed: one epoch of transformers.Trainer")
    hf = trainer_epoch(cfg, workdir / "trainer")
    return {
        "ours": ours,
        "trainer": hf,
        "ratio": ours["sentences_per_s"] / hf["sentences_per_s"],
        "batch_size": cfg.trainer.batch_size,
        "max_length": cfg.model.max_length,
        "group_by_length": cfg.trainer.group_by_length,
    }


# --- memory: the labeller streams -------------------------------------------------------------------


# Runs the command as its own child and writes that child's peak RSS (KiB). Measuring a child of the
# benchmark itself would count the pages it shares with this large process between fork and exec.
_PEAK_RSS_PROBE = (
    "import resource, subprocess, sys; code = subprocess.call(sys.argv[2:]); "
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
    "sys.exit(code)"
)


def label_peak_rss(command: list[str], log_path: Path, cwd: Path) -> tuple[float, float]:
    """Run a command in a fresh process; its peak RSS in MiB (its own ru_maxrss) and wall seconds."""
    started = time.perf_counter()
    peak_path = log_path.with_suffix(".peak")
    with log_path.open("w") as log_file:
        code = subprocess.call(
            [sys.executable, "-c", _PEAK_RSS_PROBE, str(peak_path), *command],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            cwd=cwd,
        )
    if code:
        raise RuntimeError(f"{shlex.join(command)} exited with {code}; see {log_path}")
    return int(peak_path.read_text()) / 1024, time.perf_counter() - started


def measure_label_memory(
    model_dir: Path,
    articles_path: Path,
    n_articles: int,
    factor: int,
    workdir: Path,
    root: Path,
    quantize: str = "none",
    batch_size: int = 64,
) -> dict:
    """Peak RSS of `claimtype label` on n real articles and on the same articles repeated ``factor`` times,
    each in a fresh process: a streaming labeller's peak should barely grow."""
    texts = []
    for record in read_jsonl(articles_path):
        if len(texts) == n_articles:
            break
        texts.append(record["text"])
    runs = []
    for copies in tqdm((1, factor), desc="memory", unit="run"):
        archive = workdir / f"archive-{len(texts) * copies}.jsonl"
        write_jsonl(
            archive, ({"id": f"a{i}-{c}", "text": t} for c in range(copies) for i, t in enumerate(texts))
        )
        output = archive.with_name(f"labels-{len(texts) * copies}.jsonl")
        command = [
            sys.executable,
            "-m",
            "claimtype",
            "label",
            f"model_dir={Path(model_dir).resolve()}",
            f"input={archive}",
            f"output={output}",
            f"quantize={quantize}",
            f"batch_size={batch_size}",
            "overwrite=true",
        ]
        peak, seconds = label_peak_rss(command, output.with_suffix(".log"), root)
        sentences = sum(1 for _ in output.open(encoding="utf-8"))
        runs.append(
            {
                "articles": len(texts) * copies,
                "sentences": sentences,
                "peak_rss_mib": peak,
                "seconds": seconds,
            }
        )
        log.info(
            "labelled %d articles (%d sentences): peak RSS %.1f MiB", runs[-1]["articles"], sentences, peak
        )
    return {
        "runs": runs,
        "quantize": quantize,
        "batch_size": batch_size,
        "growth_percent": 100.0 * (runs[1]["peak_rss_mib"] / runs[0]["peak_rss_mib"] - 1.0),
    }


# --- the report -----------------------------------------------------------------------------------


def machine_info() -> dict:
    """CPU model, cores, RAM and library versions: what the timings depend on."""
    import psutil
    import transformers

    cpu = platform.processor() or "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "platform": platform.platform(),
        "load_average_1min": os.getloadavg()[0],
    }


def method_row(method: Method, metrics: dict, sentences_per_s: float, train_note: str = "") -> dict:
    return {
        "name": method.name,
        "macro_f1": metrics["macro_f1"],
        "accuracy": metrics["accuracy"],
        "per_label_f1": {label: m["f1"] for label, m in metrics["per_label"].items()},
        "train_seconds": method.train_seconds,
        "sentences_per_s": sentences_per_s,
        "note": "; ".join(n for n in (method.note, train_note) if n),
    }


def _table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows])


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def render_markdown(report: dict) -> str:
    """The benchmark page: machine and command, the F1 table with its headline, then speed and memory."""
    machine, data = report["machine"], report["data"]
    methods = report["methods"]
    rows = [
        [
            f"{i + 1}. {m['name']}",
            f"{m['macro_f1']:.3f}",
            *(f"{m['per_label_f1'][label]:.3f}" for label in LABELS),
            f"{m['accuracy']:.3f}",
            _duration(m["train_seconds"]),
            f"{m['sentences_per_s']:,.0f}",
        ]
        for i, m in enumerate(methods)
    ]
    notes = [f"{i + 1}. {m['name']}: {m['note']}" for i, m in enumerate(methods) if m["note"]]
    head = report["headline"]
    gain = head["finetuned_minus_tfidf_points"]
    verdict = f"beats TF-IDF + LR by {gain:+.1f}" if gain >= 0 else f"trails TF-IDF + LR by {-gain:.1f}"
    parts = [
        "# Benchmarks",
        "Generated by `claimtype benchmark` (`make benchmark`); do not edit by hand, re-run it. "
        f"Command: `{report['command']}` (run from the repository root; `make benchmark` runs it "
        f"without overrides). Finished {report['generated']} after {_duration(report['runtime_seconds'])}.",
        f"Machine: {machine['cpu']}, {machine['cores']} cores ({machine['torch_threads']} torch threads), "
        f"{machine['ram_gib']} GiB RAM; Python {machine['python']}, torch {machine['torch']}, "
        f"transformers {machine['transformers']}; {machine['platform']}. The 1-minute load average was "
        f"{machine['load_average_1min']:.2f} when the run started and {machine['load_average_1min_end']:.2f} "
        "when it ended (the run itself adds up to its thread count; more means other processes shared the CPU).",
        "## Claim-type classifiers on the same split",
        f"All methods train on the same article-level split of `{data['gold_path']}` "
        f"(train {data['train']}, validation {data['validation']}, test {data['test']} sentences) "
        f"and are scored on **test**. Inference sentences/s: {data['speed_sentences']} real gold "
        "sentences (median of the repeats; the transformer rows are the labeller runs below).",
        _table(
            [
                "method",
                "macro-F1",
                *(f"F1 {label}" for label in LABELS),
                "accuracy",
                "train wall time",
                "inference sentences/s",
            ],
            rows,
        ),
        f"**The fine-tuned transformer {verdict} macro-F1 points on test** "
        f"({head['finetuned_macro_f1']:.3f} vs {head['tfidf_macro_f1']:.3f}).",
        " ".join(
            f"**{name} {'loses' if q['loss_points'] >= 0 else 'gains'} {abs(q['loss_points']):.2f} macro-F1 "
            f"points** ({q['macro_f1']:.3f} vs "
            f"{head['finetuned_macro_f1']:.3f}{'; target ≤ 0.5' if name.endswith('int8') else ''}): "
            f"{q['test_changed']} of {data['test']} test predictions differ from fp32's."
            for name, q in head["quantized"].items()
        ),
        "Notes:\n\n" + "\n".join(f"- {n}" for n in notes),
    ]
    speed = report["inference_speed"]
    speed_rows = [
        [
            name,
            f"{speed['median_seconds'][name]:.2f}",
            f"{speed['sentences_per_s'][name]:,.0f}",
            f"{speed['speedup'][name]:.2f}x" if name in speed["speedup"] else "1.00x",
            f"{100 * speed['agreement_with_pipeline'][name]:.1f}%" if name in speed["speedup"] else "—",
        ]
        for name in speed["median_seconds"]
    ]
    ratios = ", ".join(
        f"{ratio:.2f}x ({name.removeprefix('labeller ')})" for name, ratio in speed["speedup"].items()
    )
    parts += [
        "## Inference speed: the labeller vs `transformers.pipeline`",
        f"The same {speed['sentences']} real gold sentences, the same checkpoint, one process. "
        f'`pipeline("text-classification", model=<checkpoint>, batch_size={speed["pipeline_batch_size"]})` '
        f"called with `truncation=True, max_length={speed['max_length']}` vs "
        f"`ClaimTypeClassifier.predict` (batch size {speed['batch_size']}) in each variant of the table "
        "above (`backend` torch unless named, `quantize` none for fp32). "
        + (
            f"Each of {speed['repeats']} repeats runs every path in turn on all {speed['sentences']} sentences"
            if speed["chunk"] >= speed["sentences"]
            else f"Each of {speed['repeats']} repeats feeds every path the same {speed['chunk']} sentences in "
            "turn, chunk after chunk, so a busy spell of the machine hits them alike (a repeat's time is "
            "the sum over its chunks)"
        )
        + "; medians of the repeats; model loading (and the one-off ONNX export) not timed.",
        _table(
            ["path", "median seconds", "sentences/s", "speed-up vs pipeline", "same top label as pipeline"],
            speed_rows,
        ),
        f"**Labeller vs pipeline: {ratios}** (target ≥ 5x; fastest: {max(speed['speedup'].values()):.2f}x).",
    ]
    training = report.get("training_speed")
    if training:
        parts += [
            "## Training speed: our loop vs `transformers.Trainer`",
            f"One epoch each over the same {data['train']} training sentences, in one process (ours first): "
            f"the same MiniLM-L6 start, batch size {training['batch_size']}, max length "
            f"{training['max_length']}, DataCollatorWithPadding, torch AdamW, learning rate, weight decay, "
            "warm-up, gradient clipping and seed. Ours: length-grouped batches (`trainer.group_by_length="
            f"{str(training['group_by_length']).lower()}`); Trainer: its default random sampler (no length "
            "grouping). Ours is timed over its batches (validation excluded); Trainer by its `train_runtime`.",
            _table(
                ["loop", "epoch seconds", "training sentences/s"],
                [
                    [name, f"{training[key]['seconds']:.1f}", f"{training[key]['sentences_per_s']:.1f}"]
                    for name, key in (
                        ("claimtype.training.train", "ours"),
                        ("transformers.Trainer", "trainer"),
                    )
                ],
            ),
            f"**Our loop vs Trainer: {training['ratio']:.2f}x training sentences/s** (target ≥ 1.3).",
        ]
    memory = report.get("memory")
    if memory:
        parts += [
            "## Memory: the labeller streams",
            "Peak RSS of `claimtype label` (fresh process each, the child's own `ru_maxrss`) on a .jsonl "
            f"of real articles and on the same articles repeated to {memory['runs'][1]['articles']}; "
            f"quantize={memory['quantize']}, batch size {memory['batch_size']}.",
            _table(
                ["articles", "sentences", "peak RSS MiB", "wall seconds"],
                [
                    [r["articles"], r["sentences"], f"{r['peak_rss_mib']:.1f}", f"{r['seconds']:.1f}"]
                    for r in memory["runs"]
                ],
            ),
            f"**Peak RSS grows by {memory['growth_percent']:+.1f}% for "
            f"{memory['runs'][1]['sentences'] / memory['runs'][0]['sentences']:.0f}x the sentences** "
            "(target < 20%).",
        ]
    return "\n\n".join(parts) + "\n"


# --- the run ---------------------------------------------------------------------------------------


def headline(tfidf: dict, finetuned: dict[str, tuple[dict, list[int]]]) -> dict:
    """The figures the issue asks for: the transformer's gain over TF-IDF, and each int8 mode's loss."""
    fp32_metrics, fp32_predicted = finetuned["fp32"]
    result = {
        "finetuned_macro_f1": fp32_metrics["macro_f1"],
        "tfidf_macro_f1": tfidf["macro_f1"],
        "finetuned_minus_tfidf_points": 100 * (fp32_metrics["macro_f1"] - tfidf["macro_f1"]),
        "quantized": {},
    }
    for name, (metrics, predicted) in finetuned.items():
        if name != "fp32":
            result["quantized"][name] = {
                "macro_f1": metrics["macro_f1"],
                "loss_points": 100 * (fp32_metrics["macro_f1"] - metrics["macro_f1"]),
                "test_changed": int(np.sum(np.array(predicted) != np.array(fp32_predicted))),
            }
    return result


def speed_sample(gold_path: Path | str, n: int, seed: int) -> list[dict]:
    """A seeded sample of real gold sentences (all of them when there are fewer than ``n``)."""
    rows = list(read_jsonl(gold_path))
    return random.Random(seed).sample(rows, min(n, len(rows)))


def run_benchmark(cfg: DictConfig, train_base: DictConfig, command: str) -> dict:
    """Run every part of the benchmark and write benchmark.json, benchmark.md and the docs page.

    ``train_base`` is train.yaml composed: training runs (our loop, a missing checkpoint) use it with
    the benchmark's model, data and trainer settings."""

    started = time.perf_counter()
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    machine = machine_info()
    output_dir = Path(cfg.output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    dataset = build_dataset_from_config(cfg.data)
    splits = {split: list(dataset[split]) if split in dataset else [] for split in SPLITS}
    train, validation, test = splits["train"], splits["validation"], splits["test"]
    speed_rows = speed_sample(cfg.data.gold_path, cfg.speed.sentences, cfg.seed)
    log.info(
        "split: train %d, validation %d, test %d; speed set %d",
        len(train),
        len(validation),
        len(test),
        len(speed_rows),
    )
    results: list[dict] = []

    def add(
        method: Method, sentences_per_s: float | None = None, train_note: str = ""
    ) -> tuple[dict, list[int]]:
        predicted = method.predict(_texts(test), _previous(test))
        metrics = classification_metrics(_labels(test), predicted)
        if sentences_per_s is None:
            sentences_per_s = throughput(method.predict, speed_rows, cfg.speed.repeats)
        results.append(method_row(method, metrics, sentences_per_s, train_note))
        log.info(
            "%s: test macro-F1 %.4f, %.0f sentences/s", method.name, metrics["macro_f1"], sentences_per_s
        )
        return metrics, predicted

    with tempfile.TemporaryDirectory(prefix="claimtype-benchmark-") as tmp:
        workdir = Path(tmp)
        log.info("[1/7] rules baseline")
        add(rules_method())
        log.info("[2/7] TF-IDF + logistic regression")
        tfidf_metrics, _ = add(tfidf_method(train, validation, list(cfg.tfidf.C), cfg.seed))
        reason = setfit_unavailable() if cfg.setfit.enabled else "is switched off (setfit.enabled=false)"
        log.info("[3/7] %s", "SetFit" if reason is None else f"frozen-encoder baseline (SetFit {reason})")
        if reason is None:
            add(setfit_method(cfg.model.name_or_path, train, cfg.setfit, cfg.seed, workdir / "setfit"))
        else:
            add(frozen_encoder_method(cfg.model.name_or_path, train, cfg.seed, reason))

        log.info("[4/7] fine-tuned transformer, fp32 and int8")
        model_dir = Path(cfg.model_dir) if cfg.model_dir else None
        if model_dir is not None and (model_dir / "config.json").is_file():
            train_seconds, train_note = recorded_train_seconds(model_dir)
        else:
            log.info("no checkpoint at %s: training one with the default training config", model_dir)
            from claimtype.training import train as train_model

            train_started = time.perf_counter()
            model_dir = train_model(train_config(train_base, cfg, output_dir / "finetune"))
            train_seconds = time.perf_counter() - train_started
            train_note = f"trained by this run into {model_dir} (wall time includes validation passes)"
        variants = load_labellers(model_dir, cfg.speed.batch_size)
        log.info("[5/7] inference speed: labeller vs pipeline on %d sentences", len(speed_rows))
        speed = compare_inference_speed(
            model_dir,
            variants,
            _texts(speed_rows),
            cfg.speed.repeats,
            cfg.speed.pipeline_batch_size,
            cfg.speed.chunk,
        )
        notes = {**VARIANT_NOTES, "fp32": train_note}
        finetuned: dict[str, tuple[dict, list[int]]] = {}
        for name, classifier in variants.items():
            finetuned[name] = add(
                Method(f"fine-tuned MiniLM-L6, {name}", transformer_predictor(classifier), train_seconds),
                speed["sentences_per_s"][f"labeller {name}"],
                notes[name],
            )
        del variants
        log.info(
            "labeller vs pipeline: %s",
            ", ".join(f"{ratio:.2f}x ({name})" for name, ratio in speed["speedup"].items()),
        )

        training = None
        if cfg.training_speed.enabled:
            log.info("[6/7] training speed: our loop vs transformers.Trainer, one epoch each")
            training = compare_training_speed(cfg, train_base, workdir / "training")
            log.info("our loop vs Trainer: %.2fx training sentences/s", training["ratio"])
        memory = None
        if cfg.memory.enabled:
            log.info("[7/7] memory: peak RSS of `claimtype label`, %dx the articles", cfg.memory.factor)
            memory = measure_label_memory(
                model_dir,
                Path(cfg.paths.data_dir) / ARTICLES_FILE,
                cfg.memory.articles,
                cfg.memory.factor,
                workdir / "memory",
                Path(cfg.paths.root_dir),
                cfg.memory.quantize,
                cfg.memory.batch_size,
            )
            log.info("peak RSS growth: %+.1f%%", memory["growth_percent"])

    report = {
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": command,
        "runtime_seconds": time.perf_counter() - started,
        "machine": {**machine, "load_average_1min_end": os.getloadavg()[0]},
        "data": {
            "gold_path": str(cfg.data.gold_path),
            **{split: len(rows) for split, rows in splits.items()},
            "speed_sentences": len(speed_rows),
        },
        "model_dir": str(model_dir),
        "methods": results,
        "headline": headline(tfidf_metrics, finetuned),
        "inference_speed": speed,
        "training_speed": training,
        "memory": memory,
    }
    markdown = render_markdown(report)
    atomic_write_text(output_dir / "benchmark.json", json.dumps(report, indent=2) + "\n")
    atomic_write_text(output_dir / "benchmark.md", markdown)
    if cfg.docs_path:
        atomic_write_text(cfg.docs_path, markdown)
    log.info(
        "wrote %s and %s%s",
        output_dir / "benchmark.md",
        output_dir / "benchmark.json",
        f" and {cfg.docs_path}" if cfg.docs_path else "",
    )
    return report

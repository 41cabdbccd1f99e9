"""One benchmark run: every part in turn, into one typed report, written as JSON and Markdown.

Every figure is measured in the run that writes it, with one labelled exception: the training time
of a reused checkpoint is read from its own run's ``metrics.jsonl``.
"""

from __future__ import annotations

import logging
import os
import platform
import random
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import torch
from omegaconf import DictConfig, OmegaConf

from claimtype.benchmark.baselines import (
    Method,
    encoder_baseline,
    headline,
    labeller_predictor,
    recorded_train_seconds,
    rules_method,
    score,
    texts_of,
    tfidf_method,
    throughput,
)
from claimtype.benchmark.end_to_end import (
    compare_engines,
    corpus_articles,
    measure_end_to_end,
    measure_split,
    sample_archive,
)
from claimtype.benchmark.inference_speed import (
    REFERENCE,
    Variant,
    compare_inference_speed,
    load_labellers,
    variants_to_compare,
)
from claimtype.benchmark.memory import measure_label_memory
from claimtype.benchmark.report import check_readme, write_report
from claimtype.benchmark.results import (
    BenchmarkReport,
    DataSizes,
    EndToEnd,
    EngineComparison,
    Machine,
    MethodResult,
    SplitTime,
    Targets,
)
from claimtype.benchmark.training_speed import compare_training_speed, train_config
from claimtype.corpora import ARTICLES_FILE
from claimtype.data import SPLITS, build_dataset_from_config
from claimtype.inference import ClaimTypeClassifier
from claimtype.io import read_jsonl
from claimtype.validation import check_number, validate_config

log = logging.getLogger(__name__)


def check_settings(cfg: DictConfig) -> tuple[Targets, list[Variant]]:
    """Fail on a bad setting before the run rather than after half an hour of it; the targets and
    the labeller variants to compare."""
    validate_config(cfg)
    for n in cfg.ray.actors:
        check_number("ray.actors", n, int, 1, None)
    for key, value in cfg.targets.items():
        check_number(f"targets.{key}", value, float, None, None)
    variants = variants_to_compare(cfg.speed.backends, cfg.speed.quantize)
    if cfg.readme_path:
        check_readme(cfg.readme_path)
    return Targets(**OmegaConf.to_container(cfg.targets)), variants


# x86 extensions ONNX Runtime's int8 kernels use, in the order they speed int8 up. Without VNNI the int8
# products run on VPMADDUBSW (AVX2 / AVX-512), which gains less over fp32.
INT8_FLAGS = {"avx2": "AVX2", "avx512bw": "AVX-512", "avx_vnni": "AVX-VNNI", "avx512_vnni": "AVX-512 VNNI"}


def int8_instructions(flags: set[str]) -> str:
    """The int8 dot-product extensions among a CPU's flags, e.g. "AVX2, AVX-512 (no VNNI)"."""
    found = [name for flag, name in INT8_FLAGS.items() if flag in flags]
    if not found:
        return "none of AVX2, AVX-512, VNNI"
    return ", ".join(found) + ("" if any("VNNI" in name for name in found) else " (no VNNI)")


def machine_info(load_average_start: float) -> Machine:
    """CPU model and int8 extensions, cores, RAM and library versions: what the timings depend on."""
    import psutil
    import transformers

    cpuinfo, fields = Path("/proc/cpuinfo"), {}
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():  # the first processor's value of each field
            key, _, value = line.partition(":")
            fields.setdefault(key.strip(), value.strip())
    cpu = fields.get("model name") or platform.processor() or "unknown"
    flags = fields.get("flags")  # x86 only; Arm lists "Features"
    return Machine(
        cpu=cpu,
        int8_instructions="not read" if flags is None else int8_instructions(set(flags.split())),
        cores=os.cpu_count(),
        torch_threads=torch.get_num_threads(),
        ram_gib=round(psutil.virtual_memory().total / 2**30, 1),
        python=platform.python_version(),
        torch=torch.__version__,
        transformers=transformers.__version__,
        platform=platform.platform(),
        load_average_start=load_average_start,
        load_average_end=os.getloadavg()[0],
    )


def speed_sample(gold_path: Path | str, n: int, seed: int) -> list[dict]:
    """A seeded sample of real gold sentences (all of them when there are fewer than ``n``)."""
    rows = list(read_jsonl(gold_path))
    return random.Random(seed).sample(rows, min(n, len(rows)))


def fine_tuned_checkpoint(
    cfg: DictConfig, train_base: DictConfig, output_dir: Path
) -> tuple[Path, float | None, str]:
    """The checkpoint to benchmark, its training seconds and a note on where they come from: the
    configured one when it exists, else one trained now with the benchmark's training settings."""
    model_dir = Path(cfg.model_dir) if cfg.model_dir else None
    if model_dir is not None and (model_dir / "config.json").is_file():
        return model_dir, *recorded_train_seconds(model_dir)
    log.info("no checkpoint at %s: training one with the default training config", model_dir)
    from claimtype.training import train

    started = time.perf_counter()
    trained = train(train_config(train_base, cfg, output_dir / "finetune"))
    note = f"trained by this run into {trained} (wall time includes validation passes)"
    return trained, time.perf_counter() - started, note


def scale_out(
    cfg: DictConfig, model_dir: Path, workdir: Path
) -> tuple[EndToEnd | None, SplitTime | None, EngineComparison | None]:
    """The "scale out" figures on one corpus's articles: end to end, the longest split, Ray vs local."""
    if not (cfg.end_to_end.enabled or cfg.split_time.enabled or cfg.ray.enabled):
        return None, None, None
    articles = corpus_articles(Path(cfg.paths.data_dir) / ARTICLES_FILE, cfg.end_to_end.corpus)
    split = None
    if cfg.split_time.enabled:
        longest = max(articles, key=lambda a: len(a["text"]))
        log.info("split time of %s (%d characters)", longest["doc_id"], len(longest["text"]))
        split = measure_split(longest, cfg.split_time.repeats)
        log.info("split: %.2f s", split.median_seconds)
    workdir.mkdir(parents=True)
    archive = sample_archive(articles, cfg.end_to_end.articles, cfg.seed, workdir / "articles.jsonl")
    del articles
    end_to_end = None
    if cfg.end_to_end.enabled:
        log.info("end to end: the labeller on %d articles vs pipeline and predict()", cfg.end_to_end.articles)
        inference = cfg.inference
        classifier = ClaimTypeClassifier.from_pretrained(
            model_dir,
            quantize=inference.quantize,
            batch_size=inference.batch_size,
            backend=inference.backend,
        )
        end_to_end = measure_end_to_end(
            classifier,
            model_dir,
            archive,
            cfg.end_to_end.corpus,
            workdir,
            cfg.end_to_end.repeats,
            cfg.speed.pipeline_batch_size,
            inference,
        )
        log.info("end to end: %.2fx pipeline, %.2fx predict()", end_to_end.vs_pipeline, end_to_end.vs_predict)
    engines = None
    if cfg.ray.enabled:
        log.info("engines: local vs ray with %s actors", list(cfg.ray.actors))
        engines = compare_engines(
            model_dir,
            archive,
            workdir / "engines",
            Path(cfg.paths.root_dir),
            cfg.inference,
            list(cfg.ray.actors),
            cfg.ray.repeats,
        )
    return end_to_end, split, engines


def run_benchmark(cfg: DictConfig, train_base: DictConfig, command: str) -> BenchmarkReport:
    """Run every part of the benchmark and write benchmark.json, benchmark.md, the docs page and the
    README block.

    ``train_base`` is train.yaml composed: training runs (our loop, a missing checkpoint) use it with
    the benchmark's model, data and trainer settings."""
    started, load_average_start = time.perf_counter(), os.getloadavg()[0]
    targets, variants = check_settings(cfg)
    if cfg.inference.threads:
        torch.set_num_threads(cfg.inference.threads)
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
    methods: list[MethodResult] = []

    def add(method: Method) -> MethodResult:
        row, _ = score(method, test, throughput(method.predict, speed_rows, cfg.speed.repeats))
        methods.append(row)
        return row

    with tempfile.TemporaryDirectory(prefix="claimtype-benchmark-") as tmp:
        workdir = Path(tmp)
        log.info("[1/8] the fine-tuned checkpoint in %d labeller variants", len(variants))
        model_dir, train_seconds, train_note = fine_tuned_checkpoint(cfg, train_base, output_dir)
        labellers, not_run = load_labellers(model_dir, variants, cfg.inference.batch_size)
        chosen = Variant(cfg.inference.backend, cfg.inference.quantize)  # what the later parts run
        if chosen.name in not_run:
            raise ValueError(f"{chosen.overrides}: {not_run[chosen.name]}")
        log.info("[2/8] rules baseline")
        add(rules_method())
        log.info("[3/8] TF-IDF + logistic regression")
        tfidf = add(tfidf_method(train, validation, list(cfg.tfidf.C), cfg.seed))
        log.info("[4/8] SetFit or the frozen-encoder baseline")
        add(encoder_baseline(cfg, train, workdir / "setfit"))
        log.info("[5/8] inference speed: labeller vs pipeline on %d sentences", len(speed_rows))
        speed = compare_inference_speed(
            model_dir,
            labellers,
            texts_of(speed_rows),
            cfg.speed.repeats,
            cfg.speed.pipeline_batch_size,
            cfg.speed.chunk,
            not_run,
        )
        speeds = {path.name: path.sentences_per_s for path in speed.paths}
        scored = {}
        for variant, classifier in labellers.items():
            note = (
                train_note
                if variant == REFERENCE
                else f"the same checkpoint with `{variant.overrides}` (claimtype.inference)"
            )
            method = Method(
                f"fine-tuned transformer, {variant.name}", labeller_predictor(classifier), train_seconds
            )
            row, predicted = score(method, test, speeds[variant.name], note)
            methods.append(row)
            scored[variant] = (row, predicted)
        del labellers
        head = headline(
            tfidf,
            scored.pop(REFERENCE),
            [(variant, row, predicted) for variant, (row, predicted) in scored.items()],
        )

        training = None
        if cfg.training_speed.enabled:
            log.info("[6/8] training speed: our loop vs transformers.Trainer, one epoch each")
            training = compare_training_speed(cfg, train_base, workdir / "training")
        memory = None
        if cfg.memory.enabled:
            log.info("[7/8] memory: peak RSS of `claimtype label`, %dx the articles", cfg.memory.factor)
            memory = measure_label_memory(
                model_dir,
                Path(cfg.paths.data_dir) / ARTICLES_FILE,
                cfg.memory.articles,
                cfg.memory.factor,
                workdir / "memory",
                Path(cfg.paths.root_dir),
                cfg.inference,
            )
        log.info("[8/8] scale out: end to end, the longest article's split, the Ray engine")
        end_to_end, split, engines = scale_out(cfg, model_dir, workdir / "scale")

    report = BenchmarkReport(
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        command=command,
        runtime_seconds=time.perf_counter() - started,
        machine=machine_info(load_average_start),
        data=DataSizes(str(cfg.data.gold_path), len(train), len(validation), len(test), len(speed_rows)),
        model_dir=str(model_dir),
        targets=targets,
        methods=methods,
        headline=head,
        inference_speed=speed,
        training_speed=training,
        memory=memory,
        end_to_end=end_to_end,
        split=split,
        engines=engines,
    )
    written = write_report(report, output_dir, cfg.docs_path, cfg.readme_path)
    log.info("wrote %s", ", ".join(map(str, written)))
    return report

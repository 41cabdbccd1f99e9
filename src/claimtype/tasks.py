"""The commands behind ``claimtype <subcommand>``: each is a Hydra task that takes the composed
config (``configs/<name>.yaml``, shipped in the package as ``claimtype.configs``).

Heavy imports (torch, transformers) happen inside each task, so ``claimtype --help`` stays quick.
"""

from __future__ import annotations

import logging
import shlex
import sys
from collections import Counter
from pathlib import Path

from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from claimtype.validation import validate_config

log = logging.getLogger("claimtype")


def train_task(cfg: DictConfig) -> None:
    """Train a classifier (configs/train.yaml)."""
    from claimtype.training import train

    train(cfg)


def use_recorded_split(cfg: DictConfig, recorded: dict | None) -> None:
    """Evaluate on the split the checkpoint records; refuse split settings given that differ from it."""
    if not recorded:
        return
    given = {
        o.split("=", 1)[0].removeprefix("data.split."): o.split("=", 1)[1]
        for o in HydraConfig.get().overrides.task
        if o.startswith("data.split.")
    }
    for key, value in given.items():
        if key in recorded and str(recorded[key]) != value:
            raise ValueError(
                f"the model was trained with data.split.{key}={recorded[key]}; evaluating with {key}={value} "
                "would score it on articles it was trained on"
            )
    cfg.data.split = OmegaConf.create(recorded)


def load_classifier(model_dir: str, inference: DictConfig):
    """The checkpoint ready for inference as the ``inference`` config group says (configs/inference/)."""
    import torch
    from transformers.utils import logging as hf_logging

    from claimtype.inference import ClaimTypeClassifier

    hf_logging.disable_progress_bar()  # "Loading weights" bars: stderr is for our one error line
    if inference.threads:
        torch.set_num_threads(inference.threads)
    return ClaimTypeClassifier.from_pretrained(
        model_dir, quantize=inference.quantize, batch_size=inference.batch_size, backend=inference.backend
    )


def labelling_settings(cfg: DictConfig, classifier) -> dict:
    """What a resumed labelling run must share with the run it continues (the labeller checks them)."""
    from claimtype.modeling import checkpoint_fingerprint

    return {
        "model_dir": str(Path(cfg.model_dir).resolve()),
        "model_fingerprint": checkpoint_fingerprint(cfg.model_dir),
        "quantize": cfg.inference.quantize,
        "backend": cfg.inference.backend,
        "context": classifier.context,
    }


def evaluate_task(cfg: DictConfig) -> None:
    """Evaluate a checkpoint on a split and write its report (configs/evaluate.yaml)."""
    from claimtype.data import build_dataset_from_config
    from claimtype.evaluation import evaluate
    from claimtype.modeling import read_metadata

    validate_config(cfg)
    recorded = read_metadata(cfg.model_dir).get("config", {}).get("data", {}).get("split")
    use_recorded_split(cfg, recorded)
    classifier = load_classifier(cfg.model_dir, cfg.inference)
    output_dir = Path(cfg.output_dir) if cfg.output_dir else Path(cfg.model_dir).resolve().parent
    dataset = build_dataset_from_config(cfg.data)
    if cfg.split not in dataset:
        raise ValueError(f"split {cfg.split!r} holds no article in {cfg.data.gold_path}")
    rows = list(dataset[cfg.split])
    metrics = evaluate(
        classifier,
        rows,
        output_dir,
        cfg.split,
        str(cfg.model_dir),
        cfg.n_errors,
        cfg.inference.quantize,
        cfg.inference.backend,
    )
    print(
        f"{cfg.split}: macro-F1 {metrics['macro_f1']:.4f}, accuracy {metrics['accuracy']:.4f} "
        f"(n={metrics['n']}); report: {output_dir}/report.md"
    )


def label_task(cfg: DictConfig) -> None:
    """Label articles with a checkpoint (configs/label.yaml)."""
    from claimtype import labeller
    from claimtype.html_view import render_html
    from claimtype.io import atomic_write_text

    # Everything that can be wrong with the configuration or the model fails here, before any output.
    validate_config(cfg)
    output = Path(cfg.output)
    labeller.check_output(cfg.output)
    if cfg.output_html and not str(cfg.output_html).endswith(".html"):
        raise ValueError(f"output_html must end in .html, got {cfg.output_html!r}")
    labeller.check_input(str(cfg.input), cfg.glob, cfg.text_field)
    labeller.check_paths(str(cfg.input), cfg.output, cfg.output_html)
    if cfg.engine == "ray":
        from claimtype.ray_engine import check_ray, label_with_ray

        check_ray(cfg.ray)
    # Loaded here with either engine: it checks the checkpoint (and makes an ONNX export once, before
    # Ray actors would all race to make it) and tells its context mode.
    classifier = load_classifier(cfg.model_dir, cfg.inference)
    if classifier.context != "none" and not cfg.split_sentences:
        log.warning(
            "this model reads article context (context=%s); with split_sentences=false each record "
            "is labelled without it",
            classifier.context,
        )
    settings = {
        **labelling_settings(cfg, classifier),
        "text_field": cfg.text_field,
    }
    total = labeller.count_documents(str(cfg.input), cfg.glob)
    if cfg.engine == "ray":
        del classifier  # each actor loads its own
        summary = label_with_ray(cfg, settings, total)
    else:
        documents = labeller.read_documents(str(cfg.input), cfg.glob, cfg.text_field)
        summary = labeller.label_documents(
            classifier,
            documents,
            output,
            cfg.split_sentences,
            cfg.min_score,
            overwrite=cfg.overwrite,
            settings=settings,
            total=total,
        )
    if cfg.output_html:
        atomic_write_text(cfg.output_html, render_html(labeller.read_output_rows(output)))
        log.info("HTML view: %s", cfg.output_html)
    print(summary.render())
    skipped = f" (skipped documents: {labeller.skipped_path(output)})" if summary.skipped else ""
    print(f"output: {output}{skipped}")


def build_data_task(cfg: DictConfig) -> None:
    """Build (or load the cached) DatasetDict and print the split sizes (configs/train.yaml)."""
    from claimtype.data import build_dataset_from_config
    from claimtype.labels import LABELS

    dataset = build_dataset_from_config(cfg.data)
    for split, rows in dataset.items():
        counts = Counter(rows["label"])
        per_label = ", ".join(f"{label} {counts[i]}" for i, label in enumerate(LABELS))
        print(f"{split}: {len(rows)} sentences from {len(set(rows['doc_id']))} articles ({per_label})")


def benchmark_task(cfg: DictConfig) -> None:
    """Run the benchmarks (configs/benchmark.yaml) and print their headline figures."""
    from hydra import compose

    from claimtype.benchmark.report import summary_lines
    from claimtype.benchmark.run import run_benchmark

    validate_config(cfg)
    command = shlex.join(["claimtype", "benchmark", *sys.argv[1:]])
    report = run_benchmark(cfg, compose(config_name="train"), command)
    print("\n".join(summary_lines(report)))
    written = [f"{cfg.output_dir}/benchmark.md", cfg.docs_path, cfg.readme_path]
    print("report: " + ", ".join(str(path) for path in written if path))


def teacher_task(cfg: DictConfig) -> None:
    """A teacher model's soft labels for the unlabelled sentences of train articles (configs/teacher.yaml)."""
    import numpy as np

    from claimtype.teacher import make_teacher_labels

    validate_config(cfg)
    if cfg.run is None:
        cfg.run = Path(cfg.model_dir).resolve().parent.name
    classifier = load_classifier(cfg.model_dir, cfg.inference)
    # The teacher's probabilities before its prior correction: the student is trained like the teacher
    # (class-balanced, rare-label-rich train) and gets its own correction after training.
    classifier.label_bias = np.zeros_like(classifier.label_bias)
    print(f"teacher rows: {make_teacher_labels(cfg, classifier, labelling_settings(cfg, classifier))}")

"""Training speed: one epoch of our loop against one of ``transformers.Trainer``, same settings."""

from __future__ import annotations

import logging
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from claimtype.benchmark.common import quiet_training_arguments
from claimtype.benchmark.results import LoopTiming, TrainingSpeed
from claimtype.data import build_dataset_from_config
from claimtype.io import read_jsonl

log = logging.getLogger(__name__)


def train_config(train_base: DictConfig, cfg: DictConfig, run_dir: Path, **trainer_overrides) -> DictConfig:
    """The training config (``train_base``: train.yaml, composed) with the benchmark's model, data,
    trainer settings and seed, writing to ``run_dir``."""
    return OmegaConf.merge(
        train_base,
        {"seed": cfg.seed, "model": cfg.model, "data": cfg.data, "trainer": cfg.trainer},
        {"trainer": trainer_overrides, "paths": {"run_dir": str(run_dir)}},
    )


def our_loop_epoch(train_cfg: DictConfig) -> LoopTiming:
    """One epoch of claimtype.training.train; its own timer covers the batches only (not validation)."""
    from claimtype.training import train

    train(train_cfg)
    record = next(read_jsonl(Path(train_cfg.paths.run_dir) / "metrics.jsonl"))
    return LoopTiming(seconds=record["train_seconds"], sentences_per_s=record["train_sentences_per_s"])


def trainer_epoch(cfg: DictConfig, output_dir: Path) -> LoopTiming:
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
    args = quiet_training_arguments(
        TrainingArguments,
        output_dir,
        cfg.seed,
        per_device_train_batch_size=settings.batch_size,
        num_train_epochs=1,
        learning_rate=settings.lr,
        weight_decay=settings.weight_decay,
        warmup_steps=settings.warmup_ratio,  # a float below 1 is a ratio of the total steps
        max_grad_norm=settings.max_grad_norm,
        lr_scheduler_type="linear",
        optim="adamw_torch",  # our loop's torch.optim.AdamW (Trainer's default is the fused variant)
    )
    trainer = Trainer(
        model=model, args=args, train_dataset=train_split, data_collator=DataCollatorWithPadding(tokenizer)
    )
    metrics = trainer.train().metrics
    return LoopTiming(seconds=metrics["train_runtime"], sentences_per_s=metrics["train_samples_per_second"])


def compare_training_speed(cfg: DictConfig, train_base: DictConfig, workdir: Path) -> TrainingSpeed:
    """Our loop, then Trainer, one epoch each in this process; the ratio of training sentences/s.

    Not interleaved: an epoch is one long call, and each loop's first epoch is what a user waits for.
    """
    log.info("training speed: one epoch of our loop")
    ours = our_loop_epoch(train_config(train_base, cfg, workdir / "ours", epochs=1, resume=False))
    log.info("training speed: one epoch of transformers.Trainer")
    hf = trainer_epoch(cfg, workdir / "trainer")
    return TrainingSpeed(
        base_model=str(cfg.model.name_or_path),
        ours=ours,
        trainer=hf,
        ratio=ours.sentences_per_s / hf.sentences_per_s,
        batch_size=cfg.trainer.batch_size,
        max_length=cfg.model.max_length,
        group_by_length=bool(cfg.trainer.group_by_length),
        cls_only_last_layer=bool(cfg.trainer.cls_only_last_layer),
    )

"""The training loop: explicit, on Accelerate (one process, DDP or mixed precision, unchanged).

Modelled on HF's ``run_glue_no_trainer.py``: tokenise once, pad per batch, AdamW with a linear
warm-up schedule, evaluate on validation each epoch, keep the best checkpoint by macro-F1 and stop
early when it no longer improves. Every epoch also saves a resumable state (model, optimiser,
scheduler, RNG) so ``trainer.resume=true`` continues an interrupted run.
"""

from __future__ import annotations

import json
import logging
import math
import random
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch
from accelerate import Accelerator
from accelerate.utils import DataLoaderConfiguration, set_seed
from datasets import Dataset
from omegaconf import DictConfig, OmegaConf
from safetensors.torch import load_file
from sklearn.metrics import f1_score
from torch.utils.data import DataLoader, Sampler
from tqdm.auto import tqdm
from transformers import DataCollatorWithPadding, get_scheduler

from claimtype.calibration import fit_temperature
from claimtype.data import build_dataset_from_config
from claimtype.evaluation import expected_calibration_error
from claimtype.io import atomic_write_text, recover_swap
from claimtype.labels import LABELS
from claimtype.model_card import label_counts, write_model_card
from claimtype.modeling import (
    METADATA_FILE,
    encode,
    load_model_for_training,
    load_tokenizer,
    save_checkpoint,
    share_like_umask,
)
from claimtype.validation import validate_config

log = logging.getLogger(__name__)
STATE_FILE = "trainer_state.json"


class LengthGroupedBatches(Sampler[list[int]]):
    """Batches of similar-length examples, in random order: little padding, still shuffled.

    Like HF's length-grouped sampler: shuffle, cut into mega-batches of 50 batches, sort each by
    length, slice into batches, then shuffle the batches. Re-seeded each epoch via ``set_epoch``.
    """

    def __init__(self, lengths: list[int], batch_size: int, seed: int, mega: int = 50):
        self.lengths, self.batch_size, self.seed, self.mega, self.epoch = lengths, batch_size, seed, mega, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __iter__(self) -> Iterator[list[int]]:
        rng = random.Random(self.seed + self.epoch)
        order = list(range(len(self.lengths)))
        rng.shuffle(order)
        size = self.batch_size * self.mega
        batches = []
        for start in range(0, len(order), size):
            chunk = sorted(order[start : start + size], key=lambda i: -self.lengths[i])
            batches += [chunk[i : i + self.batch_size] for i in range(0, len(chunk), self.batch_size)]
        rng.shuffle(batches)
        return iter(batches)

    def __len__(self) -> int:
        return math.ceil(len(self.lengths) / self.batch_size)


def tokenize_splits(dataset, tokenizer, context: str, max_length: int):
    """Tokenise every split once; keep labels and per-example weights, drop the text columns."""

    def tokenize(batch: dict) -> dict:
        return encode(tokenizer, batch["text"], batch["prev_text"], context, max_length)

    keep = {"label", "weight"}
    return dataset.map(
        tokenize,
        batched=True,
        remove_columns=[c for c in dataset["train"].column_names if c not in keep],
        desc="Tokenising",
    )


def class_weights(labels: list[int], mode: str) -> torch.Tensor | None:
    """``balanced``: n / (k * count), as scikit-learn's ``class_weight='balanced'``; ``none``: None."""
    if mode == "none":
        return None
    if mode != "balanced":
        raise ValueError(f"trainer.class_weights must be 'none' or 'balanced', got {mode!r}")
    counts = np.bincount(labels, minlength=len(LABELS)).astype(np.float64)
    weights = len(labels) / (len(LABELS) * np.maximum(counts, 1))
    return torch.tensor(weights, dtype=torch.float32)


def make_train_loader(
    split: Dataset, collator, batch_size: int, seed: int, group_by_length: bool
) -> DataLoader:
    """Shuffled training batches; length-grouped ones pad far less (the main CPU speed lever)."""
    if group_by_length:
        sampler = LengthGroupedBatches([len(ids) for ids in split["input_ids"]], batch_size, seed)
        return DataLoader(split, batch_sampler=sampler, collate_fn=collator)
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(split, batch_size=batch_size, shuffle=True, generator=generator, collate_fn=collator)


@torch.inference_mode()
def predict_logits(model, loader: DataLoader, accelerator: Accelerator) -> tuple[np.ndarray, np.ndarray]:
    """Logits and gold labels over a loader, gathered across processes."""
    model.eval()
    all_logits, all_labels = [], []
    for batch in loader:
        labels = batch.pop("labels")
        batch.pop("weight", None)
        logits = model(**batch).logits
        logits, labels = accelerator.gather_for_metrics((logits, labels))
        all_logits.append(logits.float().cpu().numpy())
        all_labels.append(labels.cpu().numpy())
    return np.concatenate(all_logits), np.concatenate(all_labels)


def _macro_f1(labels: np.ndarray, logits: np.ndarray) -> float:
    return float(f1_score(labels, logits.argmax(-1), average="macro", labels=list(range(len(LABELS)))))


def save_resume_state(accelerator: Accelerator, state_dir: Path, state: dict) -> None:
    """Save model/optimiser/scheduler/RNG state beside a temp dir, then swap: a kill leaves the old one."""
    tmp_dir = state_dir.with_name(state_dir.name + ".tmp")
    if accelerator.is_main_process:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    accelerator.wait_for_everyone()
    accelerator.save_state(str(tmp_dir))
    if accelerator.is_main_process:
        atomic_write_text(tmp_dir / STATE_FILE, json.dumps(state))
        share_like_umask(tmp_dir)
        shutil.rmtree(state_dir, ignore_errors=True)
        tmp_dir.rename(state_dir)
    accelerator.wait_for_everyone()


def keep_metrics_until(path: Path, epoch: int) -> None:
    """Drop metrics of epochs after ``epoch``: a kill between writing an epoch's metrics and saving
    its state would otherwise leave that epoch in the file twice once it is redone."""
    if not path.is_file():
        return
    kept = []
    for line in path.read_text().splitlines():
        try:
            if json.loads(line)["epoch"] <= epoch:
                kept.append(line + "\n")
        except json.JSONDecodeError:
            break  # a line cut off by the kill: the last one
    atomic_write_text(path, "".join(kept))


def check_run_dir(model_dir: Path, resume: bool, overwrite: bool) -> None:
    """A run never deletes a trained model it was not asked to replace. With ``overwrite`` the old
    model stays until the new run saves its first best checkpoint in its place."""
    if resume or overwrite or not (model_dir / METADATA_FILE).is_file():
        return
    raise ValueError(
        f"{model_dir} already holds a trained model: continue it with trainer.resume=true, "
        "train under another name=..., or replace it with overwrite=true"
    )


def train(cfg: DictConfig) -> Path:
    """Train from a composed config; returns the directory of the best checkpoint."""
    validate_config(cfg)
    run_dir = Path(cfg.paths.run_dir)
    model_dir, state_dir = run_dir / "model", run_dir / "checkpoints" / "last"
    trainer_cfg = cfg.trainer
    check_run_dir(model_dir, trainer_cfg.resume, cfg.overwrite)
    accelerator = Accelerator(
        gradient_accumulation_steps=trainer_cfg.grad_accum_steps,
        mixed_precision=trainer_cfg.mixed_precision,
        cpu=trainer_cfg.cpu,
        # Seed the shuffling sampler by epoch (group_by_length=false), so a resumed run reshuffles alike.
        dataloader_config=DataLoaderConfiguration(use_seedable_sampler=True),
    )
    set_seed(cfg.seed)
    if trainer_cfg.threads and accelerator.device.type == "cpu":
        torch.set_num_threads(trainer_cfg.threads)

    tokenizer = load_tokenizer(cfg.model.name_or_path)  # a missing path or unknown id: one clear line
    with accelerator.main_process_first():
        dataset = build_dataset_from_config(cfg.data)
        encoded = tokenize_splits(dataset, tokenizer, cfg.data.context, cfg.model.max_length)
    encoded = encoded.rename_column("label", "labels")
    collator = DataCollatorWithPadding(
        tokenizer, pad_to_multiple_of=8 if accelerator.mixed_precision != "no" else None
    )
    train_loader = make_train_loader(
        encoded["train"], collator, trainer_cfg.batch_size, cfg.seed, trainer_cfg.group_by_length
    )
    eval_loader = DataLoader(
        encoded["validation"], batch_size=trainer_cfg.eval_batch_size, collate_fn=collator
    )

    model = load_model_for_training(cfg.model.name_or_path)
    no_decay = ("bias", "LayerNorm.weight", "layer_norm.weight")
    groups = [
        {
            "params": [p for n, p in model.named_parameters() if not any(k in n for k in no_decay)],
            "weight_decay": trainer_cfg.weight_decay,
        },
        {
            "params": [p for n, p in model.named_parameters() if any(k in n for k in no_decay)],
            "weight_decay": 0.0,
        },
    ]
    optimizer = torch.optim.AdamW(groups, lr=trainer_cfg.lr)
    steps_per_epoch = math.ceil(len(train_loader) / trainer_cfg.grad_accum_steps)
    total_steps = steps_per_epoch * trainer_cfg.epochs
    scheduler = get_scheduler(
        "linear",
        optimizer,
        num_warmup_steps=int(trainer_cfg.warmup_ratio * total_steps),
        num_training_steps=total_steps,
    )
    weights = class_weights(encoded["train"]["labels"], trainer_cfg.class_weights)
    model, optimizer, train_loader, eval_loader, scheduler = accelerator.prepare(
        model, optimizer, train_loader, eval_loader, scheduler
    )
    if weights is not None:
        weights = weights.to(accelerator.device)

    state = {"epoch": 0, "best_f1": -1.0, "best_epoch": 0, "bad_epochs": 0}
    metrics_path = run_dir / "metrics.jsonl"
    if trainer_cfg.resume and accelerator.is_main_process:
        recover_swap(state_dir, STATE_FILE)
        recover_swap(model_dir, METADATA_FILE)
    accelerator.wait_for_everyone()
    if trainer_cfg.resume and (state_dir / STATE_FILE).is_file():
        accelerator.load_state(str(state_dir))
        state = json.loads((state_dir / STATE_FILE).read_text())
        if accelerator.is_main_process:
            keep_metrics_until(metrics_path, state["epoch"])
        log.info("resumed from %s after epoch %d", state_dir, state["epoch"])
    elif accelerator.is_main_process:
        # A fresh run: the old model (overwrite=true) is replaced only by this run's first best.
        run_dir.mkdir(parents=True, exist_ok=True)
        metrics_path.unlink(missing_ok=True)

    resolved_cfg = OmegaConf.to_container(cfg, resolve=True)
    train_counts = label_counts(dataset["train"]["label"])
    for epoch in range(state["epoch"] + 1, trainer_cfg.epochs + 1):
        if state["bad_epochs"] >= trainer_cfg.early_stopping_patience:
            break
        model.train()
        # The prepared loader re-seeds its sampler from its own pass counter, which restarts at 0 in a
        # resumed run: set it from the real epoch (0-based, as it counts) so every epoch sees the same
        # batches, resumed or not, and fresh runs the ones they always did.
        train_loader.set_epoch(epoch - 1)
        started, seen, loss_sum = time.perf_counter(), 0, 0.0
        bar = tqdm(
            train_loader,
            desc=f"epoch {epoch}/{trainer_cfg.epochs}",
            disable=not accelerator.is_local_main_process,
        )
        for batch in bar:
            with accelerator.accumulate(model):
                labels, example_weight = batch.pop("labels"), batch.pop("weight")
                logits = model(**batch).logits
                per_example = torch.nn.functional.cross_entropy(
                    logits, labels, weight=weights, reduction="none"
                )
                loss = (per_example * example_weight).sum() / example_weight.sum()
                accelerator.backward(loss)
                if accelerator.sync_gradients and trainer_cfg.max_grad_norm:
                    accelerator.clip_grad_norm_(model.parameters(), trainer_cfg.max_grad_norm)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
            seen += labels.shape[0]
            loss_sum += loss.item() * labels.shape[0]
            bar.set_postfix(loss=f"{loss.item():.3f}")
        train_seconds = time.perf_counter() - started

        logits, labels = predict_logits(model, eval_loader, accelerator)
        val_f1 = _macro_f1(labels, logits)
        improved = val_f1 > state["best_f1"]
        state.update(epoch=epoch, bad_epochs=0 if improved else state["bad_epochs"] + 1)
        if improved:
            state.update(best_f1=val_f1, best_epoch=epoch)
        record = {
            "epoch": epoch,
            "train_loss": loss_sum / max(seen, 1),
            "val_macro_f1": val_f1,
            "val_accuracy": float((logits.argmax(-1) == labels).mean()),
            "lr": scheduler.get_last_lr()[0],
            "train_seconds": train_seconds,
            "train_sentences_per_s": seen * accelerator.num_processes / train_seconds,
            "best": improved,
        }
        accelerator.print(json.dumps(record))
        accelerator.wait_for_everyone()
        if accelerator.is_main_process:
            if improved:
                metadata = {
                    "context": cfg.data.context,
                    "max_length": cfg.model.max_length,
                    "epoch": epoch,
                    "val_macro_f1": val_f1,
                    "train_counts": train_counts,
                    "config": resolved_cfg,
                }
                save_checkpoint(accelerator.unwrap_model(model), tokenizer, model_dir, metadata)
            with metrics_path.open("a") as handle:
                handle.write(json.dumps(record) + "\n")
        save_resume_state(accelerator, state_dir, state)
    accelerator.wait_for_everyone()
    log.info(
        "best validation macro-F1 %.4f at epoch %d; model in %s",
        state["best_f1"],
        state["best_epoch"],
        model_dir,
    )
    if trainer_cfg.calibrate:
        calibrate_checkpoint(accelerator, model, eval_loader, model_dir)
    if accelerator.is_main_process:
        write_model_card(model_dir)
    if cfg.test and accelerator.is_main_process:
        evaluate_test_split(cfg, model_dir, run_dir)
    return model_dir


def calibrate_checkpoint(accelerator: Accelerator, model, eval_loader: DataLoader, model_dir: Path) -> None:
    """Fit temperature scaling on validation logits of the *best* checkpoint and store it there."""
    best = load_file(str(model_dir / "model.safetensors"))
    accelerator.unwrap_model(model).load_state_dict(best, strict=False)
    logits, labels = predict_logits(model, eval_loader, accelerator)
    if not accelerator.is_main_process:
        return
    temperature = fit_temperature(logits, labels)
    logits_t, labels_t = torch.as_tensor(logits), torch.as_tensor(labels, dtype=torch.long)
    before = torch.softmax(logits_t, -1).numpy()
    after = torch.softmax(logits_t / temperature, -1).numpy()
    metadata_path = model_dir / METADATA_FILE
    metadata = json.loads(metadata_path.read_text())
    metadata.update(
        temperature=temperature,
        val_nll_uncalibrated=float(torch.nn.functional.cross_entropy(logits_t, labels_t)),
        val_nll_calibrated=float(torch.nn.functional.cross_entropy(logits_t / temperature, labels_t)),
        val_ece_uncalibrated=expected_calibration_error(before, labels),
        val_ece_calibrated=expected_calibration_error(after, labels),
    )
    atomic_write_text(metadata_path, json.dumps(metadata, indent=2, default=str) + "\n")
    log.info(
        "temperature %.3f: validation ECE %.4f -> %.4f",
        temperature,
        metadata["val_ece_uncalibrated"],
        metadata["val_ece_calibrated"],
    )


def evaluate_test_split(cfg: DictConfig, model_dir: Path, run_dir: Path) -> None:
    """``test=true``: evaluate the best checkpoint on the gold test split into the run dir (sweeps)."""
    from claimtype.evaluation import evaluate
    from claimtype.inference import ClaimTypeClassifier

    rows = list(build_dataset_from_config(cfg.data)["test"])
    metrics = evaluate(ClaimTypeClassifier.from_pretrained(model_dir), rows, run_dir, "test", str(model_dir))
    log.info("test macro-F1 %.4f (report: %s)", metrics["macro_f1"], run_dir / "report.md")

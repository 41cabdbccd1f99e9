"""The training loop: explicit, on Accelerate (one process, several processes under ``accelerate
launch``, mixed precision), modelled on HF's ``run_glue_no_trainer.py``.

``train()`` reads as three steps:

* setup: ``prepare_run`` tokenises once, pads per batch, builds AdamW with a linear warm-up schedule
  and hands it all to Accelerate; ``Checkpoints.restore`` starts fresh or resumes
  (``trainer.resume=true``); ``start_tracking`` opens the experiment tracker (``trainer.log_with``);
* the epoch loop: ``run_epoch`` (``train_one_epoch``, then ``validate`` on the validation split),
  then ``Checkpoints.save_epoch``: the best checkpoint by macro-F1, one metrics line, the resumable
  state (model, optimiser, scheduler, RNG); early stopping when macro-F1 no longer improves;
* ``finish_run``: temperature calibration and the prior correction, the model card, the test
  evaluation (``test=true``).

Only the main process writes files, except Accelerate's resumable state, to which every process adds
its own RNG state.
"""

from __future__ import annotations

import json
import logging
import math
import random
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from accelerate import Accelerator
from accelerate.scheduler import AcceleratedScheduler
from accelerate.utils import (
    DataLoaderConfiguration,
    is_mlflow_available,
    is_tensorboard_available,
    set_seed,
)
from datasets import Dataset, DatasetDict
from omegaconf import DictConfig, OmegaConf
from safetensors.torch import load_file
from torch.optim.lr_scheduler import LRScheduler
from torch.utils.data import DataLoader, Sampler
from tqdm.auto import tqdm
from transformers import DataCollatorWithPadding, PreTrainedTokenizerBase, get_scheduler

from claimtype.calibration import fit_prior_correction, fit_temperature
from claimtype.cls_only import supports_cls_only, with_cls_only_last_layer
from claimtype.context import CONTEXT_FORMAT
from claimtype.data import build_dataset_from_config
from claimtype.evaluation import expected_calibration_error
from claimtype.io import atomic_write_text, recover_swap
from claimtype.labels import LABELS
from claimtype.losses import example_losses
from claimtype.metrics import macro_f1
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

# trainer.log_with -> whether its package is installed (Accelerate would silently log nowhere).
TRACKER_INSTALLED: dict[str, Callable[[], bool]] = {
    "tensorboard": is_tensorboard_available,
    "mlflow": is_mlflow_available,
}


class LengthGroupedBatches(Sampler[list[int]]):
    """Batches of similar-length examples, in random order: little padding, still shuffled.

    Like HF's length-grouped sampler: shuffle, cut into mega-batches of 50 batches, sort each by
    length, slice into batches, then shuffle the batches. Re-seeded each epoch via ``set_epoch``.
    """

    def __init__(self, lengths: list[int], batch_size: int, seed: int, mega: int = 50):
        # ``size``, not ``batch_size``: Accelerate's sharding reads a ``batch_size`` attribute as "every
        # batch full but the last" and drops rounds around a short batch; ours can be anywhere.
        self.lengths, self.size, self.seed, self.mega, self.epoch = lengths, batch_size, seed, mega, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __iter__(self) -> Iterator[list[int]]:
        rng = random.Random(self.seed + self.epoch)
        order = list(range(len(self.lengths)))
        rng.shuffle(order)
        size = self.size * self.mega
        batches = []
        for start in range(0, len(order), size):
            chunk = sorted(order[start : start + size], key=lambda i: -self.lengths[i])
            batches += [chunk[i : i + self.size] for i in range(0, len(chunk), self.size)]
        rng.shuffle(batches)
        return iter(batches)

    def __len__(self) -> int:
        return math.ceil(len(self.lengths) / self.size)


def tokenize_splits(
    dataset: DatasetDict, tokenizer: PreTrainedTokenizerBase, context: str, max_length: int
) -> DatasetDict:
    """Tokenise every split once (with the article context the mode reads); keep labels, per-example
    weights and teacher distributions, drop the text columns."""

    def tokenize(batch: dict) -> dict:
        return encode(
            tokenizer,
            batch["text"],
            batch["prev_text"],
            context,
            max_length,
            titles=batch["title"],
            following=batch["next_text"],
        )

    keep = {"label", "weight", "soft"}
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
    split: Dataset, collator: DataCollatorWithPadding, batch_size: int, seed: int, group_by_length: bool
) -> DataLoader:
    """Shuffled training batches; length-grouped ones pad far less (the main CPU speed lever)."""
    if group_by_length:
        sampler = LengthGroupedBatches([len(ids) for ids in split["input_ids"]], batch_size, seed)
        return DataLoader(split, batch_sampler=sampler, collate_fn=collator)
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(split, batch_size=batch_size, shuffle=True, generator=generator, collate_fn=collator)


def make_optimizer(model: torch.nn.Module, trainer_cfg: DictConfig) -> torch.optim.AdamW:
    """AdamW without weight decay on biases and layer norms, as BERT was trained. Its fused kernel
    makes the same update as the default one in about a fifth of the time: on a 2-core CPU the optimiser
    step fell from 7% to 2% of a MiniLM training step (docs/experiments.md)."""
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
    return torch.optim.AdamW(groups, lr=trainer_cfg.lr, fused=True)


def make_schedule(
    optimizer: torch.optim.Optimizer, batches_per_epoch: int, trainer_cfg: DictConfig, num_processes: int
) -> LRScheduler:
    """Linear warm-up, then linear decay to 0 at the last step. Counted as Accelerate steps it: each
    process gets ceil(batches / processes) batches, and the prepared scheduler advances once per
    process at every optimiser update."""
    per_process = math.ceil(batches_per_epoch / num_processes)
    total_steps = math.ceil(per_process / trainer_cfg.grad_accum_steps) * trainer_cfg.epochs * num_processes
    return get_scheduler(
        "linear",
        optimizer,
        num_warmup_steps=int(trainer_cfg.warmup_ratio * total_steps),
        num_training_steps=total_steps,
    )


def make_accelerator(trainer_cfg: DictConfig, run_dir: Path) -> Accelerator:
    """The Accelerator as launched (one process or several), with ``trainer.log_with``'s tracker
    (TensorBoard writes under the run dir). A tracker whose package is missing is one clear error."""
    log_with = None if trainer_cfg.log_with == "none" else trainer_cfg.log_with
    if log_with is not None and not TRACKER_INSTALLED[log_with]():
        raise ValueError(
            f"trainer.log_with={log_with} needs the {log_with} package: pip install 'claimtype[{log_with}]'"
        )
    return Accelerator(
        gradient_accumulation_steps=trainer_cfg.grad_accum_steps,
        mixed_precision=trainer_cfg.mixed_precision,
        cpu=trainer_cfg.cpu,
        log_with=log_with,
        project_dir=str(run_dir),
        # Seed the shuffling sampler by epoch (group_by_length=false), so a resumed run reshuffles alike.
        dataloader_config=DataLoaderConfiguration(use_seedable_sampler=True),
    )


@dataclass
class Run:
    """What the epoch loop works with; model, optimiser, scheduler and loaders prepared by Accelerate."""

    accelerator: Accelerator
    model: torch.nn.Module
    tokenizer: PreTrainedTokenizerBase
    optimizer: torch.optim.Optimizer
    scheduler: AcceleratedScheduler
    train_loader: DataLoader
    eval_loader: DataLoader
    loss_weights: torch.Tensor | None
    # The length-grouped sampler itself: under several processes Accelerate wraps it, and the
    # prepared loader's set_epoch no longer reaches it.
    length_batches: LengthGroupedBatches | None
    train_counts: dict[str, int]


def prepare_run(cfg: DictConfig, run_dir: Path) -> Run:
    """Seed, tokenise, build loaders, model, optimiser and schedule, and prepare them with Accelerate.

    The order is fixed: it decides what the seeded random generators are used for first."""
    trainer_cfg = cfg.trainer
    accelerator = make_accelerator(trainer_cfg, run_dir)
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
    if trainer_cfg.cls_only_last_layer:
        if supports_cls_only(model, training=True):
            with_cls_only_last_layer(model)  # the same loss and gradients for a sixth less of MiniLM's work
        else:
            log.info(
                "trainer.cls_only_last_layer: %s is not a BERT classifier with sdpa or eager attention; "
                "its last layer trains in full",
                type(model).__name__,
            )
    optimizer = make_optimizer(model, trainer_cfg)
    scheduler = make_schedule(optimizer, len(train_loader), trainer_cfg, accelerator.num_processes)
    weights = class_weights(encoded["train"]["labels"], trainer_cfg.class_weights)
    length_batches = train_loader.batch_sampler
    model, optimizer, train_loader, eval_loader, scheduler = accelerator.prepare(
        model, optimizer, train_loader, eval_loader, scheduler
    )
    return Run(
        accelerator=accelerator,
        model=model,
        tokenizer=tokenizer,
        optimizer=optimizer,
        scheduler=scheduler,
        train_loader=train_loader,
        eval_loader=eval_loader,
        loss_weights=None if weights is None else weights.to(accelerator.device),
        length_batches=length_batches if isinstance(length_batches, LengthGroupedBatches) else None,
        train_counts=label_counts(dataset["train"]["label"]),
    )


@torch.inference_mode()
def predict_logits(
    model: torch.nn.Module, loader: DataLoader, accelerator: Accelerator
) -> tuple[np.ndarray, np.ndarray]:
    """Logits and gold labels over a loader, gathered across processes (padding duplicates dropped)."""
    model.eval()
    all_logits, all_labels = [], []
    for batch in loader:
        labels = batch.pop("labels")
        batch.pop("weight", None)
        batch.pop("soft", None)
        logits = model(**batch).logits
        logits, labels = accelerator.gather_for_metrics((logits, labels))
        all_logits.append(logits.float().cpu().numpy())
        all_labels.append(labels.cpu().numpy())
    return np.concatenate(all_logits), np.concatenate(all_labels)


@dataclass
class Progress:
    """Where training stands: the part of a resumable state Accelerate does not keep (trainer_state.json)."""

    epoch: int = 0
    best_f1: float = -1.0
    best_epoch: int = 0
    bad_epochs: int = 0

    def update(self, epoch: int, val_f1: float) -> bool:
        """Record an epoch's validation macro-F1; True when it is a new best."""
        improved = val_f1 > self.best_f1
        self.epoch = epoch
        self.bad_epochs = 0 if improved else self.bad_epochs + 1
        if improved:
            self.best_f1, self.best_epoch = val_f1, epoch
        return improved


def train_one_epoch(run: Run, epoch: int, trainer_cfg: DictConfig) -> tuple[float, float, float]:
    """One pass over this process's training batches; returns the mean loss and the sentence count,
    both over all processes, and the seconds it took."""
    accelerator, model = run.accelerator, run.model
    model.train()
    # The prepared loader re-seeds its sampler from its own pass counter, which restarts at 0 in a
    # resumed run: set it from the real epoch (0-based, as it counts) so every epoch sees the same
    # batches, resumed or not, and fresh runs the ones they always did.
    run.train_loader.set_epoch(epoch - 1)
    if run.length_batches is not None:
        run.length_batches.set_epoch(epoch - 1)
    started, seen, loss_sum = time.perf_counter(), 0, 0.0
    bar = tqdm(
        run.train_loader,
        desc=f"epoch {epoch}/{trainer_cfg.epochs}",
        disable=not accelerator.is_local_main_process,
    )
    for batch in bar:
        with accelerator.accumulate(model):
            labels, example_weight, soft = batch.pop("labels"), batch.pop("weight"), batch.pop("soft", None)
            logits = model(**batch).logits
            per_example = example_losses(
                logits, labels, run.loss_weights, soft, trainer_cfg.distill_temperature
            )
            loss = (per_example * example_weight).sum() / example_weight.sum()
            accelerator.backward(loss)
            if accelerator.sync_gradients and trainer_cfg.max_grad_norm:
                accelerator.clip_grad_norm_(model.parameters(), trainer_cfg.max_grad_norm)
            run.optimizer.step()
            run.scheduler.step()
            run.optimizer.zero_grad()
        seen += labels.shape[0]
        loss_sum += loss.item() * labels.shape[0]
        bar.set_postfix(loss=f"{loss.item():.3f}")
    seconds = time.perf_counter() - started
    totals = torch.tensor([loss_sum, seen], dtype=torch.float64, device=accelerator.device)
    loss_sum, seen = accelerator.reduce(totals, reduction="sum").tolist()
    return loss_sum / max(seen, 1), seen, seconds


def validate(run: Run) -> tuple[float, float]:
    """Macro-F1 and accuracy on the validation split (every process gets the same numbers)."""
    logits, labels = predict_logits(run.model, run.eval_loader, run.accelerator)
    return macro_f1(labels, logits.argmax(-1)), float((logits.argmax(-1) == labels).mean())


def run_epoch(run: Run, epoch: int, trainer_cfg: DictConfig, progress: Progress) -> dict[str, Any]:
    """Train one epoch, validate, update ``progress``; returns the epoch's metrics record."""
    train_loss, sentences, seconds = train_one_epoch(run, epoch, trainer_cfg)
    val_f1, val_accuracy = validate(run)
    record = {
        "epoch": epoch,
        "train_loss": train_loss,
        "val_macro_f1": val_f1,
        "val_accuracy": val_accuracy,
        "lr": run.scheduler.get_last_lr()[0],
        "train_seconds": seconds,
        "train_sentences_per_s": sentences / seconds,
        "best": progress.update(epoch, val_f1),
    }
    run.accelerator.print(json.dumps(record))
    return record


def save_resume_state(accelerator: Accelerator, state_dir: Path, state: dict) -> None:
    """Save model/optimiser/scheduler/RNG state beside a temp dir, then swap: a kill leaves the old one."""
    tmp_dir = state_dir.with_name(state_dir.name + ".tmp")
    if accelerator.is_main_process:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    accelerator.wait_for_everyone()
    accelerator.save_state(str(tmp_dir))
    accelerator.wait_for_everyone()  # every process's RNG state is in before the swap
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


@dataclass(frozen=True)
class RunFiles:
    """Where a run writes: experiments/<name>/ (or its multirun job folder)."""

    run_dir: Path

    @property
    def model_dir(self) -> Path:
        return self.run_dir / "model"

    @property
    def state_dir(self) -> Path:
        return self.run_dir / "checkpoints" / "last"

    @property
    def metrics(self) -> Path:
        return self.run_dir / "metrics.jsonl"


def check_run_dir(model_dir: Path, resume: bool, overwrite: bool) -> None:
    """A run never deletes a trained model it was not asked to replace. With ``overwrite`` the old
    model stays until the new run saves its first best checkpoint in its place."""
    if resume or overwrite or not (model_dir / METADATA_FILE).is_file():
        return
    raise ValueError(
        f"{model_dir} already holds a trained model: continue it with trainer.resume=true, "
        "train under another name=..., or replace it with overwrite=true"
    )


class Checkpoints:
    """A run's files across epochs: the best model, one metrics line per epoch, the resumable state.

    Every save is a swap (temp dir, then rename), so a kill at any moment leaves a run that
    ``trainer.resume=true`` continues to the result an uninterrupted run gives.
    """

    def __init__(self, run: Run, files: RunFiles, cfg: DictConfig, resolved_config: dict) -> None:
        self.run, self.files = run, files
        self.context, self.max_length = cfg.data.context, cfg.model.max_length
        self.resolved_config = resolved_config

    def restore(self, resume: bool) -> Progress:
        """With ``resume`` and a saved state: that state (after finishing a swap a kill cut short);
        otherwise a fresh start, which keeps an old model (overwrite=true) until this run's first best."""
        accelerator, files = self.run.accelerator, self.files
        if resume and accelerator.is_main_process:
            recover_swap(files.state_dir, STATE_FILE)
            recover_swap(files.model_dir, METADATA_FILE)
        accelerator.wait_for_everyone()
        if resume and (files.state_dir / STATE_FILE).is_file():
            accelerator.load_state(str(files.state_dir))
            progress = Progress(**json.loads((files.state_dir / STATE_FILE).read_text()))
            if accelerator.is_main_process:
                keep_metrics_until(files.metrics, progress.epoch)
                log.info("resumed from %s after epoch %d", files.state_dir, progress.epoch)
            return progress
        if accelerator.is_main_process:
            files.run_dir.mkdir(parents=True, exist_ok=True)
            files.metrics.unlink(missing_ok=True)
        return Progress()

    def save_epoch(self, record: dict[str, Any], progress: Progress) -> None:
        """After an epoch: a new best replaces the model, its metrics line is appended, then the
        resumable state is saved (last: what it records is done)."""
        accelerator = self.run.accelerator
        accelerator.wait_for_everyone()
        if accelerator.is_main_process:
            if record["best"]:
                metadata = {
                    "context": self.context,
                    "context_format": CONTEXT_FORMAT,
                    "max_length": self.max_length,
                    "epoch": record["epoch"],
                    "val_macro_f1": record["val_macro_f1"],
                    "train_counts": self.run.train_counts,
                    "config": self.resolved_config,
                }
                model = accelerator.unwrap_model(self.run.model)
                save_checkpoint(model, self.run.tokenizer, self.files.model_dir, metadata)
            with self.files.metrics.open("a") as handle:
                handle.write(json.dumps(record) + "\n")
        save_resume_state(accelerator, self.files.state_dir, asdict(progress))


def flat_config(config: dict[str, Any], prefix: str = "") -> dict[str, bool | int | float | str | None]:
    """``{"trainer": {"lr": 1e-4}}`` -> ``{"trainer.lr": 1e-4}``: trackers take one level of scalar
    hyperparameters (TensorBoard's hparams refuse lists)."""
    flat: dict[str, bool | int | float | str | None] = {}
    for key, value in config.items():
        if isinstance(value, dict):
            flat.update(flat_config(value, f"{prefix}{key}."))
        elif value is None or isinstance(value, bool | int | float | str):
            flat[f"{prefix}{key}"] = value
        else:
            flat[f"{prefix}{key}"] = str(value)
    return flat


def start_tracking(accelerator: Accelerator, name: str, resolved_config: dict) -> None:
    """Open the run in the tracker ``trainer.log_with`` names (none: nothing), the resolved config as
    its hyperparameters. TensorBoard writes to <run dir>/<name>/; MLflow where MLFLOW_TRACKING_URI says."""
    accelerator.init_trackers(name, config=flat_config(resolved_config))


def track_epoch(accelerator: Accelerator, record: dict[str, Any]) -> None:
    """Send an epoch's metrics record to the tracker, at step = epoch (trackers take numbers only)."""
    metrics = {key: float(value) for key, value in record.items() if key != "epoch"}
    accelerator.log(metrics, step=record["epoch"])


def train(cfg: DictConfig) -> Path:
    """Train from a composed config; returns the directory of the best checkpoint."""
    validate_config(cfg)
    files = RunFiles(Path(cfg.paths.run_dir))
    check_run_dir(files.model_dir, cfg.trainer.resume, cfg.overwrite)
    resolved_config = OmegaConf.to_container(cfg, resolve=True)

    run = prepare_run(cfg, files.run_dir)
    checkpoints = Checkpoints(run, files, cfg, resolved_config)
    progress = checkpoints.restore(cfg.trainer.resume)
    start_tracking(run.accelerator, cfg.name, resolved_config)
    try:
        for epoch in range(progress.epoch + 1, cfg.trainer.epochs + 1):
            if progress.bad_epochs >= cfg.trainer.early_stopping_patience:
                break
            record = run_epoch(run, epoch, cfg.trainer, progress)
            checkpoints.save_epoch(record, progress)
            track_epoch(run.accelerator, record)
        finish_run(cfg, run, files, progress)
    except BaseException:
        # A crash or Ctrl-C: what the tracker has of the finished epochs reaches disk. The process
        # group is left to the exit (destroying it while another process is mid-collective can hang).
        for tracker in run.accelerator.trackers:
            tracker.finish()
        raise
    close_run(run)
    return files.model_dir


def finish_run(cfg: DictConfig, run: Run, files: RunFiles, progress: Progress) -> None:
    """After the last epoch: calibrate the best checkpoint, write its model card, evaluate it on the
    test split (``test=true``)."""
    accelerator = run.accelerator
    accelerator.wait_for_everyone()
    if accelerator.is_main_process:
        log.info(
            "best validation macro-F1 %.4f at epoch %d; model in %s",
            progress.best_f1,
            progress.best_epoch,
            files.model_dir,
        )
    if cfg.trainer.calibrate or cfg.trainer.prior_correction:
        calibrate_checkpoint(run, files.model_dir, cfg.trainer)
    if accelerator.is_main_process:
        write_model_card(files.model_dir)
        if cfg.test:
            evaluate_test_split(cfg, files.model_dir, files.run_dir)


def close_run(run: Run) -> None:
    """Close the trackers and the process group once every process is done, the DDP wrapper
    released first: its gradient reducer holds the group, and freed after the group is destroyed it
    can hang for good in the group's destructor (gloo, two processes on CPU: 2 runs of 9 hung before
    this order, none of 24 after)."""
    accelerator = run.accelerator
    accelerator.wait_for_everyone()
    run.model = accelerator.unwrap_model(run.model)
    accelerator.free_memory()  # drops the accelerator's own references, then collects
    accelerator.end_training()


def effective_train_counts(run: Run) -> np.ndarray:
    """Label counts as the loss saw them: times the class weights (balanced: the same for every label)."""
    counts = np.array([run.train_counts.get(label, 0) for label in LABELS], dtype=np.float64)
    return counts if run.loss_weights is None else counts * run.loss_weights.cpu().numpy()


def calibrate_checkpoint(run: Run, model_dir: Path, trainer_cfg: DictConfig) -> None:
    """Fit on validation logits of the *best* checkpoint what ``trainer.calibrate`` (temperature
    scaling) and ``trainer.prior_correction`` (claimtype.calibration) ask for; store it there."""
    accelerator = run.accelerator
    best = load_file(str(model_dir / "model.safetensors"))
    accelerator.unwrap_model(run.model).load_state_dict(best, strict=False)
    logits, labels = predict_logits(run.model, run.eval_loader, accelerator)
    if not accelerator.is_main_process:
        return
    metadata_path = model_dir / METADATA_FILE
    metadata = json.loads(metadata_path.read_text())
    temperature = 1.0
    if trainer_cfg.calibrate:
        temperature = fit_temperature(logits, labels)
        logits_t, labels_t = torch.as_tensor(logits), torch.as_tensor(labels, dtype=torch.long)
        before = torch.softmax(logits_t, -1).numpy()
        after = torch.softmax(logits_t / temperature, -1).numpy()
        metadata.update(
            temperature=temperature,
            val_nll_uncalibrated=float(torch.nn.functional.cross_entropy(logits_t, labels_t)),
            val_nll_calibrated=float(torch.nn.functional.cross_entropy(logits_t / temperature, labels_t)),
            val_ece_uncalibrated=expected_calibration_error(before, labels),
            val_ece_calibrated=expected_calibration_error(after, labels),
        )
        log.info(
            "temperature %.3f: validation ECE %.4f -> %.4f",
            temperature,
            metadata["val_ece_uncalibrated"],
            metadata["val_ece_calibrated"],
        )
    if trainer_cfg.prior_correction:
        metadata.update(fit_prior_correction(logits / temperature, labels, effective_train_counts(run)))
        fitted = metadata["prior_correction"]
        log.info(
            "prior correction at strength %.1f: validation macro-F1 %.4f -> %.4f",
            fitted["strength"],
            fitted["val_macro_f1_plain"],
            fitted["val_macro_f1_corrected"],
        )
    atomic_write_text(metadata_path, json.dumps(metadata, indent=2, default=str) + "\n")


def evaluate_test_split(cfg: DictConfig, model_dir: Path, run_dir: Path) -> None:
    """``test=true``: evaluate the best checkpoint on the complete-article test split into the run
    dir, and on the cue-drawn test_cue split (when the data has one) into <run dir>/test_cue/, as
    ``claimtype evaluate`` would (sweeps, the model ladder: ``claimtype runs`` reads both)."""
    from claimtype.evaluation import evaluate
    from claimtype.inference import ClaimTypeClassifier

    dataset = build_dataset_from_config(cfg.data)
    classifier = ClaimTypeClassifier.from_pretrained(model_dir)
    for split, output_dir in (("test", run_dir), ("test_cue", run_dir / "test_cue")):
        if split not in dataset:
            continue
        metrics = evaluate(classifier, list(dataset[split]), output_dir, split, str(model_dir))
        log.info("%s macro-F1 %.4f (report: %s)", split, metrics["macro_f1"], output_dir / "report.md")

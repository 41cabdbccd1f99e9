"""Every setting a user can type, checked in one place before any work starts.

Hydra gives command-line values as typed (``trainer.lr=abc`` arrives as a string), so each entry
point calls ``validate_config(cfg)`` first: a setting that the composed config holds is checked
against its kind and bounds, or its allowed values; settings a task does not have are skipped.
"""

from __future__ import annotations

from omegaconf import DictConfig, OmegaConf

# key: (kind, lowest, highest); None = unbounded.
NUMBERS: dict[str, tuple[type, float | None, float | None]] = {
    "seed": (int, None, None),
    "trainer.epochs": (int, 1, None),
    "trainer.batch_size": (int, 1, None),
    "trainer.eval_batch_size": (int, 1, None),
    "trainer.lr": (float, 0.0, None),
    "trainer.weight_decay": (float, 0.0, None),
    "trainer.warmup_ratio": (float, 0.0, 1.0),
    "trainer.grad_accum_steps": (int, 1, None),
    "trainer.max_grad_norm": (float, 0.0, None),
    "trainer.early_stopping_patience": (int, 1, None),
    "trainer.threads": (int, 0, None),
    "trainer.distill_temperature": (float, 0.05, None),
    "model.max_length": (int, 8, None),
    "data.split.validation": (float, 0.0, 1.0),
    "data.split.test": (float, 0.0, 1.0),
    "data.split.seed": (int, None, None),
    "data.silver_weight": (float, 0.0, None),
    "data.teacher_weight": (float, 0.0, None),
    "inference.batch_size": (int, 1, None),
    "inference.threads": (int, 0, None),
    "min_score": (float, 0.0, 1.0),
    "ray.concurrency": (int, 1, None),
    "ray.threads_per_actor": (int, 1, None),
    "ray.shard_documents": (int, 1, None),
    "ray.num_cpus": (int, 0, None),
    "ray.object_store_mb": (int, 0, None),
    "n_errors": (int, 0, None),
    # claimtype benchmark
    "speed.sentences": (int, 1, None),
    "speed.repeats": (int, 1, None),
    "speed.chunk": (int, 1, None),
    "speed.pipeline_batch_size": (int, 1, None),
    "setfit.max_steps": (int, 1, None),
    "setfit.batch_size": (int, 1, None),
    "setfit.num_iterations": (int, 1, None),
    "memory.articles": (int, 1, None),
    "memory.factor": (int, 2, None),
    "end_to_end.articles": (int, 1, None),
    "end_to_end.repeats": (int, 1, None),
    "split_time.repeats": (int, 1, None),
    "ray.repeats": (int, 1, None),
}


def choices() -> dict[str, tuple[str, ...]]:
    """Settings with a fixed set of values, taken from the modules that implement them."""
    from claimtype.context import CONTEXT_MODES
    from claimtype.data import SPLITS
    from claimtype.inference import BACKENDS, QUANTIZE_MODES
    from claimtype.labeller import ENGINES

    return {
        "data.context": CONTEXT_MODES,
        "trainer.class_weights": ("none", "balanced"),
        "trainer.log_with": ("none", "tensorboard", "mlflow"),
        "inference.backend": BACKENDS,
        "inference.quantize": QUANTIZE_MODES,
        "engine": ENGINES,
        "split": SPLITS,
    }


_ABSENT = object()


def check_number(key: str, value: object, kind: type, low: float | None, high: float | None) -> None:
    """One clear message for a value that is not a number of the right kind within its bounds."""
    is_int = isinstance(value, int) and not isinstance(value, bool)
    ok = is_int if kind is int else (is_int or isinstance(value, float))
    if not ok:
        raise ValueError(f"{key} must be {'a whole number' if kind is int else 'a number'}, got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        bounds_text = f"at least {low}" if high is None else f"between {low} and {high}"
        raise ValueError(f"{key} must be {bounds_text}, got {value!r}")


def validate_config(cfg: DictConfig) -> None:
    """Check every known setting the composed config holds; raise ValueError on the first bad one."""
    for key, (kind, low, high) in NUMBERS.items():
        value = OmegaConf.select(cfg, key, default=_ABSENT)
        if value is not _ABSENT:
            check_number(key, value, kind, low, high)
    for key, allowed in choices().items():
        value = OmegaConf.select(cfg, key, default=_ABSENT)
        if value is not _ABSENT and value not in allowed:
            raise ValueError(f"{key} must be one of {', '.join(allowed)}, got {value!r}")

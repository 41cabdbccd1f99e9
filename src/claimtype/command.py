"""The ``claimtype`` command: one entry point, a subcommand per task, Hydra overrides as today.

    claimtype train experiment=quickstart trainer.lr=5e-5
    claimtype evaluate model_dir=experiments/quickstart/model split=test_cue
    claimtype label model_dir=... input=article.txt output=out.jsonl
    claimtype data build
    claimtype benchmark

The configs ship inside the package (``claimtype.configs``, the repository's ``configs/``); a
user's own config folder joins the search path with ``--config-dir DIR`` (Hydra's flag), e.g. for
an ``experiment/mine.yaml`` of one's own. Paths default to the current directory (``data/``,
``experiments/``), so the command works from any folder.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import hydra
from omegaconf import DictConfig

from claimtype.cli import user_errors_exit

CONFIGS = "pkg://claimtype.configs"


def _task(name: str) -> Callable[[DictConfig], None]:
    from claimtype import tasks

    return getattr(tasks, name)


# subcommand -> (config name, task function name in claimtype.tasks, one-line description)
SUBCOMMANDS: dict[str, tuple[str, str, str]] = {
    "train": (
        "train",
        "train_task",
        "fine-tune a classifier (config groups: model, data, trainer, paths, experiment)",
    ),
    "evaluate": ("evaluate", "evaluate_task", "evaluate a checkpoint on a split, write its report"),
    "label": ("label", "label_task", "label articles with a checkpoint (resumable, JSONL/CSV + HTML)"),
    "data build": (
        "train",
        "build_data_task",
        "build the train/validation/test DatasetDict, print the splits",
    ),
    "benchmark": (
        "benchmark",
        "benchmark_task",
        "baselines, speed and memory benchmarks -> docs/benchmarks.md",
    ),
}

USAGE = "usage: claimtype <subcommand> [key=value ...] [--help]"


def render_help() -> str:
    width = max(map(len, SUBCOMMANDS))
    lines = [USAGE, "", "subcommands:"]
    lines += [f"  {name.ljust(width)}  {description}" for name, (_, _, description) in SUBCOMMANDS.items()]
    lines += [
        "",
        "Each takes Hydra overrides (key=value, -m for a multirun); `claimtype <subcommand> --help` lists",
        "its config groups and settings, `--cfg job` prints the composed config without running.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Dispatch ``argv`` (default: the command line) to a subcommand's Hydra task."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(render_help())
        return
    name = argv.pop(0)
    if name == "data":
        if not argv or f"data {argv[0]}" not in SUBCOMMANDS:
            print("error: usage: claimtype data build [key=value ...]", file=sys.stderr)
            sys.exit(2)
        name = f"data {argv.pop(0)}"
    if name not in SUBCOMMANDS:
        print(f"error: unknown subcommand {name!r}; `claimtype --help` lists them", file=sys.stderr)
        sys.exit(2)
    config_name, task_name, _ = SUBCOMMANDS[name]
    sys.argv = [f"claimtype {name}", *argv]  # Hydra reads the overrides from sys.argv
    task = user_errors_exit(_task(task_name))
    hydra.main(config_path=CONFIGS, config_name=config_name, version_base="1.3")(task)()

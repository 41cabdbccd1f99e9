"""The ``claimtype`` command: one entry point, a subcommand per task, Hydra overrides as today.

    claimtype train experiment=quickstart trainer.lr=5e-5
    claimtype evaluate model_dir=experiments/quickstart/model split=test_cue
    claimtype label model_dir=... input=article.txt output=out.jsonl
    claimtype data build
    claimtype data stats --check
    claimtype benchmark
    claimtype runs experiments/ladder* --seeds

The configs ship inside the package (``claimtype.configs``, the repository's ``configs/``); a
user's own config folder joins the search path with ``--config-dir DIR`` (Hydra's flag), e.g. for
an ``experiment/mine.yaml`` of one's own. Paths default to the current directory (``data/``,
``experiments/``), so the command works from any folder.

The data and report tools (``data stats``, ``data silver``, ``readme``) are not Hydra tasks: they take
plain ``--options`` (argparse), parsed by the module that does the work.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable

import hydra
from omegaconf import DictConfig

from claimtype.cli import USER_ERRORS, user_errors_exit
from claimtype.errors import error_line

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
    "data teacher": (
        "teacher",
        "teacher_task",
        "a teacher model's soft labels for the unlabelled train sentences -> data/teacher/",
    ),
    "benchmark": (
        "benchmark",
        "benchmark_task",
        "baselines, speed and memory benchmarks -> docs/benchmarks.md",
    ),
}

# subcommand -> (module whose ``main(argv, prog)`` parses the options and returns the exit status,
# one-line description)
OPTION_SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "data stats": (
        "claimtype.annotation.card",
        "the data card's figures from the annotation files (--write into data/README.md, --check)",
    ),
    "data silver": (
        "claimtype.annotation.silver",
        "rule-labelled (silver) sentences -> data/silver/silver.jsonl, coverage for the data card",
    ),
    "readme": ("claimtype.readme", "copy the quickstart run's test and test_cue figures into README.md"),
    "runs": (
        "claimtype.runs",
        "training runs side by side; --seeds: mean ± sd over the seeds of each setting",
    ),
}

USAGE = "usage: claimtype <subcommand> [key=value ...] [--help]"


def render_help() -> str:
    descriptions = {name: entry[-1] for name, entry in {**SUBCOMMANDS, **OPTION_SUBCOMMANDS}.items()}
    width = max(map(len, descriptions))
    lines = [USAGE, "", "subcommands:"]
    lines += [f"  {name.ljust(width)}  {description}" for name, description in descriptions.items()]
    lines += [
        "",
        "Each takes Hydra overrides (key=value, -m for a multirun); `claimtype <subcommand> --help` lists",
        "its config groups and settings, `--cfg job` prints the composed config without running.",
        f"{', '.join(OPTION_SUBCOMMANDS)} take --options instead (`--help` lists them).",
    ]
    return "\n".join(lines)


def run_options_subcommand(name: str, argv: list[str]) -> int:
    """Run an options (argparse) subcommand and return its exit status; a user error (a missing
    file, bad data) is one ``error:`` line on stderr and status 2, as for the Hydra tasks."""
    module = importlib.import_module(OPTION_SUBCOMMANDS[name][0])
    try:
        return module.main(argv, prog=f"claimtype {name}")
    except USER_ERRORS as error:
        print(f"error: {error_line(error)}", file=sys.stderr)
        return 2


def main(argv: list[str] | None = None) -> None:
    """Dispatch ``argv`` (default: the command line) to a subcommand: a Hydra task, or an options tool."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(render_help())
        return
    name = argv.pop(0)
    if name == "data":
        known = [n.split()[1] for n in {**SUBCOMMANDS, **OPTION_SUBCOMMANDS} if n.startswith("data ")]
        if not argv or argv[0] not in known:
            print(f"error: usage: claimtype data {{{','.join(known)}}} ...", file=sys.stderr)
            sys.exit(2)
        name = f"data {argv.pop(0)}"
    if name in OPTION_SUBCOMMANDS:
        sys.exit(run_options_subcommand(name, argv))
    if name not in SUBCOMMANDS:
        print(f"error: unknown subcommand {name!r}; `claimtype --help` lists them", file=sys.stderr)
        sys.exit(2)
    config_name, task_name, _ = SUBCOMMANDS[name]
    sys.argv = [f"claimtype {name}", *argv]  # Hydra reads the overrides from sys.argv
    task = user_errors_exit(_task(task_name))
    hydra.main(config_path=CONFIGS, config_name=config_name, version_base="1.3")(task)()

"""Helpers the benchmark's parts share: interleaved timing, quiet training arguments, label commands."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from omegaconf import DictConfig
from tqdm.auto import tqdm

T = TypeVar("T")
R = TypeVar("R")


def rotated(names: Sequence[str], turn: int) -> list[str]:
    """``names`` rotated by ``turn``: over the turns each path runs first, second, ... alike, so a
    slow spell of a shared machine does not always land on the same one."""
    shift = turn % len(names)
    return [*names[shift:], *names[:shift]]


def interleaved(
    runners: Mapping[str, Callable[[T], R]],
    repeats: int,
    parts: Sequence[T] = (None,),
    desc: str = "timing",
) -> tuple[dict[str, list[float]], dict[str, list[R]]]:
    """Time paths side by side: each repeat feeds every runner each part in turn (in rotated order).

    Returns each runner's seconds per repeat (summed over the parts) and its outputs of the last
    repeat, one per part. Paths compared within a repeat share the machine's state at that moment,
    which on a noisy machine matters more than the number of repeats.
    """
    names = list(runners)
    seconds: dict[str, list[float]] = {name: [] for name in names}
    outputs: dict[str, list[R]] = {}
    turn = 0
    with tqdm(total=repeats * len(parts), desc=desc, unit="part") as bar:
        for _ in range(repeats):
            totals = dict.fromkeys(names, 0.0)
            outputs = {name: [] for name in names}
            for part in parts:
                for name in rotated(names, turn):
                    started = time.perf_counter()
                    outputs[name].append(runners[name](part))
                    totals[name] += time.perf_counter() - started
                turn += 1
                bar.update()
            for name, total in totals.items():
                seconds[name].append(total)
    return seconds, outputs


def quiet_training_arguments(arguments: type[T], output_dir: Path, seed: int, **settings: Any) -> T:
    """``TrainingArguments`` (transformers' or SetFit's: the same shape) for a timed run: no
    checkpoints, logs or trackers, whose I/O would be timed with the training."""
    return arguments(
        output_dir=str(output_dir),
        seed=seed,
        report_to="none",
        save_strategy="no",
        logging_strategy="no",
        **settings,
    )


def label_command(
    model_dir: Path, input_path: Path, output: Path, inference: DictConfig, *overrides: str
) -> list[str]:
    """``python -m claimtype label`` as a user runs it (this interpreter, the installed package), with
    the benchmark's inference settings and any further overrides."""
    return [
        sys.executable,
        "-m",
        "claimtype",
        "label",
        f"model_dir={Path(model_dir).resolve()}",
        f"input={input_path}",
        f"output={output}",
        "overwrite=true",
        *(f"inference.{key}={value}" for key, value in inference.items()),
        *overrides,
    ]


class CommandFailed(RuntimeError):
    """A command under test exited non-zero; ``reason`` is its exit code and error line."""

    def __init__(self, command: list[str], code: int, line: str):
        self.reason = f"exited with {code}: {line}"
        super().__init__(f"{shlex.join(command)} {self.reason}")


_ERROR_LINE = re.compile(r"^(error:|[\w.]*(Error|Exception)\b)")


def failure_line(output: str) -> str:
    """The line of a failed command's output that says what went wrong: our CLI's ``error:`` line or
    an exception's last line, else the first line of the last paragraph (Hydra's messages), leaving
    out Hydra's hint about HYDRA_FULL_ERROR."""
    lines = [line.strip() for line in output.splitlines() if "HYDRA_FULL_ERROR" not in line]
    errors = [line for line in lines if _ERROR_LINE.match(line)]
    if errors:
        return errors[-1]
    paragraphs = [p.strip() for p in "\n".join(lines).split("\n\n") if p.strip()]
    return paragraphs[-1].splitlines()[0] if paragraphs else "no output"


def run_logged(command: list[str], log_path: Path, cwd: Path) -> float:
    """Run ``command`` with its output in ``log_path``; its wall seconds, or CommandFailed."""
    started = time.perf_counter()
    with log_path.open("w") as log_file:
        code = subprocess.call(command, stdout=log_file, stderr=subprocess.STDOUT, cwd=cwd)
    seconds = time.perf_counter() - started
    if code:
        raise CommandFailed(command, code, failure_line(log_path.read_text(errors="replace")))
    return seconds

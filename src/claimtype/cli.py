"""Shared behaviour of the command-line entry points: one clear error line and a non-zero exit."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from claimtype.errors import error_line

# Errors a user or the environment can cause: bad input or config, unwritable or full disks (OSError).
# Anything else is a bug and keeps its traceback.
USER_ERRORS = (OSError, ValueError, KeyError, OmegaConfBaseException)

FAILED_FILE = "FAILED"  # in a multirun job's folder: the job's error line

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _multirun_job_dir() -> Path | None:
    """The job's folder when this process runs a Hydra multirun, else None."""
    if not HydraConfig.initialized():
        return None
    hydra_cfg = HydraConfig.get()
    return Path(hydra_cfg.runtime.output_dir) if hydra_cfg.mode == RunMode.MULTIRUN else None


def user_errors_exit(task: Callable[[DictConfig], None]) -> Callable[[DictConfig], None]:
    """Wrap a Hydra task: a user error prints ``error: ...`` on stderr and exits with code 2.

    In a multirun the job instead records its error in ``<job dir>/FAILED`` and returns, so the
    other jobs still run; ``SweepReport`` reports the failures and exits non-zero at the end.
    """

    @functools.wraps(task)
    def wrapper(cfg: DictConfig) -> None:
        job_dir = _multirun_job_dir()
        if job_dir is not None:  # a sweep run again in the same folder: only this run's failure counts
            (job_dir / FAILED_FILE).unlink(missing_ok=True)
        try:
            task(cfg)
        except USER_ERRORS as error:
            line = error_line(error)
            if job_dir is None:
                print(f"error: {line}", file=sys.stderr)
                sys.exit(2)
            job_dir.mkdir(parents=True, exist_ok=True)
            (job_dir / FAILED_FILE).write_text(line + "\n", encoding="utf-8")
            print(f"error (job {job_dir.name}, the sweep goes on): {line}", file=sys.stderr)

    return wrapper


class SweepReport(Callback):
    """At the end of a multirun: list the failed jobs with their errors and exit with code 1."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        jobs = sorted(p.parent for p in sweep_dir.glob("*/.hydra"))
        failed = [job for job in jobs if (job / FAILED_FILE).is_file()]
        if not failed:
            return
        overrides = {job: OmegaConf.load(job / ".hydra" / "overrides.yaml") for job in jobs}
        shared = set.intersection(*(set(o) for o in overrides.values()))  # the same in every job
        for job in failed:
            detail = " ".join(o for o in overrides[job] if o not in shared)
            print(
                f"failed job {job.name} ({detail}): {(job / FAILED_FILE).read_text().strip()}",
                file=sys.stderr,
            )
        print(f"error: {len(failed)} of {len(jobs)} jobs failed (see above)", file=sys.stderr)
        sys.exit(1)

"""Shared behaviour of the command-line entry points: one clear error line and a non-zero exit."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable

from omegaconf import DictConfig
from omegaconf.errors import OmegaConfBaseException

# Errors a user can cause with bad input or config; anything else is a bug and keeps its traceback.
USER_ERRORS = (FileNotFoundError, NotADirectoryError, ValueError, KeyError, OmegaConfBaseException)

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def user_errors_exit(task: Callable[[DictConfig], None]) -> Callable[[DictConfig], None]:
    """Wrap a Hydra task: a user error prints ``error: ...`` on stderr and exits with code 2."""

    @functools.wraps(task)
    def wrapper(cfg: DictConfig) -> None:
        try:
            task(cfg)
        except USER_ERRORS as error:
            message = error.args[0] if isinstance(error, KeyError) and error.args else error
            print(f"error: {message}", file=sys.stderr)
            sys.exit(2)

    return wrapper

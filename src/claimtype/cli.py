"""Shared behaviour of the command-line entry points: one clear error line and a non-zero exit."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from omegaconf.errors import OmegaConfBaseException

# Errors a user can cause with bad input or config; anything else is a bug and keeps its traceback.
USER_ERRORS = (FileNotFoundError, NotADirectoryError, ValueError, KeyError, OmegaConfBaseException)


def run_cli(main: Callable[[], None]) -> None:
    """Run a Hydra main; user errors become ``error: ...`` on stderr and exit code 2."""
    os.environ.setdefault("HYDRA_FULL_ERROR", "1")  # let our handler see the real exception
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        main()
    except USER_ERRORS as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"error: {message}", file=sys.stderr)
        sys.exit(2)

"""One-line error messages, shared by the command-line entry points and the loaders."""

from __future__ import annotations


def error_line(error: BaseException) -> str:
    """The first line of an error's message (KeyError: its key, without repr quotes)."""
    message = error.args[0] if isinstance(error, KeyError) and error.args else error
    lines = str(message).strip().splitlines()
    return lines[0] if lines else type(error).__name__

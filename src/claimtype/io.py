"""Small file helpers: atomic writes (temp file + rename) and JSONL reading with clear errors."""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

_UMASK = os.umask(0)
os.umask(_UMASK)


@contextmanager
def _atomic_file(path: Path | str, mode: str) -> Iterator[IO]:
    """A temp file beside ``path``, renamed onto it once the ``with`` block ends: never half-written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, **({"encoding": "utf-8"} if "b" not in mode else {})) as handle:
            yield handle
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path | str, text: str) -> None:
    """Write ``text`` to ``path`` through a temp file in the same folder, then rename: never half-written."""
    with _atomic_file(path, "w") as handle:
        handle.write(text)


def write_jsonl(path: Path | str, rows: Iterable[dict]) -> None:
    """Atomically write ``rows`` as JSONL."""
    atomic_write_text(path, "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))


def write_jsonl_gz(path: Path | str, rows: Iterable[dict]) -> None:
    """Atomically write ``rows`` as gzip-compressed JSONL, byte for byte the same for the same rows."""
    with (
        _atomic_file(path, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as handle,
    ):
        for row in rows:
            handle.write((json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))


def read_jsonl(path: Path | str) -> Iterator[dict]:
    """Yield the JSON objects of a JSONL file (``.gz``: gzip-compressed); a malformed line raises with
    its line number."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}:{number}: malformed JSON ({error.msg})") from None


def recover_swap(directory: Path, marker: str) -> None:
    """Finish a temp-dir swap that a kill interrupted between removing ``directory`` and renaming
    ``directory.tmp``: the temp dir is complete when its ``marker`` file (written last) exists."""
    tmp_dir = directory.with_name(directory.name + ".tmp")
    if not directory.exists() and (tmp_dir / marker).is_file():
        tmp_dir.rename(directory)

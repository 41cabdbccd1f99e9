"""Batch labelling of article archives: robust input reading, resumable output, run summary.

Inputs: a ``.txt`` article, a directory of them (recursive, ``glob``), a ``.jsonl``/``.json`` list of
``{"id", "text", ...}`` records, a ``.csv`` with a text column, or ``-`` for stdin. A bad document
(empty, binary, undecodable, malformed line, no text, too long, a repeated id) is recorded in
``<output>.skipped.jsonl`` with its reason and the run goes on; bad configuration stops before anything
is written.

Sidecar files sit beside the output and are named after its full name (``out.jsonl`` and ``out.csv``
in one folder never share one): ``<output>.skipped.jsonl`` (the skipped documents and reasons),
``<output>.progress`` (one line per finished document), ``<output>.run.json`` (the run's settings)
and ``<output>.lock`` (held while a run writes).

Resuming: rows are appended one document at a time, and after each document its id, the byte
lengths of the output and the skipped list, and a SHA-256 of each up to there are appended to
``<output>.progress``. A re-run checks that the files still hold what was recorded, and that its
settings (model, quantize, backend, min_score, context, ...) equal those in ``<output>.run.json``;
then it cuts the files back to the last complete progress line (dropping whatever a kill left
half-written) and skips the documents already done. A second run on the same output while one is
writing stops at once: the lock is exclusive.

Engines: ``label_documents`` labels in this process (``engine=local``); ``claimtype.ray_engine``
spreads splitting and labelling over Ray actors (``engine=ray``). Both go through ``Ledger`` (ids
seen, resume, skips, summary) and ``label_units`` (sentences to rows), so they write the same files.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import io
import json
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tqdm.auto import tqdm

from claimtype.context import neighbours
from claimtype.io import atomic_write_text
from claimtype.labels import LABELS
from claimtype.text import split_sentences

log = logging.getLogger(__name__)

OUTPUT_FIELDS = ("doc_id", "sentence_index", "start", "end", "text", "label", "score", "scores", "uncertain")
# Input record metadata carried into JSONL output rows and the HTML view (CSV keeps OUTPUT_FIELDS).
META_FIELDS = ("title", "url", "published")
OUTPUT_FORMATS = (".jsonl", ".csv")
MAX_DOC_CHARS = 1_000_000
# pysbd's time grows with the square of a paragraph's length (48k characters: ~6 s; 1M: most of an hour),
# so a line longer than this (real articles: under 10k) is skipped rather than stalling the run.
MAX_LINE_CHARS = 100_000
FLUSH_SENTENCES = 256  # label this many sentences (across documents) per model call
ENGINES = ("local", "ray")  # engine=local: label_documents here; engine=ray: claimtype.ray_engine


@dataclass
class Document:
    doc_id: str
    text: str
    source: str
    meta: dict = field(default_factory=dict)


@dataclass
class Skipped:
    source: str
    reason: str
    doc_id: str | None = None


# --- reading inputs --------------------------------------------------------------------------------


def decode_text(data: bytes, source: str) -> str | Skipped:
    """The one decoding policy for every input: UTF-8, else cp1252 with a warning, else skipped
    with the reason."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        position = error.start
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return Skipped(source, f"not UTF-8 (invalid byte at offset {position}) nor cp1252")
    log.warning("%s: not UTF-8 (invalid byte at offset %d); read as cp1252", source, position)
    return text


def decode_bytes(data: bytes, source: str) -> str | Skipped:
    """A whole file: binary data (NUL bytes, PDF) is skipped, the rest decoded by ``decode_text``."""
    if data.startswith(b"%PDF"):
        return Skipped(source, "binary file (PDF)")
    if b"\x00" in data[:8192]:
        return Skipped(source, "binary file (NUL bytes)")
    return decode_text(data, source)


def _document(doc_id: str, text: object, source: str, meta: dict | None = None) -> Document | Skipped:
    if not isinstance(text, str):
        return Skipped(source, "missing text field" if text is None else "text field is not a string", doc_id)
    if not text.strip():
        return Skipped(source, "empty text" if not text else "whitespace-only text", doc_id)
    if len(text) > MAX_DOC_CHARS:
        return Skipped(source, f"document too long ({len(text):,} > {MAX_DOC_CHARS:,} characters)", doc_id)
    return Document(doc_id, text, source, meta or {})


def content_id(text: str) -> str:
    """A stable id for a record without one: a hash of its text."""
    return "sha1-" + hashlib.sha1(text.encode("utf-8", "replace")).hexdigest()[:12]


def _records(
    records: Iterator[tuple[str, object]], source: str, text_field: str
) -> Iterator[Document | Skipped]:
    for where, record in records:
        if isinstance(record, Skipped):
            yield record
            continue
        if not isinstance(record, dict):
            yield Skipped(f"{source}:{where}", "record is not a JSON object")
            continue
        text = record.get(text_field)
        doc_id = (
            str(record["id"])
            if record.get("id") not in (None, "")
            else (content_id(text) if isinstance(text, str) else f"{source}:{where}")
        )
        meta = {k: record[k] for k in META_FIELDS if isinstance(record.get(k), str | int | float)}
        yield _document(doc_id, text, f"{source}:{where}", meta)


def _jsonl_records(
    lines: Iterable[str | bytes], source: str, first_line: int = 1
) -> Iterator[tuple[str, object]]:
    for number, line in enumerate(lines, first_line):
        if isinstance(line, bytes):
            line = decode_text(line, f"{source}:{number}")
            if isinstance(line, Skipped):
                yield str(number), line
                continue
        if not line.strip():
            continue
        try:
            yield str(number), json.loads(line)
        except json.JSONDecodeError as error:
            yield str(number), Skipped(f"{source}:{number}", f"malformed JSON on line {number} ({error.msg})")


def read_documents(
    input_path: str, glob: str = "**/*.txt", text_field: str = "text"
) -> Iterator[Document | Skipped]:
    """Yield documents (or skip records) from any supported input, lazily."""
    if input_path == "-":
        data = sys.stdin.buffer.read()
        text = decode_bytes(data, "<stdin>")
        if isinstance(text, Skipped):
            yield text
        elif text.lstrip().startswith("{"):
            yield from _records(_jsonl_records(iter(text.splitlines()), "<stdin>"), "<stdin>", text_field)
        else:
            yield _document(content_id(text), text, "<stdin>")
        return
    path = Path(input_path)
    if path.is_dir():
        for file in list_files(path, glob):
            yield read_text_file(file, file.relative_to(path).as_posix())
        return
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        yield from read_jsonl(path, text_field)
    elif suffix == ".json":
        try:
            records = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            yield Skipped(path.name, f"malformed JSON ({error.msg} at line {error.lineno})")
            return
        if not isinstance(records, list):
            records = [records]
        yield from _records(((str(i), r) for i, r in enumerate(records)), path.name, text_field)
    elif suffix == ".csv":
        text = decode_bytes(path.read_bytes(), path.name)
        if isinstance(text, Skipped):
            yield text
            return
        reader = _csv_reader(io.StringIO(text, newline=""), path, text_field)
        rows = ((str(number), row) for number, row in enumerate(reader, 2))
        yield from _records(rows, path.name, text_field)
    else:
        yield read_text_file(path, path.name)


def list_files(directory: Path, glob: str) -> list[Path]:
    """The files of an input directory that a run reads, in the order it reads them."""
    return sorted(p for p in directory.glob(glob) if p.is_file())


def read_jsonl(
    path: Path, text_field: str = "text", start: int = 0, stop: int | None = None, first_line: int = 1
) -> Iterator[Document | Skipped]:
    """The records of a JSONL file, or of its lines that begin in bytes ``[start, stop)`` (``first_line``:
    the number of the line at ``start``), so that parts of one file can be read apart."""
    with path.open("rb") as handle:  # decoded line by line: one bad line is one skipped record
        handle.seek(start)
        yield from _records(
            _jsonl_records(_lines_until(handle, start, stop), path.name, first_line), path.name, text_field
        )


def _lines_until(handle: io.BufferedReader, position: int, stop: int | None) -> Iterator[bytes]:
    for line in handle:
        if stop is not None and position >= stop:
            return
        position += len(line)
        yield line


def _csv_reader(handle: io.TextIOBase, path: Path, text_field: str) -> csv.DictReader:
    reader = csv.DictReader(handle)
    if text_field not in (reader.fieldnames or []):
        raise ValueError(f"{path}: no column {text_field!r} (columns: {', '.join(reader.fieldnames or [])})")
    return reader


def read_text_file(path: Path, doc_id: str) -> Document | Skipped:
    """One ``.txt`` article as a document, or skipped with the reason."""
    data = path.read_bytes()
    if not data:
        return Skipped(doc_id, "empty file", doc_id)
    text = decode_bytes(data, doc_id)
    if isinstance(text, Skipped):
        text.doc_id = doc_id
        return text
    return _document(doc_id, text, doc_id)


def check_input(input_path: str, glob: str = "**/*.txt", text_field: str = "text") -> None:
    """Fail before anything is written when the input as a whole is unusable; bad documents are skipped later."""
    if input_path == "-":
        return
    path = Path(input_path)
    if not path.exists():
        raise FileNotFoundError(f"input not found: {input_path}")
    if path.is_dir() and not any(p.is_file() for p in path.glob(glob)):
        raise ValueError(f"input directory {input_path} has no files matching {glob!r}")
    if path.suffix.lower() == ".csv":
        text = decode_bytes(path.read_bytes(), path.name)
        if isinstance(text, Skipped):
            raise ValueError(f"{input_path}: {text.reason}")
        _csv_reader(io.StringIO(text, newline=""), path, text_field)


def count_documents(input_path: str, glob: str = "**/*.txt") -> int | None:
    """How many documents (or records) the input holds, counted cheaply for the progress bar's total
    and ETA: files of a directory, lines of a JSONL file, rows of a CSV; None when unknown (stdin)."""
    if input_path == "-":
        return None
    path = Path(input_path)
    if path.is_dir():
        return len(list_files(path, glob))
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        with path.open("rb") as handle:
            return sum(1 for line in handle if line.strip())
    if suffix == ".csv":
        text = decode_bytes(path.read_bytes(), path.name)
        return (
            None
            if isinstance(text, Skipped)
            else sum(1 for _ in csv.DictReader(io.StringIO(text, newline="")))
        )
    if suffix == ".json":
        return None
    return 1


# --- writing outputs -------------------------------------------------------------------------------


def check_output(output: str) -> str:
    suffix = Path(output).suffix.lower()
    if suffix not in OUTPUT_FORMATS:
        raise ValueError(f"output must end in {' or '.join(OUTPUT_FORMATS)}, got {output!r}")
    return suffix


def sidecar(output: Path, kind: str) -> Path:
    """A file beside the output, named after its full name: ``out.jsonl`` -> ``out.jsonl.<kind>``."""
    return output.with_name(f"{output.name}.{kind}")


def check_writable(path: Path, what: str) -> None:
    """Fail now, not after the whole run: ``path`` must be a file we can create in a folder we can write."""
    if path.is_dir():
        raise ValueError(f"{what} {path} is a folder; give a file path")
    if path.exists() and not path.is_file():
        raise ValueError(f"{what} {path} is not a regular file")
    folder = path.parent.absolute()
    while not folder.exists():  # the folders to be created: nothing is created by this check
        folder = folder.parent
    if not folder.is_dir():
        raise ValueError(f"{what} {path} cannot be written: {folder} is not a folder")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise ValueError(f"{what} {path} cannot be written: {error.strerror or error}") from None
    if path.exists() and not os.access(path, os.W_OK):
        raise ValueError(f"{what} {path} cannot be written: permission denied")


def check_paths(input_path: str, output: str, output_html: str | None = None) -> None:
    """Before any output: no output may be the input (or its sidecars), and every output must be writable."""
    out = Path(output)
    written = {"output": out, "skipped list": skipped_path(out)}
    if output_html:
        written["output_html"] = Path(output_html)
    if input_path != "-":
        source = Path(input_path).resolve()
        for what, path in written.items():
            target = path.resolve()
            if target == source or (source.is_dir() and source in target.parents and target.match("*.txt")):
                raise ValueError(f"{what} {path} would overwrite the input {input_path}")
    if output_html and Path(output_html).resolve() in {p.resolve() for p in (out, skipped_path(out))}:
        raise ValueError(f"output_html {output_html} is the output itself")
    for what, path in written.items():
        check_writable(path, what)


def format_rows(rows: list[dict], suffix: str, with_header: bool) -> str:
    if suffix == ".jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=OUTPUT_FIELDS, lineterminator="\n", extrasaction="ignore")
    if with_header:
        writer.writeheader()
    writer.writerows({**r, "scores": json.dumps(r["scores"])} for r in rows)
    return buffer.getvalue()


def read_output_rows(path: Path) -> Iterator[dict]:
    """Rows of a finished output file, JSONL or CSV, as dicts (scores parsed)."""
    with path.open(encoding="utf-8", newline="") as handle:
        if path.suffix.lower() == ".jsonl":
            for line in handle:
                yield json.loads(line)
        else:
            for row in csv.DictReader(handle):
                yield {
                    **row,
                    "sentence_index": int(row["sentence_index"]),
                    "start": int(row["start"]),
                    "end": int(row["end"]),
                    "score": float(row["score"]),
                    "scores": json.loads(row["scores"]),
                    "uncertain": row["uncertain"] == "True",
                }


def output_row(doc_id: str, index: int, unit: tuple[int, int, str], prediction, min_score: float) -> dict:
    """One output row: a sentence's position, text and prediction (scores rounded to 6 places)."""
    start, end, text = unit
    return {
        "doc_id": doc_id,
        "sentence_index": index,
        "start": start,
        "end": end,
        "text": text,
        "label": prediction.label,
        "score": round(prediction.score, 6),
        "scores": {k: round(v, 6) for k, v in prediction.scores.items()},
        "uncertain": prediction.score < min_score,
    }


def skipped_path(output: Path) -> Path:
    """Where a run lists the documents it skipped, with reasons: ``<output>.skipped.jsonl``."""
    return sidecar(output, "skipped.jsonl")


def _sha256_prefix(path: Path, length: int) -> hashlib._Hash:
    """SHA-256 state of the first ``length`` bytes of ``path`` (to go on hashing what is appended)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        left = length
        while left:
            block = handle.read(min(left, 1 << 20))
            if not block:
                break
            digest.update(block)
            left -= len(block)
    return digest


class ResumableWriter:
    """Appends whole documents to the output and records progress after each; resumes after a crash.

    ``settings`` (model, quantize, ...) are stored in ``<output>.run.json``: a resume with other
    settings would mix rows of two models, so it is refused. The progress file records, per finished
    document, the byte length and SHA-256 of the output and the skipped list; a resume checks both
    files still hold exactly that before it skips anything.
    """

    def __init__(self, output: Path, overwrite: bool = False, settings: dict | None = None):
        self.output, self.suffix = output, check_output(str(output))
        self.progress = sidecar(output, "progress")
        self.skipped_path = skipped_path(output)
        self.settings_path = sidecar(output, "run.json")
        output.parent.mkdir(parents=True, exist_ok=True)
        self._lock = sidecar(output, "lock").open("a")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise ValueError(
                f"another run is writing {output} (it holds {sidecar(output, 'lock')}); "
                "wait for it to finish or choose another output"
            ) from None
        try:
            self._open(overwrite, settings or {})
        except BaseException:
            self._lock.close()
            raise

    def _open(self, overwrite: bool, settings: dict) -> None:
        output = self.output
        if overwrite:
            for path in (output, self.progress, self.skipped_path, self.settings_path):
                path.unlink(missing_ok=True)
        self.done: set[str] = set()
        last: dict = {"output_bytes": 0, "skipped_bytes": 0}
        progress_length = 0
        if self.progress.is_file():
            with self.progress.open("rb") as handle:
                for line in handle:
                    if not line.endswith(b"\n"):
                        break  # cut off by a kill: that document is redone
                    last = json.loads(line)
                    self.done.add(last["key"])
                    progress_length += len(line)
        if self.done:
            self._check_settings(settings)
        self._hashes = {}
        for name, path, length_key in (
            ("output", output, "output_bytes"),
            ("skipped", self.skipped_path, "skipped_bytes"),
        ):
            length = last[length_key]
            size = path.stat().st_size if path.is_file() else 0
            if length > size:
                raise ValueError(
                    f"{path} is shorter than {self.progress} records (changed since?): "
                    "run again with overwrite=true"
                )
            digest = _sha256_prefix(path, length) if length else hashlib.sha256()
            if length and digest.hexdigest() != last.get(f"{name}_sha256"):
                raise ValueError(
                    f"{path} does not hold what {self.progress} records (changed since?): "
                    "run again with overwrite=true"
                )
            self._hashes[name] = digest
        self._hashes["progress"] = hashlib.sha256()  # not recorded; _write hashes every file alike
        if not self.done:
            atomic_write_text(self.settings_path, json.dumps(settings, indent=2, sort_keys=True) + "\n")
        self.resumed = bool(self.done)
        # Cut each file back to the last finished document, dropping what a kill left half-written. Append
        # mode writes at the new end; the seek makes tell() (the byte length recorded) agree before then.
        self._out = output.open("ab")
        self._out.truncate(last["output_bytes"])
        self._out.seek(last["output_bytes"])
        self._skipped = self.skipped_path.open("ab")
        self._skipped.truncate(last["skipped_bytes"])
        self._skipped.seek(last["skipped_bytes"])
        self._progress = self.progress.open("ab")
        self._progress.truncate(progress_length)

    def _check_settings(self, settings: dict) -> None:
        recorded = json.loads(self.settings_path.read_text()) if self.settings_path.is_file() else None
        if recorded is None:
            raise ValueError(
                f"cannot resume {self.output}: {self.settings_path} is missing; run with overwrite=true"
            )
        changed = [k for k in sorted(set(recorded) | set(settings)) if recorded.get(k) != settings.get(k)]
        if changed:
            key = changed[0]
            raise ValueError(
                f"cannot resume {self.output}: it was written with {key}={recorded.get(key)!r}, this run has "
                f"{key}={settings.get(key)!r}; run with overwrite=true to start afresh"
            )

    def _write(self, name: str, handle, data: bytes) -> None:
        try:
            handle.write(data)
            handle.flush()
        except OSError as error:  # disk full, file too large: say which file, keep the errno
            raise OSError(error.errno, f"{error.strerror} while writing {handle.name}") from None
        self._hashes[name].update(data)

    def _commit(self, key: str) -> None:
        os.fsync(self._out.fileno())
        entry = {
            "key": key,
            "output_bytes": self._out.tell(),
            "skipped_bytes": self._skipped.tell(),
            "output_sha256": self._hashes["output"].hexdigest(),
            "skipped_sha256": self._hashes["skipped"].hexdigest(),
        }
        self._write("progress", self._progress, (json.dumps(entry) + "\n").encode("utf-8"))
        os.fsync(self._progress.fileno())
        self.done.add(key)

    def write_document(self, key: str, rows: list[dict]) -> None:
        data = format_rows(rows, self.suffix, with_header=self._out.tell() == 0).encode("utf-8")
        self._write("output", self._out, data)
        self._commit(key)

    def write_skip(self, key: str, skipped: Skipped) -> None:
        entry = {"source": skipped.source, "doc_id": skipped.doc_id, "reason": skipped.reason}
        self._write("skipped", self._skipped, (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8"))
        self._commit(key)

    def close(self) -> None:
        """Close every file (and release the lock). After a failed write a close can fail again on the
        same unwritten bytes; that repeat is not raised over the error already on its way."""
        failing = sys.exc_info()[1] is not None
        first_error = None
        for handle in (self._out, self._skipped, self._progress, self._lock):
            try:
                handle.close()
            except OSError as error:
                first_error = first_error or error
        if first_error is not None and not failing:
            raise first_error


# --- the run ---------------------------------------------------------------------------------------


@dataclass
class Summary:
    documents: int = 0
    skipped: int = 0
    already_done: int = 0
    sentences: int = 0
    boilerplate_dropped: int = 0
    labels: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    def render(self) -> str:
        rate = self.sentences / self.seconds if self.seconds else 0.0
        per_label = ", ".join(f"{label} {self.labels[label]}" for label in LABELS)
        return (
            f"documents labelled: {self.documents}, skipped: {self.skipped}, already done: {self.already_done}\n"
            f"sentences: {self.sentences} ({per_label}); boilerplate lines dropped: {self.boilerplate_dropped}\n"
            f"throughput: {rate:.1f} sentences/s over {self.seconds:.1f} s"
        )


Unit = tuple[int, int, str]  # a sentence's start and end offsets in its document, and its text


def document_units(document: Document, split: bool, dropped: list[str]) -> list[Unit]:
    """What gets labelled: the document's sentences (boilerplate lines go to ``dropped``), or the
    whole text as one sentence when not splitting."""
    if split:
        return [(s.start, s.end, s.text) for s in split_sentences(document.text, dropped=dropped)]
    return [(0, len(document.text), document.text)]


def unsplittable(document: Document, split: bool) -> Skipped | None:
    """A document with a line too long for the sentence splitter (see MAX_LINE_CHARS), else None."""
    if not split:
        return None
    longest = max((len(line) for line in document.text.splitlines()), default=0)
    if longest > MAX_LINE_CHARS:
        reason = f"line too long to split into sentences ({longest:,} > {MAX_LINE_CHARS:,} characters)"
        return Skipped(document.source, reason, document.doc_id)
    return None


def label_units(
    classifier, documents: list[tuple[Document, list[Unit]]], split: bool, min_score: float
) -> list[list[dict]]:
    """Each document's output rows, all their sentences labelled in one classifier call (when
    splitting, a context model reads each sentence with its neighbours and its document's title)."""
    texts = [text for _, units in documents for _, _, text in units]
    previous: list[str] = []
    following: list[str] = []
    titles: list[str] = []
    for document, units in documents:
        before, after = neighbours([t for _, _, t in units]) if split else ([""] * len(units),) * 2
        previous += before
        following += after
        titles += [str(document.meta.get("title") or "") if split else ""] * len(units)
    predictions = iter(classifier.predict(texts, previous, titles, following) if texts else [])
    return [
        [
            {**output_row(document.doc_id, index, unit, next(predictions), min_score), **document.meta}
            for index, unit in enumerate(units)
        ]
        for document, units in documents
    ]


class Ledger:
    """A run's bookkeeping, shared by every engine so that all write the same files: the ids seen
    (a repeated one is a duplicate), what an earlier run finished, the skipped list, the summary.

    Items must be admitted in input order; a document's rows may be written later, but in order too.
    """

    def __init__(self, output: Path, overwrite: bool, settings: dict, split: bool, min_score: float):
        settings = {**settings, "split_sentences": split, "min_score": min_score}
        self.writer = ResumableWriter(output, overwrite, settings)
        self.summary = Summary()
        self.seen: set[str] = set()

    def done_ids(self) -> set[str]:
        """Ids of the documents an earlier run finished: no need to split or label them again."""
        return {key.split("\t", 1)[1] for key in self.writer.done if key.startswith("doc\t")}

    def admit(self, item: Document | Skipped, screened: Skipped | None = None) -> str | None:
        """The key to write a document's rows under, or None: done by an earlier run, or skipped
        (recorded here). ``screened`` is the document's own skip (``unsplittable``), if any: a
        repeated id is reported as a duplicate first, as it would be without the check."""
        if isinstance(item, Document):
            # Before the resume check: a resumed run must not take a repeated id for the done original.
            item = (
                Skipped(item.source, f"duplicate document id {item.doc_id!r}", item.doc_id)
                if f"doc\t{item.doc_id}" in self.seen
                else screened or item
            )
        key = f"{item.source}\t{item.doc_id}" if isinstance(item, Skipped) else f"doc\t{item.doc_id}"
        self.seen.add(key)
        if key in self.writer.done:
            self.summary.already_done += 1
            return None
        if isinstance(item, Skipped):
            log.warning("skipped %s: %s", item.source, item.reason)
            self.writer.write_skip(key, item)
            self.summary.skipped += 1
            return None
        return key

    def write_rows(self, key: str, rows: list[dict]) -> None:
        self.writer.write_document(key, rows)
        self.summary.documents += 1
        self.summary.sentences += len(rows)
        self.summary.labels.update(row["label"] for row in rows)


def label_documents(
    classifier,
    documents: Iterator[Document | Skipped],
    output: Path,
    split: bool = True,
    min_score: float = 0.0,
    progress: bool = True,
    overwrite: bool = False,
    settings: dict | None = None,
    total: int | None = None,
) -> Summary:
    """Label every document and append its rows; resumable. Returns the run summary.

    ``settings`` are recorded beside the output, and a resume with other settings is refused;
    ``split`` and ``min_score`` are always among them. ``total`` (documents) gives the progress bar
    its length and ETA.
    """
    ledger = Ledger(output, overwrite, settings or {}, split, min_score)
    summary = ledger.summary
    pending: list[tuple[str, Document, list[Unit]]] = []
    started = time.perf_counter()

    def flush() -> None:
        batch = [(document, units) for _, document, units in pending]
        for (key, _, _), rows in zip(pending, label_units(classifier, batch, split, min_score), strict=True):
            ledger.write_rows(key, rows)
        pending.clear()

    try:
        for item in tqdm(documents, desc="documents", unit="doc", total=total, disable=not progress):
            screened = unsplittable(item, split) if isinstance(item, Document) else None
            key = ledger.admit(item, screened)
            if key is None:
                continue
            dropped: list[str] = []
            units = document_units(item, split, dropped)
            summary.boilerplate_dropped += len(dropped)
            pending.append((key, item, units))
            if sum(len(u) for _, _, u in pending) >= FLUSH_SENTENCES:
                flush()
        flush()
    finally:
        ledger.writer.close()
        summary.seconds = time.perf_counter() - started
    return summary

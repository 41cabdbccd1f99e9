"""Markdown pieces shared by every generated page: tables, and blocks spliced between markers."""

from __future__ import annotations

from collections.abc import Sequence


def cell(value: object) -> str:
    """A value safe inside a table cell: pipes escaped, line breaks flattened."""
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub-flavoured Markdown table (cells are written as given: escape free text with ``cell``)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows])


def splice(document: str, start: str, end: str, block: str, where: str = "the document") -> str:
    """Replace everything from the ``start`` marker to the ``end`` marker (both included) by ``block``.

    ``block`` normally begins with ``start`` and ends with ``end``, so the page can be regenerated.
    """
    if start not in document or end not in document:
        raise ValueError(f"{where} has no generated-block markers ({start!r} ... {end!r})")
    head, rest = document.split(start, 1)
    return head + block + rest.split(end, 1)[1]

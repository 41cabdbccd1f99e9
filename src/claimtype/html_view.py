"""A self-contained HTML view of labelled articles: sentences coloured by label, score on hover."""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable
from itertools import groupby

from claimtype.labels import LABELS

COLOURS = {"assertion": "#dbe9f6", "denial": "#f8c9c4", "unverified": "#fde7a9", "counter-claim": "#cfe8c6"}

_STYLE = """
body{font:16px/1.6 Georgia,serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font:600 1.6rem system-ui,sans-serif} h2{font:600 1.1rem system-ui,sans-serif;margin:2rem 0 .3rem}
.legend,.counts{font:14px system-ui,sans-serif} .legend span,.counts span{display:inline-block;margin:.2rem .6rem .2rem 0;padding:.1rem .5rem;border-radius:4px}
article{border-top:1px solid #ccc;padding-top:.5rem} article p{margin:.4rem 0}
.meta{font:13px system-ui,sans-serif;color:#666} .s{padding:.1rem .15rem;border-radius:3px} .s.uncertain{outline:1px dashed #888}
""" + "".join(f".l-{label}{{background:{colour}}}" for label, colour in COLOURS.items())


def _counts(counter: Counter) -> str:
    return "".join(f'<span class="l-{label}">{label}: {counter[label]}</span>' for label in LABELS)


def _heading(doc_id: str, row: dict) -> str:
    """The article's heading: its title (linked to its url) when the input record had one, its id,
    and its publication date."""
    title = html.escape(str(row.get("title") or doc_id))
    url = str(row.get("url") or "")
    if url.startswith(("http://", "https://")):
        title = f'<a href="{html.escape(url, quote=True)}">{title}</a>'
    details = [html.escape(doc_id)] if row.get("title") else []
    if row.get("published"):
        details.append(html.escape(str(row["published"])))
    meta = f'<div class="meta">{" · ".join(details)}</div>' if details else ""
    return f"<h2>{title}</h2>{meta}"


def render_html(rows: Iterable[dict], title: str = "claimtype: labelled articles") -> str:
    """Render output rows (grouped by ``doc_id``, in order) as one offline HTML page."""
    total: Counter = Counter()
    articles = []
    for doc_id, group in groupby(rows, key=lambda r: r["doc_id"]):
        doc_rows = list(group)
        counts = Counter(r["label"] for r in doc_rows)
        total.update(counts)
        spans = []
        for r in doc_rows:
            scores = ", ".join(f"{k} {v:.2f}" for k, v in r["scores"].items())
            hover = html.escape(f"{r['label']} ({r['score']:.2f}) · {scores}", quote=True)
            extra = " uncertain" if r.get("uncertain") else ""
            spans.append(
                f'<span class="s l-{r["label"]}{extra}" title="{hover}" data-label="{r["label"]}">'
                f"{html.escape(r['text'])}</span>"
            )
        articles.append(
            f'<article id="{html.escape(doc_id, quote=True)}">{_heading(doc_id, doc_rows[0])}'
            f'<div class="counts">{_counts(counts)}</div><p>{" ".join(spans)}</p></article>'
        )
    legend = "".join(f'<span class="l-{label}">{label}</span>' for label in LABELS)
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
        f'<div class="legend" id="legend"><b>Legend:</b> {legend} (hover a sentence for its scores; '
        f"dashed outline: below the confidence threshold)</div>"
        f'<div class="counts" id="overall"><b>All articles ({sum(total.values())} sentences):</b> {_counts(total)}</div>'
        + "".join(articles)
        + "</body></html>\n"
    )

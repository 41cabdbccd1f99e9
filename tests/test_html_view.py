"""The HTML view: well-formed, one article per document, every sentence coloured by its label with its
scores on hover; and, where Chromium is installed, a headless render that shows the label colours."""

from __future__ import annotations

import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import torch
from helpers import EXAMPLES
from PIL import Image

from claimtype.html_view import COLOURS, render_html
from claimtype.inference import ClaimTypeClassifier
from claimtype.labeller import label_documents, read_documents, read_output_rows
from claimtype.labels import LABELS

CHROMIUM = Path("/usr/bin/chromium")
VOID_TAGS = {"meta", "br", "hr", "img", "link", "input"}


def row(index: int, doc_id: str, text: str, label: str, score: float = 0.7) -> dict:
    """An output row as the labeller writes it; the other labels share what ``score`` leaves."""
    scores = {other: score if other == label else (1.0 - score) / 3 for other in LABELS}
    return {
        "doc_id": doc_id,
        "sentence_index": index,
        "text": text,
        "label": label,
        "score": score,
        "scores": scores,
        "uncertain": score < 0.5,
    }


ROWS = [
    row(0, 'o\'brien & "co".txt', "Officials said <b>all</b> was well & calm.", "assertion"),
    row(1, 'o\'brien & "co".txt', "The company denied it.", "denial"),
    row(0, "b.txt", "Reports could not be confirmed.", "unverified", score=0.31),
    row(1, "b.txt", "Critics said the opposite was true.", "counter-claim"),
]


class Page(HTMLParser):
    """Collects the structure the view promises, and any tag closed out of order."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.misnested: list[str] = []
        self.title = ""
        self.legend: list[str] = []  # class of each label badge in the legend
        self.articles: list[dict] = []
        self.sentences: list[dict] = []
        self._legend_depth: int | None = None
        self._in_sentence = False
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "div" and attrs.get("id") == "legend":
            self._legend_depth = len(self.open)
        elif tag == "span" and self._legend_depth is not None:
            self.legend.append(" ".join(classes))
        elif tag == "span" and "s" in classes:
            self.sentences.append({"classes": classes, "title": attrs.get("title"), "text": ""})
            self._in_sentence = True
        elif tag == "article":
            self.articles.append({"id": attrs.get("id"), "heading": ""})
        if tag not in VOID_TAGS:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.misnested.append(tag)
        if self._legend_depth == len(self.open):
            self._legend_depth = None
        if tag == "span":
            self._in_sentence = False

    def handle_data(self, data: str) -> None:
        inner = self.open[-1:]
        if inner == ["title"]:
            self.title += data
        elif inner == ["h2"] and self.articles:
            self.articles[-1]["heading"] += data
        elif self._in_sentence:
            self.sentences[-1]["text"] += data


def test_page_structure_and_escaping():
    page = Page(render_html(ROWS, title="Test & view"))

    assert page.misnested == [] and page.open == []  # every tag closed, in order
    assert page.title == "Test & view"
    assert page.legend == [f"l-{label}" for label in LABELS]
    assert [(a["id"], a["heading"]) for a in page.articles] == [
        ('o\'brien & "co".txt', 'o\'brien & "co".txt'),
        ("b.txt", "b.txt"),
    ]
    assert [s["text"] for s in page.sentences] == [row["text"] for row in ROWS]
    assert [s["classes"] for s in page.sentences] == [
        ["s", "l-assertion"],
        ["s", "l-denial"],
        ["s", "l-unverified", "uncertain"],
        ["s", "l-counter-claim"],
    ]
    assert page.sentences[0]["title"] == (
        "assertion (0.70) · assertion 0.70, denial 0.10, unverified 0.10, counter-claim 0.10"
    )
    assert page.sentences[2]["title"] == (
        "unverified (0.31) · assertion 0.23, denial 0.23, unverified 0.31, counter-claim 0.23"
    )


def test_labelled_examples_render_one_article_per_document(tmp_path, tiny_checkpoint):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        classifier = ClaimTypeClassifier.from_pretrained(tiny_checkpoint, batch_size=16)
        output = tmp_path / "examples.jsonl"
        label_documents(classifier, read_documents(str(EXAMPLES)), output, progress=False)
    finally:
        torch.set_num_threads(threads)
    rows = list(read_output_rows(output))

    page = Page(render_html(rows))

    assert page.misnested == [] and page.open == []
    documents = sorted(p.name for p in EXAMPLES.glob("*.txt"))
    assert [a["id"] for a in page.articles] == documents
    assert len(page.sentences) == len(rows)
    for sentence, row in zip(page.sentences, rows, strict=True):
        assert sentence["classes"][:2] == ["s", f"l-{row['label']}"] and sentence["text"] == row["text"]
        for label in LABELS:
            assert f"{label} {row['scores'][label]:.2f}" in sentence["title"]


def screenshot(page: Path, png: Path, profile: Path) -> None:
    """Render ``page`` with headless Chromium, offline and without a profile of its own."""
    subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            f"--screenshot={png}",
            "--window-size=1200,900",
            page.resolve().as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium)")
def test_chromium_renders_the_label_colours(tmp_path):
    page, png = tmp_path / "view.html", tmp_path / "view.png"
    page.write_text(render_html(ROWS), encoding="utf-8")

    screenshot(page, png, tmp_path / "profile")

    image = Image.open(png).convert("RGB")
    assert image.size == (1200, 900)
    counts = {colour: n for n, colour in image.getcolors(maxcolors=image.width * image.height)}
    for label, colour in COLOURS.items():
        rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
        # Legend, counts and sentence backgrounds: far more than a stray anti-aliased pixel.
        assert counts.get(rgb, 0) > 500, label

"""Article cleaning and sentence splitting with character offsets.

Sentence boundaries come from pysbd (rule-based, ships its rules, no download). We split one
paragraph at a time and locate every sentence in the *original* article, so ``article[start:end]``
is always the raw span of a sentence, while ``Sentence.text`` holds its normalised form.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache

import pysbd

# Lines that make no claim at all: scraping boilerplate, social embeds, bylines, share/cookie text.
_BOILERPLATE_PATTERNS = [
    r"(follow|like) (us|\w+(\s\w+)?) on (twitter|facebook|instagram|telegram)\b.*",
    r"leave a (reply|comment)\.?",
    r"read (the )?(full|more)( article| story)?\.?( »|…|\.\.\.)?",
    r"(click|tap) here.*",
    r"share (this|on) .*|share( this)?( article| story)?|tweet|email|print|comments?",
    r"(this (web)?site|we) uses? cookies.*|accept (all )?cookies.*",
    r"advertisement|placeholder while article actions load|gift article|story continues( below)?",
    r"sign up (for|to) .*newsletter.*|subscribe( now)?( to .*)?|newsletter sign-?up.*",
    r"(photo|image|video)( credit)?s?:.*|\(?(photo|image) (by|credit|courtesy)\b.*",
    r"(by|written by|reporting by|editing by|additional reporting by) [A-Z][\w.'-]+(\s+[A-Z][\w.'-]+){0,3}( and [A-Z][\w.'-]+(\s+[A-Z][\w.'-]+){0,3})?(,.*)?",
    r"[A-Z]{2,}(\s[A-Z]{2,})?\s*[—–-]",  # dateline-only lines such as "CNN —"
    r"watch( the video)?( below)?:?|watch:.*",
    r"pic\.twitter\.com/\S+.*|— .*\(@\w+\) .*\d{4}|@\w+",
    r"(related|recommended|more)( stories| coverage| reading)?:.*",
    r"(copyright|©) .*|all rights reserved\.?",
    r"follow (our|the) (continuing |live )?(coverage|updates).*|this live blog is now closed.*",
    r"(these|here) (were|are) the (latest )?updates.*|\d+ (hours?|minutes?|days?) ago.*",
    r"(get|sign up for) (the|our) .{0,40}(newsletter|alerts|app).*|download (the|our) app.*",
]
_BOILERPLATE_RE = re.compile(r"^\s*(?:" + "|".join(_BOILERPLATE_PATTERNS) + r")\s*$", re.IGNORECASE)
_MIN_LINE_WORDS = 3  # "bare headings of one or two words" carry no claim
_TAG_RE = re.compile(r"<[^>]{1,200}>")
_SPACE_RE = re.compile(r"\s+")
# \x1c / \x1d are used as quote marks in a few scraped records.
_CHAR_FIXES = str.maketrans({"\x1c": "“", "\x1d": "”", "\u00a0": " ", "\u200b": "", "\ufeff": ""})


@dataclass(frozen=True)
class Sentence:
    """One sentence of an article: its position, raw span offsets and normalised text."""

    index: int
    start: int
    end: int
    text: str


def normalise(text: str) -> str:
    """Unescape entities (twice: some records hold ``&amp;nbsp;``), drop tags, fold white space."""
    text = html.unescape(html.unescape(text)).translate(_CHAR_FIXES)
    text = _TAG_RE.sub(" ", text)
    return _SPACE_RE.sub(" ", text).strip()


def is_boilerplate(text: str) -> bool:
    """True for text that makes no claim: social embeds, share text, bylines, and fragments of one or
    two words without end punctuation (bare headings, or debris left by markup)."""
    clean = normalise(text)
    if not clean or _BOILERPLATE_RE.match(clean):
        return True
    return len(clean.split()) < _MIN_LINE_WORDS and not clean.endswith((".", "!", "?", '"', "”"))


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False)


def _paragraphs(article: str) -> list[tuple[int, str]]:
    """Non-empty lines with their offsets; a line is a paragraph in every corpus we read."""
    spans, offset = [], 0
    for line in article.splitlines(keepends=True):
        if line.strip():
            spans.append((offset, line))
        offset += len(line)
    return spans


def split_sentences(article: str, drop_boilerplate: bool = True) -> list[Sentence]:
    """Split an article into sentences, keeping raw character offsets into ``article``."""
    sentences: list[Sentence] = []
    for para_start, paragraph in _paragraphs(article):
        if drop_boilerplate and is_boilerplate(paragraph):
            continue
        cursor = 0
        for piece in _segmenter().segment(paragraph):
            stripped = piece.strip()
            if not stripped:
                continue
            found = paragraph.find(stripped, cursor)
            if found < 0:  # pysbd never rewrites text with clean=False; guard anyway
                continue
            cursor = found + len(stripped)
            text = normalise(stripped)
            if not text or (drop_boilerplate and is_boilerplate(text)):
                continue
            start = para_start + found
            sentences.append(Sentence(len(sentences), start, start + len(stripped), text))
    return sentences

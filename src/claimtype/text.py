"""Article cleaning and sentence splitting with character offsets.

Sentence boundaries come from pysbd (rule-based, ships its rules, no download), run without two of
its costs (``_pysbd_segment``: the same sentences in half the time). We split one paragraph at a time
and locate every sentence in the *original* article, so ``article[start:end]`` is always the raw span
of a sentence, while ``Sentence.text`` holds its normalised form.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from pysbd.languages import Language
from pysbd.processor import Processor

# Lines that make no claim at all: scraping boilerplate, social embeds, bylines, share/cookie text.
# A pattern matches a *whole* line. Where a news sentence can begin like boilerplate ("By Monday,
# Russian forces had ...", "2 days ago the governor denied ...", "Photo: the ministry said ..."), the
# pattern spells out the whole boilerplate line instead of a prefix followed by ``.*``.
# Capitalised names are matched case-sensitively ((?-i:...)): the whole expression ignores case.
_NAME = r"(?-i:[A-Z][\w.'’-]+(\s+[A-Z][\w.'’-]+){0,3})"
_CREDIT_WORD = r"((?-i:[A-Z@(])\S*|\S*[./@_\d]\S*|via|on|and|of|cc|/|;|courtesy|screen ?grab|screenshot)"
_BOILERPLATE_PATTERNS = [
    r"(follow|like|join) (us|\w+(\s\w+)?) on (twitter|facebook|instagram|telegram)\b.*",
    r"leave a (reply|comment)\.?",
    r"read (the )?(full|more)( article| story)?\.?( »|…|\.\.\.)?",
    r"(click|tap) here.*",
    r"share (this|on) .*|share( this)?( article| story)?|tweet|email|print|comments?",
    r"(this (web)?site|we) uses? cookies.*|accept (all )?cookies.*",
    r"advertisement|placeholder while article actions load|gift article|story continues( below)?",
    r"sign up (for|to) .*newsletter.*|subscribe( now)?( to .*)?|newsletter sign-?up.*",
    # credits only ("Photo: Reuters", "Images: Getty Images (2)"); a caption is a sentence and stays
    rf"(photo|image|video)s?( credits?)?:\s*{_CREDIT_WORD}(\s*,?\s*{_CREDIT_WORD})*",
    r"\(?(photo|image) (by|credit|courtesy)\b.*|((photo|image|video)s? )?credits?:.*",
    # a byline names people, optionally followed by a short affiliation ("By Jane Doe, CNN")
    rf"(by|written by) {_NAME}( and {_NAME})?(,[\w.'’ -]{{1,40}})?",
    r"(additional )?(reporting|editing) by [^.!?]{1,80}\.?",
    r"[A-Z]{2,}(\s[A-Z]{2,})?\s*[—–-]",  # dateline-only lines such as "CNN —"
    r"watch( the video)?( below)?:?|watch:.*",
    r"pic\.twitter\.com/\S+.*|— .*\(@\w+\) .*\d{4}|@\w+",
    r"(related|recommended|more)( stories| coverage| reading)?:.*",
    r"(copyright|©) .*|all rights reserved\.?",
    r"follow (our|the) (continuing |live )?(coverage|updates).*|this live blog is now closed.*",
    r"(these|here) (were|are) the (latest )?updates.*|\d+ (hours?|minutes?|days?) ago( \([^)]{1,20}\))?",
    r"(get|sign up for) (the|our) .{0,40}(newsletter|alerts|app).*|download (the|our) app.*",
]
_BOILERPLATE_RE = re.compile(r"^\s*(?:" + "|".join(_BOILERPLATE_PATTERNS) + r")\s*$", re.IGNORECASE)
# Boilerplate lines are short; a longer line (a whole one-line article of the war-media corpus, which
# joins its paragraphs with spaces) is split first and its sentences are checked one by one.
_MAX_BOILERPLATE_CHARS = 300
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
    if len(clean) > _MAX_BOILERPLATE_CHARS:
        return False
    if not clean or _BOILERPLATE_RE.match(clean):
        return True
    return len(clean.split()) < _MIN_LINE_WORDS and not clean.endswith((".", "!", "?", '"', "”"))


_ENGLISH = Language.get_language_code("en")
_TRAILING_SPACE_RE = re.compile(r"\s*")


class _AbbreviationReplacer(_ENGLISH.AbbreviationReplacer):
    """pysbd's English abbreviation pass without its repeated identical substitutions.

    pysbd runs one ``re.sub`` over the whole text per *occurrence* of an abbreviation (40 times for
    40 "no"s). A substitution only turns matched "." into "∯", which removes matches of these patterns
    and never creates one: a repeat finds nothing left to replace, so skipping it keeps pysbd's result.
    """

    def search_for_abbreviations_in_string(self, text: str) -> str:
        self._applied: set[str] = set()
        return super().search_for_abbreviations_in_string(text)

    def scan_for_replacements(self, txt: str, am: str, ind: int, char_array: list[str]) -> str:
        # pysbd's test for substituting at all; which substitution it runs depends on am.strip() alone.
        char = char_array[ind] if ind < len(char_array) else ""
        prepositive = am.strip().lower() in self.lang.Abbreviation.PREPOSITIVE_ABBREVIATIONS
        if (str(char).isupper() and not prepositive) or am.strip() in self._applied:
            return txt
        self._applied.add(am.strip())
        return super().scan_for_replacements(txt, am, ind, char_array)


class _Processor(Processor):
    """pysbd's Processor with the abbreviation pass above."""

    def abbreviations_replacer(self) -> _AbbreviationReplacer:
        return _AbbreviationReplacer(self.text, self.lang)


def _locate(text: str, sentence: str, after: int) -> tuple[int, int] | None:
    """pysbd's rule for where a sentence is: its first occurrence, with the white space after it,
    that ends after ``after`` (the previous sentence's end); None (pysbd drops it) when there is none."""
    position = 0
    while (start := text.find(sentence, position)) >= 0:
        end = _TRAILING_SPACE_RE.match(text, start + len(sentence)).end()
        if end > after:
            return start, end
        position = end
    return None


def _pysbd_segment(text: str) -> list[str]:
    """What ``pysbd.Segmenter(language="en", clean=False).segment(text)`` returns, in half the time.

    Two of pysbd's costs go and its result stays (tests/test_text.py compares them): the repeated
    substitutions (``_AbbreviationReplacer``), and locating each sentence with a regex made of the
    sentence itself: hundreds of one-off patterns per text push pysbd's own rule patterns out of
    ``re``'s cache (512 entries), so those are compiled again and again. ``str.find`` applies the rule.
    """
    pieces, end = [], 0
    for sentence in _Processor(text, _ENGLISH).process():
        # pysbd yields no empty sentence; the test only keeps str.find from matching one everywhere.
        if sentence and (span := _locate(text, sentence, end)) is not None:
            start, end = span
            pieces.append(text[start:end])
    return pieces


# pysbd's time grows with the square of a paragraph's length (a 125k-character one-line article took
# ~20 s). Longer paragraphs are split window by window: the last sentence of each window may be cut
# by the window's edge, so it is left for the next window, which starts where it starts.
_WINDOW_CHARS = 5000


def _segment(paragraph: str) -> list[str]:
    """pysbd's sentences of ``paragraph``, in order, in linear time for long paragraphs."""
    if len(paragraph) <= _WINDOW_CHARS:
        return _pysbd_segment(paragraph)
    pieces: list[str] = []
    position, window = 0, _WINDOW_CHARS
    while len(paragraph) - position > window:
        segments = [p for p in _pysbd_segment(paragraph[position : position + window]) if p.strip()]
        if len(segments) < 2:  # one sentence longer than the window: widen it
            window *= 2
            continue
        cursor = position
        for piece in segments[:-1]:
            cursor = paragraph.index(piece.strip(), cursor) + len(piece.strip())
            pieces.append(piece)
        position, window = cursor, _WINDOW_CHARS
    pieces.extend(_pysbd_segment(paragraph[position:]))
    return pieces


def _paragraphs(article: str) -> list[tuple[int, str]]:
    """Non-empty lines with their offsets; a line is a paragraph in every corpus we read."""
    spans, offset = [], 0
    for line in article.splitlines(keepends=True):
        if line.strip():
            spans.append((offset, line))
        offset += len(line)
    return spans


def split_sentences(
    article: str, drop_boilerplate: bool = True, dropped: list[str] | None = None
) -> list[Sentence]:
    """Split an article into sentences, keeping raw character offsets into ``article``.

    Lines and sentences dropped as boilerplate are appended to ``dropped`` when it is given, so a
    caller can count (or show) what was left out.
    """
    sentences: list[Sentence] = []
    for para_start, paragraph in _paragraphs(article):
        if drop_boilerplate and is_boilerplate(paragraph):
            if dropped is not None:
                dropped.append(paragraph.strip())
            continue
        cursor = 0
        for piece in _segment(paragraph):
            stripped = piece.strip()
            if not stripped:
                continue
            found = paragraph.find(stripped, cursor)
            if found < 0:  # pysbd never rewrites text with clean=False; guard anyway
                continue
            cursor = found + len(stripped)
            text = normalise(stripped)
            if not text:
                continue
            if drop_boilerplate and is_boilerplate(text):
                if dropped is not None:
                    dropped.append(text)
                continue
            start = para_start + found
            sentences.append(Sentence(len(sentences), start, start + len(stripped), text))
    return sentences

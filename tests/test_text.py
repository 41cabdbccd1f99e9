"""Cleaning and sentence splitting: edge cases and real corpus paragraphs, with raw offsets."""

import random

import pysbd
import pytest
from helpers import GOLD, RAW_ARTICLES

from claimtype.io import read_jsonl
from claimtype.text import _pysbd_segment, is_boilerplate, normalise, split_sentences


def texts(article: str) -> list[str]:
    return [s.text for s in split_sentences(article)]


@pytest.mark.parametrize(
    "article, expected",
    [
        (
            "Gen. Valery Gerasimov visited the front. Maj. Gen. Igor Konashenkov said so.",
            ["Gen. Valery Gerasimov visited the front.", "Maj. Gen. Igor Konashenkov said so."],
        ),
        (
            "Mr. Zelensky met U.S. officials and the U.N. envoy on Jan. 12. Talks went on.",
            ["Mr. Zelensky met U.S. officials and the U.N. envoy on Jan. 12.", "Talks went on."],
        ),
        (
            "Prices rose 3.5 percent to $1.2 billion. Gas fell 0.7%.",
            ["Prices rose 3.5 percent to $1.2 billion.", "Gas fell 0.7%."],
        ),
        (
            "“We will not give up,” he said. “Never.” The talks ended.",
            ["“We will not give up,” he said.", "“Never.”", "The talks ended."],
        ),
        (
            '"The dam is intact. There was no shelling," the governor said. Engineers disagreed.',
            ['"The dam is intact. There was no shelling," the governor said.', "Engineers disagreed."],
        ),
        (
            "The convoy waited... and waited. Then it moved on.",
            ["The convoy waited... and waited.", "Then it moved on."],
        ),
        (
            "The strike – the third this week – hit a depot. Officials — citing radar data — confirmed it.",
            [
                "The strike – the third this week – hit a depot.",
                "Officials — citing radar data — confirmed it.",
            ],
        ),
    ],
)
def test_split_edge_cases(article, expected):
    assert texts(article) == expected


def test_paragraphs_never_merge_and_offsets_point_into_the_raw_article():
    article = "First paragraph ends here.\n\nSecond  paragraph\u00a0has   odd spacing.\nThird line."
    sentences = split_sentences(article)
    assert [s.text for s in sentences] == [
        "First paragraph ends here.",
        "Second paragraph has odd spacing.",
        "Third line.",
    ]
    for s in sentences:
        assert normalise(article[s.start : s.end]) == s.text
    assert [s.index for s in sentences] == [0, 1, 2]


@pytest.mark.parametrize(
    "line",
    [
        "Follow Reuters on Twitter",
        "Leave a Reply",
        "Read Full Article",
        "Share this article",
        "We use cookies to improve your experience.",
        "By John Smith and Jane Doe",
        "CNN —",
        "Advertisement",
        "Placeholder while article actions load",
        "pic.twitter.com/abc123",
        "Photo: Reuters",
        "Updates",
    ],
)
def test_boilerplate_lines_are_dropped(line):
    assert is_boilerplate(line)
    assert texts(f"{line}\nThe ministry said 40 drones were shot down.") == [
        "The ministry said 40 drones were shot down."
    ]


def test_claims_are_not_boilerplate():
    for line in ["Officials denied the report.", "Russia said the ship sank after a fire."]:
        assert not is_boilerplate(line)


def test_entities_tags_and_control_quotes_are_normalised():
    assert texts("The spokesman said <b>no comment</b> today &amp; left.") == [
        "The spokesman said no comment today & left."
    ]
    assert normalise("\x1cno comment\x1d,&amp;nbsp;he said") == "“no comment”, he said"


@pytest.mark.parametrize("doc_id", ["war-0001", "war-0024", "disinfo-0001#debunk", "fnc1-train-0"])
def test_real_articles_split_with_exact_offsets(doc_id):
    article = next(a for a in read_jsonl(RAW_ARTICLES) if a["doc_id"] == doc_id)
    sentences = split_sentences(article["text"])
    assert len(sentences) >= 3
    for previous, current in zip(sentences, sentences[1:], strict=False):
        assert previous.end <= current.start
    for s in sentences:
        assert normalise(article["text"][s.start : s.end]) == s.text
        assert s.text and not is_boilerplate(s.text)


def test_real_paragraph_from_war_news():
    paragraph = (
        "Retired US Lt. Gen. Mark Hertling on Wednesday described the standoff over humanitarian corridors "
        "out of Mariupol as an example of the Russians’ psychological warfare. “It’s an attempt by the "
        "Russian forces to continue to threaten,” he said."
    )
    assert len(texts(paragraph)) == 2
    assert texts(paragraph)[0].startswith("Retired US Lt. Gen. Mark Hertling")


def test_no_gold_sentence_is_dropped_as_boilerplate():
    gold = list(read_jsonl(GOLD))
    dropped = [r["sentence_id"] for r in gold if is_boilerplate(r["text"])]
    assert not dropped, dropped[:10]


def test_gold_sentence_ids_match_the_splitter():
    """Sentence ids are positions in the splitter's output: a gold row must still be found there
    (a seeded sample of 300 annotated articles; the complete articles are checked whole in test_data)."""
    import random

    gold = list(read_jsonl(GOLD))
    docs = sorted({r["doc_id"] for r in gold})
    sample = set(random.Random(3).sample(docs, 300))
    spans = {
        (a["doc_id"], s.index): (s.start, s.end, s.text)
        for a in read_jsonl(RAW_ARTICLES)
        if a["doc_id"] in sample
        for s in split_sentences(a["text"])
    }
    for row in gold:
        if row["doc_id"] in sample:
            assert spans[(row["doc_id"], row["sentence_index"])] == (row["start"], row["end"], row["text"])


@pytest.mark.parametrize(
    "text",
    [
        "No. 5 was hit, no. 6 was not and NO. 7 burned. Gen. Smith met gen. Jones; Gen. Lee and Mr. A. stayed.",
        "Yes. Yes. Yes. No. Yes.\n",
        '"Stop." "Stop." He said "stop." Then he left. Then he left.',
        "The U.S. and the U.S. Army said so. Lt. Gen. Hodges and Lt. Col. Vindman spoke at 5 p.m. on Jan. 5.",
    ],
)
def test_segmentation_is_pysbds_with_repeats(text):
    """Repeated sentences and abbreviations: where the faster path skips work, pysbd's pieces stay."""
    assert _pysbd_segment(text) == pysbd.Segmenter(language="en", clean=False).segment(text)


def test_segmentation_is_pysbds_on_real_paragraphs():
    """Every paragraph of 40 real articles (seeded sample): the same pieces as pysbd's own Segmenter."""
    articles = random.Random(5).sample(list(read_jsonl(RAW_ARTICLES)), 40)
    segmenter = pysbd.Segmenter(language="en", clean=False)
    for article in articles:
        for paragraph in article["text"].splitlines(keepends=True):
            if paragraph.strip() and len(paragraph) <= 5000:
                assert _pysbd_segment(paragraph) == segmenter.segment(paragraph), article["doc_id"]

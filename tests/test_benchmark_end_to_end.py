"""The scale-out parts' pieces: the corpus sample, the split timing and a skipped Ray engine."""

import pytest

from claimtype.benchmark import end_to_end
from claimtype.benchmark.end_to_end import compare_engines, corpus_articles, measure_split, sample_archive
from claimtype.io import read_jsonl, write_jsonl_gz


@pytest.fixture
def articles_file(tmp_path):
    rows = [
        {"doc_id": f"d{i}", "corpus": "war_media" if i % 2 else "fnc1", "text": f"Text {i}."}
        for i in range(10)
    ]
    path = tmp_path / "articles.jsonl.gz"
    write_jsonl_gz(path, rows)
    return path


def test_a_seeded_sample_of_one_corpus(articles_file, tmp_path):
    articles = corpus_articles(articles_file, "war_media")
    assert [a["doc_id"] for a in articles] == ["d1", "d3", "d5", "d7", "d9"]
    first = list(read_jsonl(sample_archive(articles, 3, 42, tmp_path / "a.jsonl")))
    again = list(read_jsonl(sample_archive(articles, 3, 42, tmp_path / "b.jsonl")))
    assert first == again and len(first) == 3 and set(first[0]) == {"id", "text"}
    assert len(list(read_jsonl(sample_archive(articles, 50, 42, tmp_path / "c.jsonl")))) == 5
    with pytest.raises(ValueError, match="no article of corpus 'nope'"):
        corpus_articles(articles_file, "nope")


def test_split_time_of_a_one_line_article():
    text = " ".join(f"Officials said town {i} was shelled overnight." for i in range(200))
    result = measure_split({"doc_id": "long", "corpus": "war_media", "text": text}, repeats=2)
    assert (result.characters, result.longest_line, result.sentences) == (len(text), len(text), 200)
    assert len(result.seconds) == 2 and result.median_seconds > 0


def test_without_ray_the_engine_rows_are_skipped_with_the_reason(monkeypatch, tmp_path):
    monkeypatch.setattr(end_to_end, "ray_unavailable", lambda: "ray is not importable here")
    archive = tmp_path / "articles.jsonl"
    archive.write_text('{"id": "a", "text": "One."}\n{"id": "b", "text": "Two."}\n')
    result = compare_engines(tmp_path / "model", archive, tmp_path / "w", tmp_path, None, [1, 2], repeats=3)
    assert (result.articles, result.repeats) == (2, 3)
    assert [(r.name, r.actors, r.status, r.reason) for r in result.runs] == [
        ("ray, 1 actor", 1, "skipped", "ray is not importable here"),
        ("ray, 2 actors", 2, "skipped", "ray is not importable here"),
    ]
    assert not (tmp_path / "w").exists()

"""The batch labeller on .txt, directory and .jsonl inputs, through the command line."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import ROOT, label_command

from claimtype.labels import LABELS

pytestmark = pytest.mark.slow  # each test runs scripts/label.py

ARTICLE = "The governor denied that the dam had been damaged. Engineers said it was cracked.\n\nTalks go on."


def label(*overrides: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        label_command(*overrides),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_txt_file(tiny_checkpoint, tmp_path):
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE)
    result = label(f"model_dir={tiny_checkpoint}", f"input={article}", f"output={tmp_path / 'out.jsonl'}")
    assert result.returncode == 0, result.stderr
    written = rows(tmp_path / "out.jsonl")
    assert [r["text"] for r in written] == [
        "The governor denied that the dam had been damaged.",
        "Engineers said it was cracked.",
        "Talks go on.",
    ]
    assert [r["sentence_index"] for r in written] == [0, 1, 2]
    for r in written:
        assert ARTICLE[r["start"] : r["end"]] == r["text"] and r["doc_id"] == "a.txt"
        assert r["label"] in LABELS and set(r["scores"]) == set(LABELS)
    assert "documents labelled: 1" in result.stdout


def test_directory_csv_and_html(tiny_checkpoint, tmp_path):
    (tmp_path / "in" / "sub").mkdir(parents=True)
    (tmp_path / "in" / "one.txt").write_text(ARTICLE)
    (tmp_path / "in" / "sub" / "two.txt").write_text("Officials dismissed the reports. Nobody was hurt.")
    (tmp_path / "in" / "notes.md").write_text("Not picked up by the default glob.")
    out = tmp_path / "out.csv"
    result = label(
        f"model_dir={tiny_checkpoint}",
        f"input={tmp_path / 'in'}",
        f"output={out}",
        f"output_html={tmp_path / 'view.html'}",
    )
    assert result.returncode == 0, result.stderr
    lines = out.read_text().splitlines()
    assert lines[0] == "doc_id,sentence_index,start,end,text,label,score,scores,uncertain"
    assert [line.split(",")[0] for line in lines[1:]] == ["one.txt"] * 3 + ["sub/two.txt"] * 2
    html = (tmp_path / "view.html").read_text()
    assert html.count("<article") == 2 and 'id="legend"' in html


def test_jsonl_sentences_without_splitting_gives_one_row_per_record_in_order(tiny_checkpoint, tmp_path):
    records = [
        {"id": f"s{i}", "text": text}
        for i, text in enumerate(
            ["Short.", "A much longer sentence. With a second one inside it.", "Mid length one."] * 4
        )
    ]
    source = tmp_path / "sentences.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records))
    out = tmp_path / "out.jsonl"
    result = label(
        f"model_dir={tiny_checkpoint}", f"input={source}", f"output={out}", "split_sentences=false"
    )
    assert result.returncode == 0, result.stderr
    written = rows(out)
    assert [r["doc_id"] for r in written] == [r["id"] for r in records]
    assert [r["text"] for r in written] == [r["text"] for r in records]


def test_bad_output_suffix_fails_before_writing(tiny_checkpoint, tmp_path):
    result = label(f"model_dir={tiny_checkpoint}", f"input={tmp_path}", f"output={tmp_path / 'out.txt'}")
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: output must end in .jsonl or .csv, got '{tmp_path / 'out.txt'}'"
    assert not (tmp_path / "out.txt").exists()


def test_onnxruntime_int8_backend_and_a_bad_backend(tiny_checkpoint, tmp_path):
    checkpoint = shutil.copytree(tiny_checkpoint, tmp_path / "model")  # the ONNX export writes into it
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE)
    fast = label(
        f"model_dir={checkpoint}",
        f"input={article}",
        f"output={tmp_path / 'fast.jsonl'}",
        "inference.quantize=int8",
        "inference.backend=onnxruntime",
    )
    assert fast.returncode == 0, fast.stderr
    written = rows(tmp_path / "fast.jsonl")
    assert [r["sentence_index"] for r in written] == [0, 1, 2]
    assert all(r["label"] in LABELS for r in written)
    assert list((checkpoint / "onnx").glob("model-int8-*.onnx"))
    bad = label(
        f"model_dir={checkpoint}",
        f"input={article}",
        f"output={tmp_path / 'bad.jsonl'}",
        "inference.backend=tvm",
    )
    assert bad.returncode == 2
    assert bad.stderr.strip() == "error: inference.backend must be one of torch, onnxruntime, got 'tvm'"
    assert not (tmp_path / "bad.jsonl").exists()

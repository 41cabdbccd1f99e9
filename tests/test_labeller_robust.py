"""Batch labelling of messy input: each bad document is skipped with its reason and the rest labelled;
a bad model or input stops the CLI at once with one ``error:`` line and nothing written.

Runs the tiny random checkpoint with ``batch_size=1`` (no padding), so the rows of a run equal, digit
for digit, what the classifier predicts for the same sentences on their own.
"""

from __future__ import annotations

import io
import json
import logging
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import GOOD, NESTED, ROOT, SHORT, good_and_bad_files, label_command

from claimtype.inference import ClaimTypeClassifier
from claimtype.labeller import (
    check_input,
    content_id,
    label_documents,
    output_row,
    read_documents,
    read_output_rows,
    skipped_path,
)
from claimtype.labels import LABELS

GOOD_SENTENCES = [
    (0, 47, "The minister said the new plan would cut costs."),
    (48, 84, "Critics denied that claim on Monday."),
]
CP1252_SENTENCES = [(0, 68, "The mayor’s office called the “leaked” memo a fake — officials said.")]
NESTED_SENTENCES = [
    (0, 38, "Police have not confirmed the reports."),
    (40, 82, "A spokesman said an inquiry was under way."),
]
SHORT_SENTENCES = [(0, 41, "Officials said the figures were accurate."), (42, 66, "Opponents say otherwise.")]


def expected_rows(classifier: ClaimTypeClassifier, doc_id: str, sentences: list) -> list[dict]:
    """The rows a run must write for one document: its sentences and the classifier's predictions."""
    texts = [text for _, _, text in sentences]
    predictions = classifier.predict(texts, [""] + texts[:-1])
    return [
        output_row(doc_id, index, unit, p, min_score=0.0)
        for index, (unit, p) in enumerate(zip(sentences, predictions, strict=True))
    ]


def skips(output: Path) -> list[dict]:
    path = skipped_path(output)
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def run_label(*overrides: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        label_command(*overrides),
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )


def test_directory_of_good_and_bad_files(tmp_path, classifier, caplog):
    articles = good_and_bad_files(tmp_path)
    output = tmp_path / "out" / "labels.jsonl"

    started = time.perf_counter()
    with caplog.at_level(logging.WARNING, logger="claimtype.labeller"):
        summary = label_documents(classifier, read_documents(str(articles)), output, progress=False)
    assert time.perf_counter() - started < 30  # the 5 MB and the run-on line are skipped unread by pysbd

    assert list(read_output_rows(output)) == (
        expected_rows(classifier, "good.txt", GOOD_SENTENCES)
        + expected_rows(classifier, "sub/nested.txt", NESTED_SENTENCES)
        + expected_rows(classifier, "windows.txt", CP1252_SENTENCES)
    )
    reasons = {
        "blank.txt": "whitespace-only text",
        "empty.txt": "empty file",
        "huge.txt": "document too long (5,000,000 > 1,000,000 characters)",
        "image.txt": "binary file (NUL bytes)",
        "report.txt": "binary file (PDF)",
        "runon.txt": "line too long to split into sentences (120,000 > 100,000 characters)",
    }
    assert skips(output) == [
        {"source": name, "doc_id": name, "reason": reason} for name, reason in reasons.items()
    ]
    assert (summary.documents, summary.skipped, summary.already_done, summary.sentences) == (3, 6, 0, 5)
    assert sum(summary.labels.values()) == 5 and set(summary.labels) <= set(LABELS)
    # The cp1252 file is read, with a warning naming the first byte that is not UTF-8 (’ is 0x92).
    assert "windows.txt: not UTF-8 (invalid byte at offset 9); read as cp1252" in caplog.messages


def test_jsonl_with_malformed_and_incomplete_records(tmp_path, classifier, caplog):
    lines = [
        json.dumps({"id": "a1", "text": GOOD, "title": "Plan"}),
        '{"id": "a2", "text": }',
        json.dumps({"id": "a3"}),
        "",
        json.dumps({"text": SHORT}),
        json.dumps({"id": "a1", "text": NESTED}),
        json.dumps({"id": "a4", "text": 42}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "a5", "text": "   "}),
    ]
    source = tmp_path / "batch.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    output = tmp_path / "labels.jsonl"

    with caplog.at_level(logging.WARNING, logger="claimtype.labeller"):
        summary = label_documents(classifier, read_documents(str(source)), output, progress=False)

    titled = [{**row, "title": "Plan"} for row in expected_rows(classifier, "a1", GOOD_SENTENCES)]
    assert list(read_output_rows(output)) == titled + expected_rows(
        classifier, content_id(SHORT), SHORT_SENTENCES
    )
    assert skips(output) == [
        {
            "source": "batch.jsonl:2",
            "doc_id": None,
            "reason": "malformed JSON on line 2 (Expecting value)",
        },
        {"source": "batch.jsonl:3", "doc_id": "a3", "reason": "missing text field"},
        {"source": "batch.jsonl:6", "doc_id": "a1", "reason": "duplicate document id 'a1'"},
        {"source": "batch.jsonl:7", "doc_id": "a4", "reason": "text field is not a string"},
        {"source": "batch.jsonl:8", "doc_id": None, "reason": "record is not a JSON object"},
        {"source": "batch.jsonl:9", "doc_id": "a5", "reason": "whitespace-only text"},
    ]
    assert (summary.documents, summary.skipped) == (2, 6)
    assert "skipped batch.jsonl:2: malformed JSON on line 2 (Expecting value)" in caplog.messages


def test_json_list_and_csv_text_column(tmp_path, classifier):
    records = tmp_path / "records.json"
    records.write_text(json.dumps([{"id": "j1", "text": SHORT}, {"id": "j2", "text": ""}]), encoding="utf-8")
    output = tmp_path / "json.csv"  # CSV output too: rows read back equal
    summary = label_documents(classifier, read_documents(str(records)), output, progress=False)
    assert list(read_output_rows(output)) == expected_rows(classifier, "j1", SHORT_SENTENCES)
    assert skips(output) == [{"source": "records.json:1", "doc_id": "j2", "reason": "empty text"}]
    assert (summary.documents, summary.skipped) == (1, 1)

    table = tmp_path / "table.csv"
    table.write_text(
        f'id,body,text\nc1,"{GOOD.strip()}",ignored column\nc2,,x\n', encoding="utf-8", newline=""
    )
    output = tmp_path / "csv.jsonl"
    label_documents(classifier, read_documents(str(table), text_field="body"), output, progress=False)
    assert list(read_output_rows(output)) == expected_rows(classifier, "c1", GOOD_SENTENCES)
    assert skips(output) == [{"source": "table.csv:3", "doc_id": "c2", "reason": "empty text"}]


def test_unusable_input_fails_the_check_before_any_output(tmp_path):
    table = tmp_path / "table.csv"
    table.write_text("id,body\nc1,text\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"table\.csv: no column 'content' \(columns: id, body\)$"):
        check_input(str(table), text_field="content")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match=r"empty has no files matching '\*\*/\*\.txt'$"):
        check_input(str(tmp_path / "empty"))
    with pytest.raises(FileNotFoundError, match="input not found"):
        check_input(str(tmp_path / "missing.jsonl"))


@pytest.mark.slow
def test_stdin_through_the_cli(tmp_path, tiny_checkpoint, classifier):
    output = tmp_path / "stdin.jsonl"
    result = run_label(
        f"model_dir={tiny_checkpoint}",
        "input=-",
        f"output={output}",
        "inference.batch_size=1",
        "inference.threads=1",
        stdin=GOOD.encode(),
    )
    assert result.returncode == 0, result.stderr.decode()
    rows = list(read_output_rows(output))
    expected = expected_rows(classifier, content_id(GOOD), GOOD_SENTENCES)
    # Another process: same rows, scores equal to float noise.
    assert [{**r, "score": 0, "scores": 0} for r in rows] == [
        {**r, "score": 0, "scores": 0} for r in expected
    ]
    for row, want in zip(rows, expected, strict=True):
        assert row["scores"] == pytest.approx(want["scores"], abs=1e-5)
    assert "documents labelled: 1, skipped: 0, already done: 0" in result.stdout.decode()


def _copy_checkpoint(source: Path, destination: Path, file: str, edit) -> Path:
    shutil.copytree(source, destination)
    path = destination / file
    path.write_text(json.dumps(edit(json.loads(path.read_text()))))
    return destination


def _rename_last_label(config: dict) -> dict:
    config["id2label"]["3"] = "rumour"
    config["label2id"] = {label: int(i) for i, label in config["id2label"].items()}
    return config


@pytest.mark.slow
@pytest.mark.parametrize("case", ["not a checkpoint", "metadata labels", "config labels", "no weights"])
def test_bad_model_stops_with_one_error_line(tmp_path, tiny_checkpoint, case):
    model = tmp_path / "model"
    if case == "not a checkpoint":
        model.mkdir()
        (model / "README.txt").write_text("just notes")
        message = f"error: {model} is not a model checkpoint (no config.json)"
    elif case == "metadata labels":
        _copy_checkpoint(
            tiny_checkpoint,
            model,
            "claimtype.json",
            lambda m: {**m, "labels": ["assertion", "denial", "other"]},
        )
        message = (
            f"error: {model}: checkpoint labels ['assertion', 'denial', 'other'] differ from claimtype's "
            f"{list(LABELS)}"
        )
    elif case == "config labels":
        _copy_checkpoint(tiny_checkpoint, model, "config.json", _rename_last_label)
        message = (
            f"error: {model}: model labels ['assertion', 'denial', 'unverified', 'rumour'] differ from claimtype's "
            f"{list(LABELS)}"
        )
    else:
        shutil.copytree(tiny_checkpoint, model)
        (model / "model.safetensors").unlink()
        message = f"error: {model} is not a loadable checkpoint: "
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "good.txt").write_text(GOOD, encoding="utf-8")
    output = tmp_path / "out" / "labels.jsonl"

    result = run_label(
        f"model_dir={model}", f"input={articles}", f"output={output}", f"output_html={tmp_path}/view.html"
    )

    assert result.returncode == 2
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), lines
    assert not output.parent.exists() and not (tmp_path / "view.html").exists()


def test_fake_stdin_reads_jsonl(monkeypatch, tmp_path, classifier):
    """``input=-`` holding JSONL records is read record by record (the CLI test covers plain text)."""
    data = (json.dumps({"id": "s1", "text": SHORT}) + "\n{broken\n").encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    output = tmp_path / "stdin.jsonl"
    label_documents(classifier, read_documents("-"), output, progress=False)
    assert list(read_output_rows(output)) == expected_rows(classifier, "s1", SHORT_SENTENCES)
    assert [s["source"] for s in skips(output)] == ["<stdin>:2"]

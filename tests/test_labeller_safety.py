"""An overnight labelling run that cannot lose data: misuse and faults end in one ``error:`` line and
a non-zero exit before any output where possible; resumes refuse what would mix or double rows."""

from __future__ import annotations

import json
import logging
import os
import subprocess
from pathlib import Path

import pytest
import torch
from helpers import GOOD, ROOT, label_command, one_error_line, run_script

from claimtype.html_view import render_html
from claimtype.inference import ClaimTypeClassifier
from claimtype.labeller import (
    ResumableWriter,
    check_paths,
    count_documents,
    label_documents,
    read_documents,
    read_output_rows,
    sidecar,
    skipped_path,
)


@pytest.fixture(scope="module")
def classifier(tiny_checkpoint: Path) -> ClaimTypeClassifier:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield ClaimTypeClassifier.from_pretrained(tiny_checkpoint, batch_size=8)
    torch.set_num_threads(threads)


def run_label(*overrides: str) -> subprocess.CompletedProcess:
    return run_script("label.py", *overrides, "inference.threads=1", timeout=120)


@pytest.mark.slow
def test_output_equal_to_input_leaves_the_input_intact(tmp_path, tiny_checkpoint):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "text": GOOD}) + "\n", encoding="utf-8")
    before = source.read_bytes()
    (tmp_path / "link.jsonl").symlink_to(source)
    for output in (source, tmp_path / "link.jsonl"):
        line = one_error_line(
            run_label(f"model_dir={tiny_checkpoint}", f"input={source}", f"output={output}")
        )
        assert "would overwrite the input" in line
    assert source.read_bytes() == before
    with pytest.raises(ValueError, match="would overwrite the input"):
        check_paths(str(source), str(tmp_path / "out.jsonl"), str(source))


@pytest.mark.slow
def test_a_second_run_on_the_same_output_stops_at_once(tmp_path, tiny_checkpoint):
    output = tmp_path / "out.jsonl"
    source = tmp_path / "a.txt"
    source.write_text(GOOD, encoding="utf-8")
    holder = ResumableWriter(output)  # a run in progress holds the lock
    try:
        line = one_error_line(
            run_label(f"model_dir={tiny_checkpoint}", f"input={source}", f"output={output}")
        )
        assert "another run is writing" in line
        with pytest.raises(ValueError, match="another run is writing"):
            ResumableWriter(output)
    finally:
        holder.close()
    assert output.read_bytes() == b""  # nothing was written by the refused run


def test_resume_verifies_what_it_skips(tmp_path, classifier):
    source = tmp_path / "docs.jsonl"
    source.write_text("".join(json.dumps({"id": f"d{i}", "text": GOOD}) + "\n" for i in range(3)))
    output = tmp_path / "out.jsonl"
    label_documents(classifier, read_documents(str(source)), output, progress=False)
    data = output.read_bytes()
    output.write_bytes(data.replace(b'"d1"', b'"dX"'))  # same length, other content
    with pytest.raises(ValueError, match="does not hold what .* records"):
        label_documents(classifier, read_documents(str(source)), output, progress=False)
    output.write_bytes(data + data)  # doubled: cut back to what progress records, then nothing redone
    summary = label_documents(classifier, read_documents(str(source)), output, progress=False)
    assert summary.already_done == 3 and output.read_bytes() == data


@pytest.mark.slow
def test_resume_with_other_settings_is_refused(tmp_path, tiny_checkpoint, classifier):
    source = tmp_path / "docs.jsonl"
    source.write_text("".join(json.dumps({"id": f"d{i}", "text": GOOD}) + "\n" for i in range(2)))
    output = tmp_path / "out.jsonl"
    label_documents(
        classifier, read_documents(str(source)), output, progress=False, settings={"quantize": "none"}
    )
    with pytest.raises(ValueError, match=r"written with quantize='none', this run has quantize='int8'"):
        label_documents(
            classifier, read_documents(str(source)), output, progress=False, settings={"quantize": "int8"}
        )
    with pytest.raises(ValueError, match=r"written with min_score=0.0, this run has min_score=0.5"):
        label_documents(
            classifier,
            read_documents(str(source)),
            output,
            min_score=0.5,
            progress=False,
            settings={"quantize": "none"},
        )
    summary = label_documents(
        classifier,
        read_documents(str(source)),
        output,
        progress=False,
        settings={"quantize": "int8"},
        overwrite=True,
    )
    assert summary.documents == 2
    # Through the CLI: another min_score on the same output is refused with one line.
    cli_out = tmp_path / "cli.jsonl"
    assert run_label(f"model_dir={tiny_checkpoint}", f"input={source}", f"output={cli_out}").returncode == 0
    recorded = json.loads(sidecar(cli_out, "run.json").read_text())
    assert recorded["model_dir"] == str(tiny_checkpoint.resolve()) and recorded["quantize"] == "none"
    line = one_error_line(
        run_label(f"model_dir={tiny_checkpoint}", f"input={source}", f"output={cli_out}", "min_score=0.5")
    )
    assert "min_score=0.0, this run has min_score=0.5" in line and "overwrite=true" in line


def test_jsonl_and_csv_outputs_in_one_folder_keep_their_own_sidecars(tmp_path, classifier):
    source = tmp_path / "docs.jsonl"
    source.write_text(json.dumps({"id": "a", "text": GOOD}) + "\n{broken\n", encoding="utf-8")
    as_jsonl, as_csv = tmp_path / "out.jsonl", tmp_path / "out.csv"
    label_documents(classifier, read_documents(str(source)), as_jsonl, progress=False)
    label_documents(classifier, read_documents(str(source)), as_csv, progress=False)
    assert skipped_path(as_jsonl).name == "out.jsonl.skipped.jsonl"
    assert skipped_path(as_csv).name == "out.csv.skipped.jsonl"
    for output in (as_jsonl, as_csv):
        assert len(skipped_path(output).read_text().splitlines()) == 1
        assert sidecar(output, "progress").is_file() and sidecar(output, "run.json").is_file()
        again = label_documents(classifier, read_documents(str(source)), output, progress=False)
        assert (again.already_done, again.documents, again.skipped) == (2, 0, 0)


@pytest.mark.slow
def test_checkpoint_faults_stop_before_any_output(tmp_path, tiny_checkpoint):
    import shutil

    source = tmp_path / "a.txt"
    source.write_text(GOOD, encoding="utf-8")
    cases = {
        "no tokenizer": (["tokenizer.json", "vocab.txt"], "no tokenizer files"),
        "no metadata": (["claimtype.json"], "not a claimtype checkpoint: no claimtype.json"),
    }
    for name, (remove, message) in cases.items():
        model = tmp_path / name.replace(" ", "_")
        shutil.copytree(tiny_checkpoint, model)
        for file in remove:
            (model / file).unlink(missing_ok=True)
        output = tmp_path / f"{model.name}.jsonl"
        line = one_error_line(run_label(f"model_dir={model}", f"input={source}", f"output={output}"))
        assert message in line and not output.exists()
    truncated = tmp_path / "truncated"
    shutil.copytree(tiny_checkpoint, truncated)
    weights = truncated / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    output = tmp_path / "truncated.jsonl"
    line = one_error_line(run_label(f"model_dir={truncated}", f"input={source}", f"output={output}"))
    assert "is not a loadable checkpoint" in line and not output.exists()


@pytest.mark.slow
@pytest.mark.parametrize(
    "case",
    [
        "output is a folder",
        "output is a device",
        "output under a file",
        "html under a file",
        "min_score not a number",
    ],
)
def test_environment_faults_end_in_one_error_line(tmp_path, tiny_checkpoint, case):
    source = tmp_path / "a.txt"
    source.write_text(GOOD, encoding="utf-8")
    (tmp_path / "plain_file").write_text("x")
    output, extra = tmp_path / "out.jsonl", []
    if case == "output is a folder":
        output = tmp_path / "folder.jsonl"
        output.mkdir()
        expected = "is a folder"
    elif case == "output under a file":
        output = tmp_path / "plain_file" / "out.jsonl"
        expected = "cannot be written"
    elif case == "html under a file":
        extra = [f"output_html={tmp_path / 'plain_file' / 'view.html'}"]
        expected = "output_html"
    elif case == "min_score not a number":
        extra = ["min_score=abc"]
        expected = "min_score must be a number, got 'abc'"
    else:
        output.symlink_to("/dev/full")
        expected = "is not a regular file"
    line = one_error_line(
        run_label(f"model_dir={tiny_checkpoint}", f"input={source}", f"output={output}", *extra)
    )
    assert expected in line, line
    if case == "html under a file":
        assert not output.exists()  # checked before labelling, not after the whole run


@pytest.mark.slow
def test_a_full_disk_mid_run_ends_in_one_error_line(tmp_path, tiny_checkpoint):
    """The output stops growing mid-run (a file-size limit stands in for a full disk: the same failed
    write): one error line naming the file, and the resume state stays consistent."""
    import resource
    import signal

    source = tmp_path / "docs.jsonl"
    source.write_text("".join(json.dumps({"id": f"d{i}", "text": GOOD}) + "\n" for i in range(40)))
    output = tmp_path / "out.jsonl"

    def limit_file_size() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write instead of a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (4000, 4000))

    command = label_command(
        f"model_dir={tiny_checkpoint}",
        f"input={source}",
        f"output={output}",
        "inference.threads=1",
    )
    full = subprocess.run(
        command, capture_output=True, text=True, cwd=ROOT, timeout=120, preexec_fn=limit_file_size
    )
    assert full.returncode == 2
    errors = [line for line in full.stderr.splitlines() if "error" in line.lower()]
    assert len(errors) == 1 and full.stderr.strip().splitlines()[-1] == errors[0], full.stderr[-2000:]
    line = errors[0]
    assert "File too large while writing" in line and str(output) in line
    resumed = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert [r["doc_id"] for r in read_output_rows(output) if r["sentence_index"] == 0] == [
        f"d{i}" for i in range(40)
    ]


def test_cp1252_jsonl_and_csv_records_are_decoded_or_skipped(tmp_path, classifier, caplog):
    text = "The mayor’s office called the memo a fake."
    source = tmp_path / "docs.jsonl"
    source.write_bytes(
        json.dumps({"id": "w", "text": text}, ensure_ascii=False).encode("cp1252")
        + b"\n"
        + b'{"id": "bad", "text": "broken \x81 byte"}\n'
    )
    output = tmp_path / "out.jsonl"
    with caplog.at_level(logging.WARNING, logger="claimtype.labeller"):
        label_documents(classifier, read_documents(str(source)), output, progress=False)
    rows = list(read_output_rows(output))
    assert [r["text"] for r in rows] == [text] and "\ufffd" not in output.read_text(encoding="utf-8")
    assert "docs.jsonl:1: not UTF-8 (invalid byte at offset 30); read as cp1252" in caplog.messages
    assert json.loads(skipped_path(output).read_text())["reason"].startswith("not UTF-8")
    table = tmp_path / "table.csv"
    table.write_bytes(f'id,text\nc1,"{text}"\n'.encode("cp1252"))
    csv_out = tmp_path / "csv.jsonl"
    label_documents(classifier, read_documents(str(table)), csv_out, progress=False)
    assert [r["text"] for r in read_output_rows(csv_out)] == [text]


def test_boilerplate_filter_keeps_news_sentences_and_counts_what_it_drops(tmp_path, classifier):
    article = (
        "By Monday, Russian forces had taken the city, officials said.\n"
        "2 days ago the governor denied the reports.\n"
        "Photo: the ministry said the bridge was intact.\n"
        "By John Smith, Reuters\n"
        "Photo: Reuters\n"
        "Follow us on Twitter\n"
    )
    source = tmp_path / "a.txt"
    source.write_text(article, encoding="utf-8")
    output = tmp_path / "out.jsonl"
    summary = label_documents(classifier, read_documents(str(source)), output, progress=False)
    assert [r["text"] for r in read_output_rows(output)] == [
        "By Monday, Russian forces had taken the city, officials said.",
        "2 days ago the governor denied the reports.",
        "Photo: the ministry said the bridge was intact.",
    ]
    assert summary.boilerplate_dropped == 3
    assert "boilerplate lines dropped: 3" in summary.render()


def test_progress_total_is_counted_cheaply(tmp_path):
    (tmp_path / "dir" / "sub").mkdir(parents=True)
    for name in ("a.txt", "b.txt", "sub/c.txt", "notes.md"):
        (tmp_path / "dir" / name).write_text(GOOD)
    assert count_documents(str(tmp_path / "dir")) == 3
    (tmp_path / "d.jsonl").write_text('{"id": 1}\n\n{"id": 2}\n{broken\n')
    assert count_documents(str(tmp_path / "d.jsonl")) == 3
    (tmp_path / "t.csv").write_text('id,text\n1,"a\nb"\n2,c\n')
    assert count_documents(str(tmp_path / "t.csv")) == 2
    assert count_documents("-") is None


def test_record_metadata_reaches_the_rows_and_the_html(tmp_path, classifier):
    record = {
        "id": "m1",
        "text": GOOD,
        "title": "Plan & costs",
        "url": "https://example.org/a",
        "published": "2022-03-01",
    }
    source = tmp_path / "docs.jsonl"
    source.write_text(json.dumps(record) + "\n", encoding="utf-8")
    output = tmp_path / "out.jsonl"
    label_documents(classifier, read_documents(str(source)), output, progress=False)
    rows = list(read_output_rows(output))
    assert all(
        (r["title"], r["url"], r["published"]) == ("Plan & costs", "https://example.org/a", "2022-03-01")
        for r in rows
    )
    page = render_html(rows)
    assert '<a href="https://example.org/a">Plan &amp; costs</a>' in page and "2022-03-01" in page
    csv_out = tmp_path / "out.csv"  # CSV keeps its fixed columns
    label_documents(classifier, read_documents(str(source)), csv_out, progress=False)
    assert (
        csv_out.read_text().splitlines()[0]
        == "doc_id,sentence_index,start,end,text,label,score,scores,uncertain"
    )


def test_saved_checkpoints_follow_the_umask(tmp_path, tiny_checkpoint):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from claimtype.modeling import save_checkpoint

    previous = os.umask(0o022)
    try:
        model = AutoModelForSequenceClassification.from_pretrained(tiny_checkpoint)
        tokenizer = AutoTokenizer.from_pretrained(tiny_checkpoint)
        save_checkpoint(model, tokenizer, tmp_path / "model", {"context": "none"})
    finally:
        os.umask(previous)
    modes = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "model").iterdir()}
    assert modes["model.safetensors"] == 0o644 and set(modes.values()) == {0o644}

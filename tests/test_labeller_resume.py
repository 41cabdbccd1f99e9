"""Resuming the batch labeller: a run killed with SIGKILL and started again writes every document's
rows exactly once, in input order, byte for byte as an uninterrupted run would."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator

import pytest
import torch
from helpers import ROOT, label_command

from claimtype import labeller
from claimtype.inference import ClaimTypeClassifier
from claimtype.labeller import Document, label_documents, read_documents, skipped_path

N_DOCS, SENTENCES_PER_DOC = 100, 10
VERBS = ("said", "denied", "claimed", "could not confirm", "rejected reports", "insisted")


def article(doc: int) -> str:
    """Distinct sentences in paragraphs of four; lengths vary from document to document."""
    sentences = [
        f"Officials in district {doc} {VERBS[(doc + i) % len(VERBS)]} that {i + 1} bridges "
        + "were damaged" * (1 + (doc * i) % 3)
        + "."
        for i in range(SENTENCES_PER_DOC)
    ]
    return "\n\n".join(" ".join(sentences[p : p + 4]) for p in range(0, SENTENCES_PER_DOC, 4))


@pytest.fixture(scope="module")
def one_thread() -> Iterator[None]:
    """One torch thread, as the CLI runs get (threads=1), so their scores match this process's."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.slow
def test_killed_run_resumes_to_the_uninterrupted_output(tmp_path, tiny_checkpoint, one_thread):
    lines = [json.dumps({"id": f"d{doc:03d}", "text": article(doc)}) for doc in range(N_DOCS)]
    lines.insert(40, "{not json")  # a skip on the way: the skipped list must resume too
    source = tmp_path / "docs.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")

    reference = tmp_path / "reference.jsonl"
    classifier = ClaimTypeClassifier.from_pretrained(tiny_checkpoint, batch_size=1)
    label_documents(classifier, read_documents(str(source)), reference, progress=False)

    output = tmp_path / "out" / "labels.jsonl"
    progress = output.with_name(output.name + ".progress")
    command = label_command(
        f"model_dir={tiny_checkpoint}",
        f"input={source}",
        f"output={output}",
        "inference.batch_size=1",  # one sentence per forward pass: slow enough to kill mid-run
        "inference.threads=1",
    )
    run = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not (progress.is_file() and progress.read_text().count("\n") > N_DOCS // 10):
        assert run.poll() is None and time.monotonic() < deadline, "the run ended before it could be killed"
        time.sleep(0.02)
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    done = progress.read_text().count("\n")
    assert done < N_DOCS + 1, "killed too late to test resuming"
    # What a kill in the middle of a write leaves: rows past the last recorded document, half a line.
    with output.open("ab") as handle:
        handle.write(b'{"doc_id": "d999", "sentence_index": 0, "start": 0, "end": 9, "text": "Half a ro')
    with progress.open("ab") as handle:
        handle.write(b'{"key": "doc\\td999", "output_b')

    resumed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)

    assert resumed.returncode == 0, resumed.stderr
    assert f"already done: {done}" in resumed.stdout
    assert output.read_bytes() == reference.read_bytes()
    assert skipped_path(output).read_bytes() == skipped_path(reference).read_bytes()
    entries = [json.loads(line) for line in progress.read_text().splitlines()]  # no half line left
    assert len({entry["key"] for entry in entries}) == len(entries) == N_DOCS + 1
    rows = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    expected = [(f"d{doc:03d}", i) for doc in range(N_DOCS) for i in range(SENTENCES_PER_DOC)]
    assert [(r["doc_id"], r["sentence_index"]) for r in rows] == expected


class Interrupted(Exception):
    pass


def test_resume_keeps_a_repeated_id_a_duplicate(tmp_path, monkeypatch, tiny_checkpoint, one_thread):
    """Cut off after the original: on resume its repeat is still reported as a duplicate, not as done."""
    monkeypatch.setattr(labeller, "FLUSH_SENTENCES", 1)  # write each document as soon as it is read
    classifier = ClaimTypeClassifier.from_pretrained(tiny_checkpoint, batch_size=1)
    documents = [
        Document("x", "The mayor denied it.", "in.jsonl:1"),
        Document("x", "Nobody said it.", "in.jsonl:2"),
    ]
    output = tmp_path / "labels.jsonl"

    def cut_off() -> Iterator[Document]:
        yield documents[0]
        raise Interrupted

    with pytest.raises(Interrupted):
        label_documents(classifier, cut_off(), output, progress=False)
    summary = label_documents(classifier, iter(documents), output, progress=False)

    assert (summary.documents, summary.already_done, summary.skipped) == (0, 1, 1)
    assert [json.loads(line)["text"] for line in output.read_text().splitlines()] == ["The mayor denied it."]
    assert [json.loads(line) for line in skipped_path(output).read_text().splitlines()] == [
        {"source": "in.jsonl:2", "doc_id": "x", "reason": "duplicate document id 'x'"}
    ]


def test_output_shorter_than_its_progress_is_an_error(tmp_path, tiny_checkpoint, one_thread):
    """A deleted or edited output must not be padded out to the recorded length: stop and say why."""
    classifier = ClaimTypeClassifier.from_pretrained(tiny_checkpoint, batch_size=1)
    output = tmp_path / "labels.jsonl"
    label_documents(
        classifier, iter([Document("a", "The mayor denied it.", "a.txt")]), output, progress=False
    )
    output.unlink()
    with pytest.raises(ValueError, match=r"labels\.jsonl is shorter than .*labels\.jsonl\.progress records"):
        label_documents(classifier, iter([]), output, progress=False)
    assert not output.exists()

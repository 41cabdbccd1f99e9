"""``engine=ray``: the local engine's rows, skips and files, byte for byte, from a pool of Ray actors;
a run killed with SIGKILL resumes to the uninterrupted output.

The tiny random checkpoint with ``batch_size=1`` and one thread per actor: the rows of both engines
are then equal digit for digit. Ray is kept small (2 CPUs, a 200 MB object store, no dashboard).
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import (
    CP1252,
    GOOD,
    NESTED,
    ROOT,
    RUNON,
    SHORT,
    compose_config,
    good_and_bad_files,
    label_command,
    one_error_line,
)

from claimtype.labeller import Summary, label_documents, read_documents, skipped_path
from claimtype.ray_engine import check_ray, label_with_ray

ray = pytest.importorskip("ray", reason="engine=ray needs the ray extra: pip install -e '.[ray]'")

pytestmark = pytest.mark.slow  # each test starts Ray or a labelling process

SMALL_RAY = ["ray.num_cpus=2", "ray.object_store_mb=200"]
EXACT = ["inference.batch_size=1", "ray.threads_per_actor=1"]  # the local classifier's settings


@pytest.fixture(scope="module")
def small_ray() -> Iterator[None]:
    """One small Ray instance for this module's in-process runs (label_with_ray uses it, leaves it)."""
    ray.init(num_cpus=2, object_store_memory=200 * 2**20, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def article(doc: int, sentences: int = 10) -> str:
    """Distinct sentences in paragraphs of four."""
    lines = [f"Officials in district {doc} said that {i + 1} bridges were damaged." for i in range(sentences)]
    return "\n\n".join(" ".join(lines[p : p + 4]) for p in range(0, sentences, 4))


def jsonl_input(tmp_path: Path) -> Path:
    """Bad records among good ones, repeated ids in other shards than their originals (one of
    them also too long to split: reported as a repeat, as the local engine does)."""
    lines = [
        json.dumps({"id": "a1", "text": GOOD, "title": "Plan", "url": "https://example.org/plan"}),
        '{"id": "a2", "text": }',
        json.dumps({"id": "a3"}),
        "",
        json.dumps({"text": SHORT}),
        json.dumps({"id": "a1", "text": NESTED}),
        json.dumps({"id": "a4", "text": 42}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "a5", "text": "   "}),
        json.dumps({"id": "a6", "text": RUNON}),
        json.dumps({"id": "a7", "text": article(7)}),
        json.dumps({"id": "a7", "text": RUNON}),
        json.dumps({"id": "a8", "text": CP1252}),
    ]
    source = tmp_path / "batch.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return source


def csv_input(tmp_path: Path) -> Path:
    table = tmp_path / "table.csv"
    with table.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "body"])
        writer.writerows([["c1", GOOD], ["c2", ""], ["c3", SHORT], ["c1", NESTED], ["c4", article(4)]])
    return table


def counts(summary: Summary) -> tuple:
    return (
        summary.documents,
        summary.skipped,
        summary.already_done,
        summary.sentences,
        summary.boilerplate_dropped,
        dict(summary.labels),
    )


@pytest.mark.parametrize(
    ("make_input", "output_name", "text_field", "expected_ids"),
    [
        (good_and_bad_files, "labels.csv", "text", ["good.txt", "sub/nested.txt", "windows.txt"]),
        (jsonl_input, "labels.jsonl", "text", ["a1", "sha1-", "a7", "a8"]),
        (csv_input, "labels.jsonl", "body", ["c1", "c3", "c4"]),
    ],
    ids=["directory-to-csv", "jsonl", "csv-to-jsonl"],
)
def test_ray_writes_the_local_rows_and_skips(
    tmp_path, tiny_checkpoint, classifier, small_ray, make_input, output_name, text_field, expected_ids
):
    source = make_input(tmp_path)
    local = tmp_path / "local" / output_name
    local_summary = label_documents(
        classifier, read_documents(str(source), text_field=text_field), local, progress=False
    )

    output = tmp_path / "ray" / output_name
    cfg = compose_config(
        "label",
        [
            f"model_dir={tiny_checkpoint}",
            f"input={source}",
            f"output={output}",
            f"text_field={text_field}",
            "engine=ray",
            "ray.concurrency=2",  # shards finish out of order; rows must not
            "ray.shard_documents=2",
            *EXACT,
        ],
    )
    summary = label_with_ray(cfg, {}, progress=False)

    assert output.read_bytes() == local.read_bytes()
    assert skipped_path(output).read_bytes() == skipped_path(local).read_bytes()
    assert counts(summary) == counts(local_summary)
    if output.suffix == ".jsonl":  # not two empty files: the expected documents, in input order
        ids = list(dict.fromkeys(json.loads(line)["doc_id"] for line in output.read_text().splitlines()))
        assert [i[:5] if i.startswith("sha1-") else i for i in ids] == expected_ids
    else:
        ids = list(dict.fromkeys(row["doc_id"] for row in csv.DictReader(output.open(encoding="utf-8"))))
        assert ids == expected_ids
    assert summary.skipped == len(skipped_path(output).read_text().splitlines()) > 0


def test_killed_ray_run_resumes_to_the_uninterrupted_output(tmp_path, tiny_checkpoint, classifier, small_ray):
    """Killed while it runs its own local Ray instance; resumed on a running one (``ray.address``)."""
    n_docs = 100
    lines = [json.dumps({"id": f"d{doc:03d}", "text": article(doc)}) for doc in range(n_docs)]
    lines.insert(40, "{not json")  # a skip on the way: the skipped list must resume too
    source = tmp_path / "docs.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reference = tmp_path / "reference.jsonl"
    label_documents(classifier, read_documents(str(source)), reference, progress=False)

    output = tmp_path / "out" / "labels.jsonl"
    progress = output.with_name(output.name + ".progress")
    command = label_command(
        f"model_dir={tiny_checkpoint}",
        f"input={source}",
        f"output={output}",
        "engine=ray",
        "ray.concurrency=2",
        "ray.shard_documents=4",
        *EXACT,
    )
    # Its own session: after the kill, whatever of its Ray instance outlives it is ended with it.
    run = subprocess.Popen(
        [*command, *SMALL_RAY],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while not (progress.is_file() and progress.read_text().count("\n") > n_docs // 10):
            assert run.poll() is None and time.monotonic() < deadline, (
                "the run ended before it could be killed"
            )
            time.sleep(0.02)
        os.kill(run.pid, signal.SIGKILL)
        run.wait()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.pid, signal.SIGKILL)
    done = progress.read_text().count("\n")
    assert done < n_docs + 1, "killed too late to test resuming"
    # What a kill in the middle of a write leaves: rows past the last recorded document, half a line.
    with output.open("ab") as handle:
        handle.write(b'{"doc_id": "d999", "sentence_index": 0, "start": 0, "end": 9, "text": "Half a ro')
    with progress.open("ab") as handle:
        handle.write(b'{"key": "doc\\td999", "output_b')

    address = f"ray.address={ray.get_runtime_context().gcs_address}"  # this module's instance
    resumed = subprocess.run([*command, address], cwd=ROOT, capture_output=True, text=True, timeout=300)

    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f"already done: {done}" in resumed.stdout
    assert output.read_bytes() == reference.read_bytes()
    assert skipped_path(output).read_bytes() == skipped_path(reference).read_bytes()
    entries = [json.loads(line) for line in progress.read_text().splitlines()]
    assert len({entry["key"] for entry in entries}) == len(entries) == n_docs + 1


def test_engine_ray_without_ray_is_one_error_line_before_any_output(tmp_path, tiny_checkpoint, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # as if not installed
    with pytest.raises(ValueError, match=r"^engine=ray needs Ray Data, which is not installed: pip install"):
        check_ray(compose_config("label", ["input=x", "output=y"]).ray)

    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "text": GOOD}) + "\n", encoding="utf-8")
    output = tmp_path / "out.jsonl"
    hide_ray = "import sys; sys.modules['ray'] = None; from claimtype.command import main; main()"
    result = subprocess.run(
        [sys.executable, "-c", hide_ray, "label", f"model_dir={tiny_checkpoint}"]
        + [f"input={source}", f"output={output}", "engine=ray"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "pip install 'claimtype[ray]'" in one_error_line(result)
    assert list(tmp_path.iterdir()) == [source]

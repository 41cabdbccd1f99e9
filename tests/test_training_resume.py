"""Resuming training: a run killed after an epoch and restarted with ``trainer.resume=true`` ends where
an uninterrupted run with the same seed does: same metrics per epoch (each once), same weights."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from helpers import ROOT, SCRIPTS, compose_config
from safetensors.torch import load_file

from claimtype import training

COMPARED = ("epoch", "train_loss", "val_macro_f1", "val_accuracy", "lr", "best")


def overrides(tiny_base: Path, small_gold: Path, work: Path, *extra: str) -> list[str]:
    return [
        f"model.name_or_path={tiny_base}",
        f"data.gold_path={small_gold}",
        f"data.processed_dir={work / 'processed'}",
        f"paths.experiments_dir={work / 'experiments'}",
        "trainer.epochs=3",
        "trainer.early_stopping_patience=10",
        "trainer.batch_size=8",
        "trainer.lr=1e-3",  # big steps: batch order shows in the loss (at 5e-5 barely)
        "model.max_length=64",
        "trainer.threads=1",  # a second thread only slows a tiny model on a busy 2-core CPU
        *extra,
    ]


def metrics(run_dir: Path) -> list[dict]:
    records = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    return [{key: record[key] for key in COMPARED} for record in records]


def assert_same_run(run_dir: Path, reference_dir: Path) -> None:
    """Epochs 1, 2, 3 once each, with the reference's metrics, and the same final weights."""
    got, want = metrics(run_dir), metrics(reference_dir)
    assert [r["epoch"] for r in got] == [1, 2, 3]
    for record, expected in zip(got, want, strict=True):
        assert record == pytest.approx(expected, abs=1e-5)
    weights = load_file(run_dir / "checkpoints" / "last" / "model.safetensors")
    reference = load_file(reference_dir / "checkpoints" / "last" / "model.safetensors")
    assert weights.keys() == reference.keys()
    for name, tensor in weights.items():
        torch.testing.assert_close(tensor, reference[name], atol=1e-5, rtol=0, msg=name)


@pytest.mark.slow
def test_killed_run_resumes_to_the_uninterrupted_result(tiny_base, small_gold, tmp_path):
    train_script = [sys.executable, str(SCRIPTS / "train.py")]
    # The uninterrupted run goes alongside the one to kill (own dataset cache: no race on it).
    full_log = (tmp_path / "full.log").open("w")
    full = subprocess.Popen(
        [*train_script, *overrides(tiny_base, small_gold, tmp_path / "full", "name=full")],
        cwd=ROOT,
        stdout=full_log,
        stderr=subprocess.STDOUT,
    )
    command = [*train_script, *overrides(tiny_base, small_gold, tmp_path, "name=killed")]
    run_dir = tmp_path / "experiments" / "killed"
    state_file = run_dir / "checkpoints" / "last" / "trainer_state.json"
    run = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not state_file.is_file():
        assert run.poll() is None and time.monotonic() < deadline, "the run ended before it could be killed"
        time.sleep(0.01)
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    saved_epoch = json.loads(state_file.read_text())["epoch"]
    assert saved_epoch < 3, "killed too late to test resuming"
    # A kill between writing an epoch's metrics and saving its state leaves a record the resumed run
    # redoes; make that case certain here (it also stands for a record cut off mid-line).
    with (run_dir / "metrics.jsonl").open("a") as handle:
        handle.write(json.dumps({"epoch": saved_epoch + 1, "train_loss": -1.0}) + "\n" + '{"epoch": ')

    resumed = subprocess.run(
        [*command, "trainer.resume=true"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )

    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert f"after epoch {saved_epoch}" in resumed.stdout
    assert full.wait(timeout=300) == 0, (tmp_path / "full.log").read_text()[-2000:]
    full_log.close()
    assert_same_run(run_dir, tmp_path / "full" / "experiments" / "full")


class Interrupted(Exception):
    pass


@pytest.fixture
def restore_threads() -> Iterator[None]:
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)


def test_resume_without_length_grouping_reshuffles_alike(
    tiny_base, small_gold, tmp_path, monkeypatch, restore_threads
):
    """group_by_length=false shuffles with a plain sampler: its per-epoch order must survive a resume
    too. In-process; the interruption comes right after epoch 1's state is saved."""

    def run(name: str, *extra: str) -> None:
        cfg = compose_config(
            "train",
            overrides(
                tiny_base,
                small_gold,
                tmp_path,
                f"paths.run_dir={tmp_path / name}",
                "trainer.group_by_length=false",
                *extra,
            ),
        )
        training.train(cfg)

    run("full")
    save = training.save_resume_state

    def save_then_stop(accelerator, state_dir: Path, state: dict) -> None:
        save(accelerator, state_dir, state)
        raise Interrupted

    with monkeypatch.context() as patch:
        patch.setattr(training, "save_resume_state", save_then_stop)
        with pytest.raises(Interrupted):
            run("interrupted")
    run("interrupted", "trainer.resume=true")

    assert_same_run(tmp_path / "interrupted", tmp_path / "full")

"""Training in two processes on CPU (gloo), started by ``accelerate launch`` as on several GPUs: the run
finishes, one process writes the model and the metrics (each epoch once), and the resumable state
holds both processes' RNG states."""

import contextlib
import json
import socket
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from accelerate.data_loader import BatchSamplerShard

from claimtype.training import LengthGroupedBatches


def run_to_the_end(command: list[str], cwd: Path, timeout: int) -> subprocess.CompletedProcess:
    """Run ``command``; past ``timeout``, kill it with every process it started (the launcher starts
    its workers in sessions of their own) and fail with the ends of what they printed."""
    launcher = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        stdout, stderr = launcher.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        for process in [*psutil.Process(launcher.pid).children(recursive=True), launcher]:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        stdout, stderr = launcher.communicate()
        pytest.fail(f"still running after {timeout} s\nstdout: {stdout[-2000:]}\nstderr: {stderr[-2000:]}")
    return subprocess.CompletedProcess(command, launcher.returncode, stdout, stderr)


def free_port() -> int:
    """A port for the processes' rendezvous: tests running side by side must not share one."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_two_processes_write_one_checkpoint_and_one_metrics_line_per_epoch(tiny_base, small_gold, tmp_path):
    launch = [
        sys.executable,
        "-m",
        "accelerate.commands.launch",
        # --multi_gpu picks Accelerate's multi-process launcher; trainer.cpu=true runs each process on
        # the CPU (gloo). (`--cpu --num_processes 2` would start one process only.)
        "--multi_gpu",
        "--num_processes=2",
        "--num_machines=1",
        "--mixed_precision=no",
        "--dynamo_backend=no",
        f"--main_process_port={free_port()}",
    ]
    train = [
        "-m",
        "claimtype",
        "train",
        "experiment=tiny",
        f"model.name_or_path={tiny_base}",
        "model.max_length=64",
        f"data.gold_path={small_gold}",
        "trainer.epochs=2",
        "trainer.early_stopping_patience=5",
        "trainer.cpu=true",
        "trainer.threads=1",
    ]
    result = run_to_the_end([*launch, *train], tmp_path, timeout=300)  # about 15 s on 2 CPU cores
    assert result.returncode == 0, result.stderr[-3000:]

    run = tmp_path / "experiments" / "tiny"
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in records] == [1, 2]
    assert records[-1]["lr"] == 0.0  # the schedule counts the steps of both processes: it ends at 0
    printed = [line for line in result.stdout.splitlines() if line.startswith('{"epoch": ')]
    assert len(printed) == 2
    assert (result.stdout + result.stderr).count("best validation macro-F1") == 1

    model = run / "model"
    assert sorted(run.rglob("claimtype.json")) == [model / "claimtype.json"]
    assert (model / "model.safetensors").is_file()
    assert "temperature" in json.loads((model / "claimtype.json").read_text())
    assert not list(run.rglob("*.tmp"))  # every swap finished
    state = run / "checkpoints" / "last"
    assert {p.name for p in state.glob("random_states_*.pkl")} == {
        "random_states_0.pkl",
        "random_states_1.pkl",
    }


def test_length_grouped_batches_split_over_two_processes_without_losing_examples():
    """Accelerate deals the batches out in turns; the one short batch, wherever the shuffle puts it,
    must not cost a turn (70 examples in batches of 4: one batch of 2)."""
    lengths = [5, 50, 7, 30, 12, 48, 3, 22, 9, 41] * 7
    shards = [
        list(BatchSamplerShard(LengthGroupedBatches(lengths, 4, seed=1, mega=2), 2, process_index))
        for process_index in (0, 1)
    ]
    assert len(shards[0]) == len(shards[1])  # the processes step together
    assert {i for shard in shards for batch in shard for i in batch} == set(range(len(lengths)))

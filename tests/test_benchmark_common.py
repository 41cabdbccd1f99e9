"""The benchmark's shared helpers: interleaved timing, failure lines, the label command it runs."""

import sys

import pytest
from helpers import compose_config
from omegaconf import OmegaConf

from claimtype.benchmark.common import (
    CommandFailed,
    failure_line,
    interleaved,
    label_command,
    quiet_training_arguments,
    rotated,
    run_logged,
)


def test_paths_take_turns_going_first():
    assert [rotated(["a", "b", "c"], turn) for turn in range(4)] == [
        ["a", "b", "c"],
        ["b", "c", "a"],
        ["c", "a", "b"],
        ["a", "b", "c"],
    ]


def test_interleaved_runs_every_path_on_every_part_each_repeat():
    calls = []
    runners = {name: (lambda part, n=name: calls.append((n, part)) or f"{n}{part}") for name in ("a", "b")}
    seconds, outputs = interleaved(runners, repeats=2, parts=[1, 2])
    assert calls == [("a", 1), ("b", 1), ("b", 2), ("a", 2), ("a", 1), ("b", 1), ("b", 2), ("a", 2)]
    assert {name: len(values) for name, values in seconds.items()} == {"a": 2, "b": 2}
    assert outputs == {"a": ["a1", "a2"], "b": ["b1", "b2"]}


def test_the_failure_line_is_the_error_not_the_hint():
    hydra = "Could not override 'engine'.\nKey 'engine' is not in struct\n\nSet the environment variable HYDRA_FULL_ERROR=1"
    assert failure_line(hydra) == "Could not override 'engine'."
    assert failure_line("Traceback:\n  File x\nModuleNotFoundError: No module named 'ray'\n").startswith(
        "ModuleNotFoundError"
    )
    assert failure_line("documents: 3\nerror: bad input\n") == "error: bad input"


@pytest.mark.slow
def test_run_logged_times_a_command_and_names_its_failure(tmp_path):
    assert run_logged([sys.executable, "-c", "print('ok')"], tmp_path / "ok.log", tmp_path) > 0
    with pytest.raises(CommandFailed) as failed:
        run_logged(
            [sys.executable, "-c", "import sys; sys.exit('error: boom')"], tmp_path / "x.log", tmp_path
        )
    assert failed.value.reason == "exited with 1: error: boom"


def test_the_label_command_is_valid_for_claimtype_label(tmp_path):
    inference = compose_config("benchmark", []).inference
    command = label_command(
        tmp_path / "model",
        tmp_path / "in.jsonl",
        tmp_path / "out.jsonl",
        inference,
        "engine=ray",
        "ray.concurrency=2",
    )
    assert command[:4] == [sys.executable, "-m", "claimtype", "label"]
    cfg = compose_config("label", command[4:])  # every override names a key of configs/label.yaml
    assert cfg.output == str(tmp_path / "out.jsonl") and cfg.overwrite is True
    assert OmegaConf.to_container(cfg.inference) == OmegaConf.to_container(inference)
    assert (cfg.engine, cfg.ray.concurrency) == ("ray", 2)


def test_quiet_training_arguments_write_nothing_while_timed(tmp_path):
    from transformers import TrainingArguments

    args = quiet_training_arguments(TrainingArguments, tmp_path, 7, per_device_train_batch_size=4)
    assert (args.output_dir, args.seed, args.per_device_train_batch_size) == (str(tmp_path), 7, 4)
    assert args.save_strategy == "no" and args.logging_strategy == "no" and args.report_to == []

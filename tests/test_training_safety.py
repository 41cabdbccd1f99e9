"""Training and evaluation under misuse: a previous model is never deleted unasked, bad settings end
in one ``error:`` line, a failing sweep job does not stop the others, and evaluate neither
overwrites another run's report nor scores a model on its own training articles."""

import os

import pytest
from helpers import compose_config, one_error_line, run_script
from test_training import tiny_overrides

from claimtype import training
from claimtype.modeling import read_metadata


def test_a_trained_model_is_kept_until_a_new_best_replaces_it(tiny_base, small_gold, tmp_path, monkeypatch):
    overrides = [*tiny_overrides(tiny_base, small_gold, tmp_path), f"paths.run_dir={tmp_path / 'run'}"]
    previous_umask = os.umask(0o022)
    try:
        model_dir = training.train(compose_config("train", overrides))
    finally:
        os.umask(previous_umask)
    saved = [p for p in (tmp_path / "run").rglob("*") if p.is_file()]
    assert {p.stat().st_mode & 0o777 for p in saved} == {0o644}  # readable by others, like any file
    weights = (model_dir / "model.safetensors").read_bytes()
    with pytest.raises(ValueError, match="already holds a trained model: .*overwrite=true"):
        training.train(compose_config("train", overrides))

    def interrupted(name_or_path):  # the new run dies before its first epoch ends
        raise KeyboardInterrupt

    monkeypatch.setattr(training, "load_model_for_training", interrupted)
    with pytest.raises(KeyboardInterrupt):
        training.train(compose_config("train", [*overrides, "overwrite=true"]))
    assert (model_dir / "model.safetensors").read_bytes() == weights
    assert read_metadata(model_dir)["epoch"] == 1


@pytest.mark.slow
@pytest.mark.parametrize(
    "override, message",
    [
        ("trainer.batch_size=0", "trainer.batch_size must be at least 1, got 0"),
        ("trainer.epochs=0", "trainer.epochs must be at least 1, got 0"),
        ("trainer.lr=fast", "trainer.lr must be a number, got 'fast'"),
        ("model.name_or_path=/no/such/model", "no such model folder: /no/such/model"),
    ],
)
def test_bad_training_settings_end_in_one_error_line(tiny_base, small_gold, tmp_path, override, message):
    result = run_script("train.py", *tiny_overrides(tiny_base, small_gold, tmp_path), "name=bad", override)
    assert message in one_error_line(result)
    assert not (tmp_path / "experiments" / "bad" / "model").exists()


@pytest.mark.slow
def test_a_failing_sweep_job_does_not_stop_the_others(tiny_base, small_gold, tmp_path):
    result = run_script(
        "train.py",
        "-m",
        "name=sweep",
        *tiny_overrides(tiny_base, small_gold, tmp_path),
        "trainer.batch_size=0,16",
    )
    assert result.returncode == 1, result.stderr[-2000:]
    sweep = tmp_path / "experiments" / "sweep" / "multirun"
    assert (sweep / "0" / "FAILED").read_text().strip() == "trainer.batch_size must be at least 1, got 0"
    assert (sweep / "1" / "model" / "model.safetensors").is_file()  # the job after the failure ran
    assert "error: 1 of 2 jobs failed" in result.stderr
    assert "failed job 0 (trainer.batch_size=0)" in result.stderr
    # The same sweep mended and run again in the same folder: the old failure is not reported again.
    again = run_script(
        "train.py",
        "-m",
        "name=sweep",
        *tiny_overrides(tiny_base, small_gold, tmp_path),
        "trainer.batch_size=16,16",
        "overwrite=true",
    )
    assert again.returncode == 0, again.stderr[-2000:]
    assert not list(sweep.glob("*/FAILED"))


@pytest.mark.slow
def test_evaluate_writes_beside_the_model_and_uses_its_split(tiny_base, small_gold, tmp_path):
    overrides = [
        *tiny_overrides(tiny_base, small_gold, tmp_path),
        f"paths.run_dir={tmp_path / 'other'}",
        "data.split.seed=7",
    ]
    model_dir = training.train(compose_config("train", overrides))
    common = [
        f"model_dir={model_dir}",
        f"data.gold_path={small_gold}",
        f"data.processed_dir={tmp_path / 'processed'}",
        f"paths.experiments_dir={tmp_path / 'experiments'}",
    ]
    result = run_script("evaluate.py", *common)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "other" / "report.md").is_file()  # beside the model, not experiments/quickstart
    assert not (tmp_path / "experiments" / "quickstart").exists()
    from claimtype.data import build_dataset

    expected = len(build_dataset(small_gold, tmp_path / "processed", seed=7)["test"])
    assert f"(n={expected})" in result.stdout
    line = one_error_line(run_script("evaluate.py", *common, "data.split.seed=8"))
    assert "trained with data.split.seed=7" in line

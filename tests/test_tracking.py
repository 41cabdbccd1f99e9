"""Experiment tracking (``trainer.log_with``) through Accelerate's trackers: each epoch's metrics reach
TensorBoard or MLflow at step = epoch, the resolved config is the run's hyperparameters, and a tracker
that is not installed is one clear error before any work."""

import json
from pathlib import Path

import pytest
from helpers import compose_config
from test_training import tiny_overrides

from claimtype import training


def train_tracked(tiny_base: Path, small_gold: Path, tmp_path: Path, log_with: str) -> Path:
    """Two epochs of the tiny model with ``log_with``; returns the run dir."""
    run_dir = tmp_path / "run"
    overrides = [
        *tiny_overrides(tiny_base, small_gold, tmp_path),
        f"paths.run_dir={run_dir}",
        "name=tracked",
        "trainer.epochs=2",
        "trainer.early_stopping_patience=5",
        f"trainer.log_with={log_with}",
    ]
    training.train(compose_config("train", overrides))
    return run_dir


def val_f1_per_epoch(run_dir: Path) -> list[tuple[int, float]]:
    records = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    return [(r["epoch"], r["val_macro_f1"]) for r in records]


def test_tensorboard_gets_the_metrics_of_every_epoch(tiny_base, small_gold, tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    run_dir = train_tracked(tiny_base, small_gold, tmp_path, "tensorboard")

    events = EventAccumulator(str(run_dir / "tracked"))  # <run dir>/<name>/events.out.tfevents.*
    events.Reload()
    assert {"val_macro_f1", "train_loss", "lr"} <= set(events.Tags()["scalars"])
    logged = [(e.step, e.value) for e in events.Scalars("val_macro_f1")]
    expected = val_f1_per_epoch(run_dir)
    assert [step for step, _ in logged] == [epoch for epoch, _ in expected] == [1, 2]
    for (_, value), (_, want) in zip(logged, expected, strict=True):
        assert value == pytest.approx(want, abs=1e-6)  # TensorBoard keeps float32
    hparams = next(run_dir.glob("tracked/*/hparams.yml")).read_text()
    assert "trainer.log_with: tensorboard" in hparams


def test_a_crashed_run_closes_its_tracker_with_the_finished_epochs(
    tiny_base, small_gold, tmp_path, monkeypatch
):
    pytest.importorskip("tensorboard")
    from accelerate.tracking import TensorBoardTracker
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    real_run_epoch, real_finish, finished = training.run_epoch, TensorBoardTracker.finish, []

    def crash_in_epoch_two(run, epoch, trainer_cfg, progress):
        if epoch == 2:
            raise RuntimeError("the machine went away")
        return real_run_epoch(run, epoch, trainer_cfg, progress)

    def finish(tracker):
        finished.append(tracker.name)
        real_finish(tracker)

    monkeypatch.setattr(training, "run_epoch", crash_in_epoch_two)
    monkeypatch.setattr(TensorBoardTracker, "finish", finish)
    with pytest.raises(RuntimeError, match="went away"):
        train_tracked(tiny_base, small_gold, tmp_path, "tensorboard")
    assert finished == ["tensorboard"]  # closed (flushed) on the way out, not left open
    events = EventAccumulator(str(tmp_path / "run" / "tracked"))
    events.Reload()
    assert [e.step for e in events.Scalars("val_macro_f1")] == [1]


def test_mlflow_gets_the_metrics_of_every_epoch(tiny_base, small_gold, tmp_path, monkeypatch):
    pytest.importorskip("mlflow")
    from mlflow.tracking import MlflowClient

    store = f"sqlite:///{tmp_path / 'mlflow.db'}"  # as the README says (MLflow's default store is SQLite)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", store)

    run_dir = train_tracked(tiny_base, small_gold, tmp_path, "mlflow")

    client = MlflowClient(store)
    experiment = client.get_experiment_by_name("tracked")
    [run] = client.search_runs([experiment.experiment_id])
    assert run.info.status == "FINISHED"
    history = client.get_metric_history(run.info.run_id, "val_macro_f1")
    logged = sorted((m.step, m.value) for m in history)
    expected = val_f1_per_epoch(run_dir)
    assert [step for step, _ in logged] == [epoch for epoch, _ in expected] == [1, 2]
    assert [value for _, value in logged] == pytest.approx([value for _, value in expected])
    assert run.data.params["trainer.log_with"] == "mlflow"


def test_a_tracker_that_is_not_installed_is_one_clear_error(tiny_base, small_gold, tmp_path, monkeypatch):
    monkeypatch.setitem(training.TRACKER_INSTALLED, "mlflow", lambda: False)
    with pytest.raises(ValueError, match=r"^trainer.log_with=mlflow needs the mlflow package: pip install"):
        train_tracked(tiny_base, small_gold, tmp_path, "mlflow")
    assert not (tmp_path / "run").exists()  # nothing started


def test_an_unknown_tracker_is_refused(tiny_base, small_gold, tmp_path):
    with pytest.raises(ValueError, match="trainer.log_with must be one of none, tensorboard, mlflow"):
        train_tracked(tiny_base, small_gold, tmp_path, "wandb")


def test_flat_config_gives_trackers_one_level_of_scalars():
    nested = {"seed": 1, "trainer": {"lr": 1e-4, "resume": False}, "paths": {"dir": None}, "tags": ["a"]}
    assert training.flat_config(nested) == {
        "seed": 1,
        "trainer.lr": 1e-4,
        "trainer.resume": False,
        "paths.dir": None,
        "tags": "['a']",
    }

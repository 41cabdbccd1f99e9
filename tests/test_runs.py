"""claimtype.runs: runs read from their folders, tabled one per run or pooled over seeds."""

import json
from pathlib import Path

import pytest
import yaml

from claimtype.command import main as claimtype
from claimtype.labels import LABELS
from claimtype.runs import canonical_override, find_runs, mean_sd, read_run, runs_table, seeds_table


def fake_run(
    folder: Path, overrides: list[str], val: float, test: float | None, test_cue: float | None
) -> Path:
    """A run folder as `claimtype train` leaves it: model/claimtype.json, .hydra/overrides.yaml and,
    when evaluated, metrics.json and test_cue/metrics.json (figures made up for the arithmetic)."""
    (folder / "model").mkdir(parents=True)
    fitted = {"val_macro_f1_corrected": val + 0.1}
    (folder / "model" / "claimtype.json").write_text(
        json.dumps({"epoch": 3, "val_macro_f1": val, "prior_correction": fitted})
    )
    (folder / ".hydra").mkdir()
    (folder / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(overrides))
    if test is not None:
        per_label = {label: {"f1": test} for label in LABELS}
        (folder / "metrics.json").write_text(
            json.dumps({"macro_f1": test, "per_label": per_label, "ece": 0.05})
        )
    if test_cue is not None:
        (folder / "test_cue").mkdir()
        (folder / "test_cue" / "metrics.json").write_text(json.dumps({"macro_f1": test_cue}))
    return folder


@pytest.fixture
def ladder(tmp_path: Path) -> Path:
    root = tmp_path / "experiments"
    fake_run(root / "ladder" / "multirun" / "0", ["experiment=ladder", "seed=1"], 0.50, 0.40, 0.70)
    fake_run(
        root / "ladder" / "multirun" / "1", ["experiment=ladder", "test=true", "seed=2"], 0.60, 0.50, 0.80
    )
    context = ["experiment=ladder", "data.context=previous", "name=ladder_ctx"]
    fake_run(root / "ladder_ctx" / "multirun" / "0", [*context, "seed=1"], 0.70, 0.60, 0.75)
    fake_run(root / "unevaluated", ["trainer.lr=3e-5"], 0.65, None, None)
    return root


def test_a_run_is_read_with_its_test_and_test_cue_figures(ladder):
    runs = [read_run(run) for run in find_runs([ladder])]
    assert len(runs) == 4
    first = next(r for r in runs if r.run == ladder / "ladder" / "multirun" / "0")
    assert (first.val_macro_f1, first.test_macro_f1, first.test_cue_macro_f1) == (0.50, 0.40, 0.70)
    assert first.test_f1 == dict.fromkeys(LABELS, 0.40)
    assert first.val_macro_f1_corrected == pytest.approx(0.60)
    assert first.setting == "experiment=ladder"  # the seed is not part of the setting
    assert first.command == "experiment=ladder seed=1"


def test_runs_table_ranks_by_validation_and_marks_missing_figures(ladder):
    lines = runs_table([read_run(run) for run in find_runs([ladder])]).splitlines()
    assert len(lines) == 2 + 4
    assert "data.context=previous" in lines[2]  # 0.70, the best validation figure, first
    assert "trainer.lr=3e-5" in lines[3] and "n/a" in lines[3]


def test_seeds_table_pools_runs_that_differ_only_in_seed_and_name(ladder):
    lines = seeds_table([read_run(run) for run in find_runs([ladder])]).splitlines()
    assert len(lines) == 2 + 3  # three settings
    pooled = next(line for line in lines if line.startswith("| `experiment=ladder` |"))
    cells = [c.strip() for c in pooled.strip("|").split("|")]
    assert cells[1] == "2"
    assert cells[2] == "0.5500 ± 0.0707"  # validation: mean of 0.50 and 0.60, sample sd 0.0707
    assert cells[3] == "0.6500 ± 0.0707"  # with the prior correction
    assert cells[4] == "0.4500 ± 0.0707"
    assert cells[-1] == "0.7500 ± 0.0707"  # test_cue


def test_mean_sd_of_one_value_and_of_a_missing_one():
    assert mean_sd([0.5], 3) == "0.500 ± 0.000"
    assert mean_sd([0.5, None], 3) == "n/a"


def test_the_command_writes_the_table_and_refuses_an_empty_folder(ladder, tmp_path, capsys):
    out = tmp_path / "table.md"
    with pytest.raises(SystemExit) as done:
        claimtype(["runs", str(ladder), "--seeds", "--out", str(out)])
    assert done.value.code == 0
    assert out.read_text() == capsys.readouterr().out
    with pytest.raises(SystemExit) as done:
        claimtype(["runs", str(tmp_path / "nothing")])
    assert done.value.code == 2
    assert capsys.readouterr().err.startswith("error: no runs")


def test_a_single_run_and_a_multirun_of_one_setting_pool_together(tmp_path):
    """A multirun records ``data.use_teacher=true`` as ``True`` (and 3e-5 as 3e-05): one setting."""
    fake_run(tmp_path / "single", ["data.use_teacher=true", "trainer.lr=3e-5", "seed=42"], 0.5, 0.4, 0.7)
    fake_run(tmp_path / "multi" / "0", ["data.use_teacher=True", "trainer.lr=3e-05", "seed=1"], 0.6, 0.5, 0.7)
    runs = [read_run(run) for run in find_runs([tmp_path])]
    assert {r.setting for r in runs} == {"data.use_teacher=True trainer.lr=3e-05"}
    assert "| `data.use_teacher=True trainer.lr=3e-05` | 2 |" in seeds_table(runs)


def test_an_override_hydra_cannot_render_as_one_value_is_kept_as_written():
    assert canonical_override("~trainer.lr") == "~trainer.lr"
    assert canonical_override("seed=1,2") == "seed=1,2"
    assert canonical_override("data.context=title+previous+next") == "data.context=title+previous+next"

"""scripts/ladder.sh, the model ladder in one go, on the tiny model: a rung's seeds train, are
evaluated on test (test=true) and pooled into one mean ± sd row of experiments/ladder.md."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, SCRIPTS, write_teacher_file

from claimtype.runs import read_run


def tiny_extra(tiny_base: Path, small_gold: Path) -> str:
    """EXTRA: the tiny model on the small gold corpus, one epoch."""
    return (
        f"model.name_or_path={tiny_base} model.max_length=64 data.gold_path={small_gold} "
        "trainer.epochs=1 trainer.threads=1"
    )


def run_ladder(rung: str, root: Path, seeds: str, extra: str) -> subprocess.CompletedProcess:
    """scripts/ladder.sh RUNG with experiments/ and data/ under ``root``; asserts it succeeded."""
    env = {
        **os.environ,
        "CLAIMTYPE_ROOT": str(root),  # experiments/ and data/ go here
        "CLAIMTYPE": str(Path(sys.executable).with_name("claimtype")),
        "SEEDS": seeds,
        "EXTRA": extra,
    }
    result = subprocess.run(
        ["bash", str(SCRIPTS / "ladder.sh"), rung],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.mark.slow
def test_rung_one_trains_every_seed_and_tables_them(tiny_base, small_gold, tmp_path):
    run_ladder("1", tmp_path, "1,2", tiny_extra(tiny_base, small_gold))
    runs = sorted((tmp_path / "experiments" / "ladder_minilm" / "multirun").glob("*/metrics.json"))
    assert len(runs) == 2  # both seeds, each evaluated on test
    table = (tmp_path / "experiments" / "ladder.md").read_text().splitlines()
    assert len(table) == 3 and "| 2 |" in table[2] and "n/a" not in table[2].split("|")[5]  # test macro-F1


@pytest.mark.slow
def test_rung_four_trains_the_student_on_the_kept_teacher_file(tiny_base, small_gold, tmp_path):
    """Without TEACHER, rung 4 labels nothing afresh: it trains on data/teacher/teacher.jsonl as kept,
    with the documented row's overrides (no data.context=none), so new seeds pool with the old ones."""
    kept = tmp_path / "data" / "teacher" / "teacher.jsonl"
    teacher_rows = write_teacher_file(kept, small_gold)
    extra = tiny_extra(tiny_base, small_gold)
    result = run_ladder("4", tmp_path, "1", extra)
    assert f"== teacher labels: the kept {kept}" in result.stdout
    assert kept.read_text().count("\n") == len(teacher_rows)  # not relabelled
    (run,) = (tmp_path / "experiments" / "ladder_student" / "multirun").glob("*/metrics.json")
    # the documented row's setting, then EXTRA: no data.context=none between them
    assert read_run(run.parent).setting == f"experiment=quickstart data.use_teacher=True {extra}"


def test_an_unknown_rung_is_one_error_line():
    result = subprocess.run(
        ["bash", str(SCRIPTS / "ladder.sh"), "5"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 2 and result.stderr == "error: unknown rung 5 (1 2 3 4)\n"

"""scripts/ladder.sh, the model ladder in one go, on the tiny model: a rung's seeds train, are
evaluated on test (test=true) and pooled into one mean ± sd row of experiments/ladder.md."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, SCRIPTS


@pytest.mark.slow
def test_rung_one_trains_every_seed_and_tables_them(tiny_base, small_gold, tmp_path):
    env = {
        **os.environ,
        "CLAIMTYPE_ROOT": str(tmp_path),  # experiments/ and data/processed/ go here
        "CLAIMTYPE": str(Path(sys.executable).with_name("claimtype")),
        "SEEDS": "1,2",
        "EXTRA": f"model.name_or_path={tiny_base} model.max_length=64 data.gold_path={small_gold} "
        "trainer.epochs=1 trainer.threads=1",
    }
    result = subprocess.run(
        ["bash", str(SCRIPTS / "ladder.sh"), "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    runs = sorted((tmp_path / "experiments" / "ladder_minilm" / "multirun").glob("*/metrics.json"))
    assert len(runs) == 2  # both seeds, each evaluated on test
    table = (tmp_path / "experiments" / "ladder.md").read_text().splitlines()
    assert len(table) == 3 and "| 2 |" in table[2] and "n/a" not in table[2].split("|")[5]  # test macro-F1


def test_an_unknown_rung_is_one_error_line():
    result = subprocess.run(
        ["bash", str(SCRIPTS / "ladder.sh"), "5"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 2 and result.stderr == "error: unknown rung 5 (1 2 3 4)\n"

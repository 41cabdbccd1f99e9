"""The installed ``claimtype`` command, run from a folder outside the repository: the configs come
from the package, paths from the current folder."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # each test runs the installed command

CLAIMTYPE = Path(sys.executable).parent / "claimtype"


def claimtype(*arguments: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(CLAIMTYPE), *arguments], cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.fixture
def outside(tmp_path) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


def test_help_lists_the_subcommands(outside):
    result = claimtype("--help", cwd=outside)
    assert result.returncode == 0, result.stderr
    for name in ("train", "evaluate", "label", "data build", "benchmark", "runs"):
        assert f"  {name} " in result.stdout
    groups = claimtype("train", "--help", cwd=outside)
    assert (
        groups.returncode == 0
        and "experiment: ablation, quickstart, student, sweep_main, tiny" in groups.stdout
    )
    unknown = claimtype("tran", cwd=outside)
    assert unknown.returncode == 2 and unknown.stderr.startswith("error: unknown subcommand 'tran'")


def test_label_from_another_folder(outside, tiny_checkpoint):
    (outside / "article.txt").write_text("The ministry said the bridge was intact. Kyiv denied it.\n")
    result = claimtype(
        "label", f"model_dir={tiny_checkpoint}", "input=article.txt", "output=out.jsonl", cwd=outside
    )
    assert result.returncode == 0, result.stderr[-2000:]
    rows = [json.loads(line) for line in (outside / "out.jsonl").read_text().splitlines()]
    assert [r["text"] for r in rows] == ["The ministry said the bridge was intact.", "Kyiv denied it."]


def test_train_the_tiny_experiment_from_another_folder(outside, small_gold):
    result = claimtype("train", "experiment=tiny", f"data.gold_path={small_gold}", cwd=outside)
    assert result.returncode == 0, result.stderr[-2000:]
    model = outside / "experiments" / "tiny" / "model"
    assert (model / "model.safetensors").is_file() and (model / "README.md").is_file()
    assert (outside / "data" / "processed").is_dir()  # paths default to the current folder

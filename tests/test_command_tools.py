"""The options subcommands of the installed `claimtype` command: data stats, data silver, readme."""

import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT

pytestmark = pytest.mark.slow  # each test runs the installed command

CLAIMTYPE = Path(sys.executable).parent / "claimtype"


def claimtype(*arguments: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([str(CLAIMTYPE), *arguments], cwd=cwd, capture_output=True, text=True, timeout=600)


def test_help_lists_the_tools_and_each_has_its_options():
    listing = claimtype("--help").stdout
    for name in ("data stats", "data silver", "readme"):
        assert f"  {name} " in listing
    silver = claimtype("data", "silver", "--help")
    assert silver.returncode == 0, silver.stderr
    assert silver.stdout.startswith("usage: claimtype data silver") and "--corpora" in silver.stdout
    stats = claimtype("data", "stats", "--help")
    assert stats.returncode == 0 and "--check" in stats.stdout


def test_data_card_matches_the_annotation_files():
    result = claimtype("data", "stats", "--check")
    assert result.returncode == 0, result.stderr
    assert "matches the annotation files" in result.stdout


def test_user_errors_are_one_line(tmp_path):
    unknown = claimtype("data", "nope", cwd=tmp_path)
    assert unknown.returncode == 2 and unknown.stderr.startswith("error: usage: claimtype data {")
    missing = claimtype("readme", "--run-dir", "no-such-run", cwd=tmp_path)
    assert missing.returncode == 2, missing.stderr
    lines = missing.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "no-such-run" in lines[0]

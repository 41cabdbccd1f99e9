"""The memory probe: a command's own peak RSS, in a fresh process."""

import sys

import pytest

from claimtype.benchmark.common import CommandFailed
from claimtype.benchmark.memory import peak_rss


@pytest.mark.slow
def test_peak_rss_is_the_childs_own(tmp_path):
    grow = [sys.executable, "-c", "x = bytearray(200 * 2**20); x[::4096] = b'1' * len(x[::4096])"]
    peak, seconds = peak_rss(grow, tmp_path / "big.log", tmp_path)
    small, _ = peak_rss([sys.executable, "-c", "pass"], tmp_path / "small.log", tmp_path)
    assert peak > 200 and small < 60 and seconds > 0
    with pytest.raises(CommandFailed, match="exited with 3"):
        peak_rss([sys.executable, "-c", "raise SystemExit(3)"], tmp_path / "fail.log", tmp_path)

"""Shim: ``claimtype runs`` (claimtype.runs), e.g. ``python scripts/collect_runs.py experiments/ladder* --seeds``."""

import sys

from claimtype.command import main

if __name__ == "__main__":
    main(["runs", *sys.argv[1:]])

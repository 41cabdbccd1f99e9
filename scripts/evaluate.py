"""Evaluate a checkpoint on a split (default: the complete-article test split): `python scripts/evaluate.py [overrides]` is `claimtype evaluate [overrides]`."""

import sys

from claimtype.command import main

if __name__ == "__main__":
    main(["evaluate", *sys.argv[1:]])

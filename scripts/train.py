"""Train a claim-type classifier: `python scripts/train.py [overrides]` is `claimtype train [overrides]`."""

import sys

from claimtype.command import main

if __name__ == "__main__":
    main(["train", *sys.argv[1:]])

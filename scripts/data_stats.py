"""The data card's figures: `python scripts/data_stats.py [--write|--check]` is `claimtype data stats ...`."""

import sys

from claimtype.command import main

if __name__ == "__main__":
    main(["data", "stats", *sys.argv[1:]])

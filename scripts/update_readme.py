"""The README's quickstart figures: `python scripts/update_readme.py [options]` is `claimtype readme [options]`."""

import sys

from claimtype.command import main

if __name__ == "__main__":
    main(["readme", *sys.argv[1:]])

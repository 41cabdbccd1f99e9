"""Label articles (resumable; see the README's Label articles section): `python scripts/label.py [overrides]` is `claimtype label [overrides]`."""

import sys

from claimtype.command import main

if __name__ == "__main__":
    main(["label", *sys.argv[1:]])

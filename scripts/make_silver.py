"""Silver labels: `python scripts/make_silver.py [options]` is `claimtype data silver [options]`."""

import sys

from claimtype.command import main

if __name__ == "__main__":
    main(["data", "silver", *sys.argv[1:]])

"""Build the train/validation/test DatasetDict and print the split sizes: `python scripts/build_dataset.py [overrides]` is `claimtype data build [overrides]`."""

import sys

from claimtype.command import main

if __name__ == "__main__":
    main(["data", "build", *sys.argv[1:]])

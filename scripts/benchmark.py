"""Run the benchmarks into docs/benchmarks.md: `python scripts/benchmark.py [overrides]` is `claimtype benchmark [overrides]`."""

import sys

from claimtype.command import main

if __name__ == "__main__":
    main(["benchmark", *sys.argv[1:]])

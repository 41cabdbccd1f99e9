"""``python -m claimtype <subcommand> ...`` (as ``accelerate launch -m claimtype train ...`` needs)."""

from claimtype.command import main

main()

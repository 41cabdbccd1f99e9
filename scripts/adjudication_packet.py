"""Write the adjudicator's packet for the complete articles (data/annotations/complete/adjudication_packet.txt):
every disagreement of the two passes, labels shown as annotator A and B in a seeded random order
(claimtype.annotation.packets.adjudication_packet). The adjudicator writes complete/adjudication.tsv."""

import argparse
from pathlib import Path

from claimtype.annotation.packets import adjudication_packet
from claimtype.io import atomic_write_text

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", type=Path, default=Path("data/annotations/complete"))
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    blocks = adjudication_packet(args.root, args.seed)
    atomic_write_text(args.root / "adjudication_packet.txt", "\n".join(blocks))
    print(f"{len(blocks)} disagreements to adjudicate")

"""Draw claim/response exchanges from the war-media corpus for annotation
(data/annotations/exchanges/packets/eNN.{jsonl,txt}), round 1, 2 or 3: claimtype.annotation.pools.draw_exchanges."""

import argparse
from pathlib import Path

from claimtype.annotation.pools import ExchangeCounts, draw_exchanges, write_exchanges
from claimtype.corpora import ARTICLES_FILE
from claimtype.io import read_jsonl

if __name__ == "__main__":
    defaults = ExchangeCounts()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=Path, default=Path("data") / ARTICLES_FILE)
    parser.add_argument("--annotations", type=Path, default=Path("data/annotations"))
    parser.add_argument("--out", type=Path, help="default: ANNOTATIONS/exchanges")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--round", type=int, choices=(1, 2, 3), default=1)
    parser.add_argument(
        "--counter", type=int, default=defaults.counter, help="exchanges on a counter-claim cue"
    )
    parser.add_argument("--denial", type=int, default=defaults.denial, help="exchanges on a denial cue")
    parser.add_argument(
        "--other-articles", type=int, default=defaults.other_articles, help="non-RT articles searched"
    )
    parser.add_argument(
        "--counter2", type=int, default=defaults.counter2, help="round 2: counter-claim-cue sentences"
    )
    parser.add_argument("--denial2", type=int, default=defaults.denial2, help="round 2: denial-cue sentences")
    parser.add_argument(
        "--counter3", type=int, default=defaults.counter3, help="round 3: counter-claim-cue sentences"
    )
    args = parser.parse_args()
    counts = ExchangeCounts(
        args.counter, args.denial, args.other_articles, args.counter2, args.denial2, args.counter3
    )
    articles = list(read_jsonl(args.articles))
    exchanges, first_packet = draw_exchanges(articles, args.annotations, args.round, args.seed, counts)
    packets = write_exchanges(exchanges, args.out or args.annotations / "exchanges", first_packet)
    print(f"round {args.round}: {len(exchanges)} exchanges in {packets} packets from e{first_packet:02d}")

"""Draw claim/response exchanges from the war-media corpus for annotation (data/annotations/exchanges/).

An exchange is a sentence where a denial or counter-claim cue fires, together with the sentence
before it (the claim it may answer); both are labelled, read in a window of the article (three
sentences before, one after). The cue search only chooses *where* annotators read; every label is
the annotator's judgment. Articles drawn as complete articles are left out (their sentences are
annotated whole), at most two exchanges per article, seeded. Exchange rows are used for training only.

Round 1 (packets e01-e08): 900 exchanges drawn on a counter-claim cue and 500 on a denial cue, two
labelled sentences each. Round 2 (``--round 2``, packets e09-), drawn after round 1 came back with
too few of both rare labels: every remaining candidate of the same search (up to the caps), with
only the cue sentence labelled (round 1's previous sentences were nearly all assertions).
Round 3 (``--round 3``, packets e16-), drawn because a stock RT sentence ("Kiev insists the Russian
offensive was completely unprovoked") made up a fifth of the counter-claims by then: the war-media
articles not searched before, counter-claim cues only, one labelled sentence each, leaving out any
sentence whose text was drawn for annotation before (pool, complete articles, e01-e15) or earlier
in the round.
"""

import argparse
import random
from pathlib import Path

from tqdm import tqdm

from claimtype.annotation import pack, render_exchange
from claimtype.corpora import ARTICLES_FILE
from claimtype.data import sentence_rows
from claimtype.io import atomic_write_text, read_jsonl, write_jsonl
from claimtype.rules import rule_votes

CUE_FUNCTIONS = {
    "counter-claim": frozenset(
        {"insist_counter", "contrast_marker", "blame_staging", "turned_out", "contrast_reply"}
    ),
    "denial": frozenset({"deny_verb", "reject_verb", "not_true"}),
}
PER_ARTICLE = 2
BEFORE, AFTER = 3, 1
PACKET_TARGETS = 340

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=Path, default=Path("data") / ARTICLES_FILE)
    parser.add_argument("--out", type=Path, default=Path("data/annotations/exchanges"))
    parser.add_argument("--counter", type=int, default=900, help="exchanges drawn on a counter-claim cue")
    parser.add_argument("--denial", type=int, default=500, help="exchanges drawn on a denial cue")
    parser.add_argument("--other-articles", type=int, default=2500, help="non-RT articles searched")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--round", type=int, choices=(1, 2, 3), default=1)
    parser.add_argument("--counter3", type=int, default=1000, help="round 3: counter-claim-cue sentences")
    parser.add_argument("--counter2", type=int, default=1700, help="round 2: counter-claim-cue sentences")
    parser.add_argument("--denial2", type=int, default=560, help="round 2: denial-cue sentences")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    complete = {r["doc_id"] for r in read_jsonl(Path("data/annotations/complete/drawn.jsonl"))}
    articles = [
        a for a in read_jsonl(args.articles) if a["corpus"] == "war_media" and a["doc_id"] not in complete
    ]
    rt = sorted((a for a in articles if a["outlet"] == "RT"), key=lambda a: a["doc_id"])
    others = sorted((a for a in articles if a["outlet"] != "RT"), key=lambda a: a["doc_id"])
    searched = rt + rng.sample(others, min(args.other_articles, len(others)))
    rng.shuffle(searched)

    def find_candidates(pool: list[dict]) -> dict[str, list[dict]]:
        """Cue hits, at most PER_ARTICLE per article, with windows that do not overlap."""
        found: dict[str, list[dict]] = {"counter-claim": [], "denial": []}
        for article in tqdm(pool, desc="searching", unit="doc"):
            rows = sentence_rows(article)
            taken: list[int] = []
            for k in range(1, len(rows)):
                if len(taken) == PER_ARTICLE:
                    break
                votes = set(rule_votes(rows[k]["text"], rows[k]["prev_text"]).items())
                cue = next(
                    (c for c, names in CUE_FUNCTIONS.items() if any(n in names for n, _ in votes)), None
                )
                if cue is None or any(abs(k - t) <= BEFORE + AFTER for t in taken):
                    continue
                taken.append(k)
                found[cue].append({"article": article, "rows": rows, "k": k, "cue": cue})
        return found

    if args.round == 3:
        searched_ids = {a["doc_id"] for a in searched}
        pool = [a for a in others if a["doc_id"] not in searched_ids]
        rng3 = random.Random(args.seed + 3)
        annotations = Path("data/annotations")
        earlier = [
            *annotations.glob("pool/batch_*.jsonl"),
            *annotations.glob("complete/packets/p*.jsonl"),
            *(annotations / "exchanges" / "packets" / f"e{n:02d}.jsonl" for n in range(1, 16)),
        ]
        known = {r["text"] for path in earlier for r in read_jsonl(path)}
        fresh = []
        for item in find_candidates(pool)["counter-claim"]:
            text = item["rows"][item["k"]]["text"]
            if text not in known:
                known.add(text)
                fresh.append(item)
        chosen = rng3.sample(fresh, min(args.counter3, len(fresh)))
        first_number, first_packet, pair = 3655, 16, False
    else:
        candidates = find_candidates(searched)
        chosen = rng.sample(candidates["counter-claim"], min(args.counter, len(candidates["counter-claim"])))
        chosen += rng.sample(candidates["denial"], min(args.denial, len(candidates["denial"])))
        rng.shuffle(chosen)
        first_number, first_packet, pair = 1, 1, True
    if args.round == 2:
        taken = {id(item) for item in chosen}
        rest = {c: [i for i in items if id(i) not in taken] for c, items in candidates.items()}
        first_number, first_packet, pair = len(chosen) + 1, 9, False
        chosen = rng.sample(rest["counter-claim"], min(args.counter2, len(rest["counter-claim"])))
        chosen += rng.sample(rest["denial"], min(args.denial2, len(rest["denial"])))
        rng.shuffle(chosen)
    exchanges = []
    for number, item in enumerate(chosen, first_number):
        rows, k = item["rows"], item["k"]
        window = rows[max(0, k - BEFORE - (1 if pair else 0)) : k + AFTER + 1]
        targets = [rows[k - 1], rows[k]] if pair else [rows[k]]
        exchanges.append(
            {
                "number": number,
                "article": item["article"],
                "window": window,
                "targets": [{**t, "selected_by": f"exchange:{item['cue']}"} for t in targets],
            }
        )
    packets = pack([(str(e["number"]), len(e["targets"])) for e in exchanges], PACKET_TARGETS)
    by_number = {str(e["number"]): e for e in exchanges}
    for index, numbers in enumerate(packets, first_packet):
        name = f"e{index:02d}"
        items = [by_number[n] for n in numbers]
        write_jsonl(args.out / "packets" / f"{name}.jsonl", [t for e in items for t in e["targets"]])
        atomic_write_text(
            args.out / "packets" / f"{name}.txt",
            "\n".join(
                render_exchange(
                    e["number"], e["article"], e["window"], {t["sentence_id"] for t in e["targets"]}
                )
                for e in items
            ),
        )
    print(
        f"round {args.round}: {len(exchanges)} exchanges in {len(packets)} packets from e{first_packet:02d}"
    )

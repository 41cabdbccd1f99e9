"""Which sentences annotators read: the seeded draws of the cue-drawn pool, the complete articles
and the claim/response exchanges, and the packets they are written to.

A cue (a labelling function firing) may choose *where* annotators read, never what label a sentence
gets: every label is the annotator's judgment. Each draw is deterministic by its seed, so the
committed files can be redrawn.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from claimtype.annotation.packets import pack, render_article, render_batch, render_exchange
from claimtype.data import sentence_rows
from claimtype.io import atomic_write_text, read_jsonl, write_jsonl
from claimtype.rules import POOL_FUNCTION_NAMES, rule_label, rule_votes

# --- the cue-drawn pool (data/annotations/pool/) ------------------------------------------------------

ROUND1_RATE = {"war_news": 0.6, "disinfo_claim": 0.3, "disinfo_debunk": 1.0, "fnc1": 0.0}
ROUND1_FNC1_ARTICLES = 0.3
ROUND2_COUNTS = {"fnc1_counter": 550, "fnc1_denial": 150, "war_news": 200, "disinfo_claim": 100}
POOL_BATCHES = {1: (1, 6), 2: (7, 4)}  # round -> (first batch number, number of batches)


def pool_round1(articles: list[dict], rng: random.Random) -> dict[str, list[dict]]:
    """Round 1: every distinct debunk sentence; in war news every cue hit plus 60% of the rest; in
    disinformation claims every cue hit plus 30% of the rest; in 30% of FNC-1 articles at most two
    cue-hit sentences each. doc_id -> the rows drawn, each with why (``selected_by``)."""
    chosen: dict[str, list[dict]] = {}
    for article in articles:
        corpus = article["corpus"]
        if corpus == "fnc1" and rng.random() > ROUND1_FNC1_ARTICLES:
            continue
        picked = []
        for row in sentence_rows(article):
            cue = rule_label(row["text"], row["prev_text"], POOL_FUNCTION_NAMES)
            cue = None if cue == "assertion" else cue  # only the rare labels steer the draw
            if cue or rng.random() < ROUND1_RATE[corpus]:
                picked.append({**row, "selected_by": f"cue:{cue}" if cue else "random"})
        if corpus == "fnc1" and len(picked) > 2:
            picked = sorted(rng.sample(picked, 2), key=lambda r: r["sentence_index"])
        if picked:
            chosen[article["doc_id"]] = picked
    return chosen


def pool_round2(articles: list[dict], rng: random.Random, already: set[str]) -> dict[str, list[dict]]:
    """Round 2, after round 1 came back short of counter-claims: unread FNC-1 sentences where a
    counter-claim or denial function fires (at most three per article), plus unread war news and
    disinformation claims at random so that war-related text stays above 60% of the corpus."""
    candidates: dict[str, list[dict]] = defaultdict(list)
    for article in articles:
        corpus = article["corpus"]
        if corpus == "disinfo_debunk":
            continue
        rows = [r for r in sentence_rows(article) if r["sentence_id"] not in already]
        if corpus != "fnc1":
            candidates[corpus] += [{**r, "selected_by": "random"} for r in rows]
            continue
        by_cue = defaultdict(list)
        for row in rows:
            votes = set(rule_votes(row["text"], row["prev_text"], POOL_FUNCTION_NAMES).values())
            for cue in ("counter-claim", "denial"):
                if cue in votes:
                    by_cue[cue].append({**row, "selected_by": f"cue:{cue}"})
                    break
        for cue, hits in by_cue.items():
            candidates[f"fnc1_{cue.split('-')[0]}"] += rng.sample(hits, min(3, len(hits)))
    chosen: dict[str, list[dict]] = defaultdict(list)
    for key, count in ROUND2_COUNTS.items():
        for row in rng.sample(candidates[key], min(count, len(candidates[key]))):
            chosen[row["doc_id"]].append(row)
    return {d: sorted(rows, key=lambda r: r["sentence_index"]) for d, rows in chosen.items()}


def split_batches(chosen: dict[str, list[dict]], count: int, rng: random.Random) -> list[list[dict]]:
    """Whole documents go to one batch, so one annotator sees an article's sentences in order."""
    doc_ids = sorted(chosen)
    rng.shuffle(doc_ids)
    batches: list[list[dict]] = [[] for _ in range(count)]
    for doc_id in sorted(doc_ids, key=lambda d: -len(chosen[d])):
        min(batches, key=len).extend(chosen[doc_id])
    return batches


def draw_cue_pool(articles: list[dict], round_number: int, seed: int) -> list[list[dict]]:
    """The batches of a round (1: batches 01-06, 2: batches 07-10; round 2 redraws round 1 to know
    what was read already)."""
    # The pool was drawn before the war-media corpus joined data/raw/: it draws from the others only.
    articles = [a for a in articles if a["corpus"] in ROUND1_RATE]
    rng = random.Random(seed)
    chosen = pool_round1(articles, rng)
    if round_number == 2:
        already = {r["sentence_id"] for rows in chosen.values() for r in rows}
        chosen = pool_round2(articles, random.Random(seed + 1), already)
    return split_batches(chosen, POOL_BATCHES[round_number][1], rng)


def write_cue_pool(batches: list[list[dict]], out: Path, first: int) -> None:
    """``batch_NN.jsonl`` (the rows) and ``batch_NN.txt`` (the annotator's view), numbered from ``first``."""
    for number, rows in enumerate(batches, first):
        write_jsonl(out / f"batch_{number:02d}.jsonl", rows)
        atomic_write_text(out / f"batch_{number:02d}.txt", render_batch(rows))


# --- complete articles (data/annotations/complete/) --------------------------------------------------

WAR_MEDIA_ARTICLES, RT_ARTICLES = 84, 18
MIN_SENTENCES, MAX_SENTENCES = 10, 40  # annotation cost
PACKET_SENTENCES = 330


def outlet_quotas(outlet_sizes: dict[str, int], total: int, fixed: dict[str, int]) -> dict[str, int]:
    """Articles per outlet: ``fixed`` outlets get their number, the rest share what is left in
    proportion to their size (largest remainder), at least one each."""
    rest = {o: n for o, n in outlet_sizes.items() if o not in fixed}
    left = total - sum(fixed.values())
    exact = {o: left * n / sum(rest.values()) for o, n in rest.items()}
    quotas = {o: max(1, int(share)) for o, share in exact.items()}
    by_remainder = sorted(rest, key=lambda o: (-(exact[o] - int(exact[o])), o))
    for outlet in by_remainder[: max(0, left - sum(quotas.values()))]:
        quotas[outlet] += 1
    return {**fixed, **quotas}


def draw_complete_articles(
    articles: list[dict],
    quotas: dict[str, int],
    seed: int,
    min_sentences: int,
    max_sentences: int,
) -> list[dict]:
    """A seeded random draw of whole articles within outlet strata, never by what they contain.

    Articles are visited in a seeded random order per outlet; one is taken when its sentence count
    lies in [min_sentences, max_sentences] (annotation cost) and its title was not taken already
    (wire copy appears under several outlets).
    """
    by_outlet: dict[str, list[dict]] = {}
    for article in sorted(articles, key=lambda a: a["doc_id"]):
        by_outlet.setdefault(article["outlet"], []).append(article)
    rng = random.Random(seed)
    chosen, titles = [], set()
    for outlet in sorted(quotas):
        candidates = by_outlet[outlet][:]
        rng.shuffle(candidates)
        taken = 0
        for article in candidates:
            if taken == quotas[outlet]:
                break
            n = len(sentence_rows(article))
            if not min_sentences <= n <= max_sentences or article["title"] in titles:
                continue
            titles.add(article["title"])
            chosen.append(article)
            taken += 1
    return chosen


def draw_complete(articles: list[dict], seed: int) -> list[dict]:
    """The complete articles: all war-news articles (their remaining sentences complete the ones
    labelled before), and 84 war-media articles, 18 of them RT and the rest in proportion to each
    outlet's size, among articles of 10-40 sentences, one article per title."""
    war_news = sorted((a for a in articles if a["corpus"] == "war_news"), key=lambda a: a["doc_id"])
    war_media = [a for a in articles if a["corpus"] == "war_media"]
    quotas = outlet_quotas(Counter(a["outlet"] for a in war_media), WAR_MEDIA_ARTICLES, {"RT": RT_ARTICLES})
    return war_news + draw_complete_articles(war_media, quotas, seed, MIN_SENTENCES, MAX_SENTENCES)


def write_complete(drawn: list[dict], out: Path) -> list[int]:
    """``drawn.jsonl`` (doc_id, corpus, outlet, sentences, stratum) and ``packets/pNN.{jsonl,txt}``
    (the sentence rows; the annotator's view). Returns the sentences per packet."""
    rows = {a["doc_id"]: sentence_rows(a) for a in drawn}
    write_jsonl(
        out / "drawn.jsonl",
        [
            {
                "doc_id": a["doc_id"],
                "corpus": a["corpus"],
                "outlet": a["outlet"],
                "sentences": len(rows[a["doc_id"]]),
                "stratum": "all war_news" if a["corpus"] == "war_news" else f"outlet={a['outlet']}",
            }
            for a in drawn
        ],
    )
    by_id = {a["doc_id"]: a for a in drawn}
    packets = pack([(a["doc_id"], len(rows[a["doc_id"]])) for a in drawn], PACKET_SENTENCES)
    for number, doc_ids in enumerate(packets, 1):
        name = f"p{number:02d}"
        write_jsonl(out / "packets" / f"{name}.jsonl", [r for d in doc_ids for r in rows[d]])
        atomic_write_text(
            out / "packets" / f"{name}.txt",
            "\n".join(render_article(by_id[d], rows[d]) for d in doc_ids),
        )
    return [sum(len(rows[d]) for d in p) for p in packets]


# --- claim/response exchanges (data/annotations/exchanges/) -------------------------------------------

CUE_FUNCTIONS = {
    "counter-claim": frozenset(
        {"insist_counter", "contrast_marker", "blame_staging", "turned_out", "contrast_reply"}
    ),
    "denial": frozenset({"deny_verb", "reject_verb", "not_true"}),
}
PER_ARTICLE = 2
BEFORE, AFTER = 3, 1  # the window read around the cue sentence
PACKET_TARGETS = 340
ROUND3_FIRST_EXCHANGE = 3655  # exchanges e01-e15 are numbered 1-3654


@dataclass(frozen=True)
class ExchangeCounts:
    """How much each round draws: round 1 searches every RT article and ``other_articles`` others and
    takes ``counter`` / ``denial`` exchanges by cue; round 2 ``counter2`` / ``denial2`` of the rest;
    round 3 ``counter3`` counter-claim cues in the articles not searched before."""

    counter: int = 900
    denial: int = 500
    other_articles: int = 2500
    counter2: int = 1700
    denial2: int = 560
    counter3: int = 1000


def find_exchange_candidates(articles: list[dict]) -> dict[str, list[dict]]:
    """Cue hits by cue label, at most PER_ARTICLE per article, with windows that do not overlap."""
    found: dict[str, list[dict]] = {"counter-claim": [], "denial": []}
    for article in tqdm(articles, desc="searching", unit="doc"):
        rows = sentence_rows(article)
        taken: list[int] = []
        for k in range(1, len(rows)):
            if len(taken) == PER_ARTICLE:
                break
            votes = set(rule_votes(rows[k]["text"], rows[k]["prev_text"]).items())
            cue = next((c for c, names in CUE_FUNCTIONS.items() if any(n in names for n, _ in votes)), None)
            if cue is None or any(abs(k - t) <= BEFORE + AFTER for t in taken):
                continue
            taken.append(k)
            found[cue].append({"article": article, "rows": rows, "k": k, "cue": cue})
    return found


def make_exchanges(chosen: list[dict], first_number: int, pair: bool) -> list[dict]:
    """Numbered exchanges: the window read and the sentences to label (with ``pair``, the cue
    sentence and the one before it, the claim it may answer)."""
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
    return exchanges


def draw_exchanges(
    articles: list[dict], annotations: Path, round_number: int, seed: int, counts: ExchangeCounts
) -> tuple[list[dict], int]:
    """The exchanges of a round and the number of its first packet, from the war-media articles that
    are not complete articles (``annotations`` is data/annotations/).

    Round 1 (packets e01-e08): exchanges drawn on a counter-claim cue and on a denial cue, two
    labelled sentences each. Round 2 (e09-), drawn after round 1 came back with too few of both rare
    labels: the remaining candidates of the same search, only the cue sentence labelled (round 1's
    previous sentences were nearly all assertions). Round 3 (e16-), drawn because a stock RT
    sentence ("Kiev insists the Russian offensive was completely unprovoked") made up a fifth of the
    counter-claims by then: the articles not searched before, counter-claim cues only, one labelled
    sentence each, leaving out any sentence whose text was drawn for annotation before (pool,
    complete articles, e01-e15) or earlier in the round.
    """
    rng = random.Random(seed)
    complete = {r["doc_id"] for r in read_jsonl(annotations / "complete" / "drawn.jsonl")}
    articles = [a for a in articles if a["corpus"] == "war_media" and a["doc_id"] not in complete]
    rt = sorted((a for a in articles if a["outlet"] == "RT"), key=lambda a: a["doc_id"])
    others = sorted((a for a in articles if a["outlet"] != "RT"), key=lambda a: a["doc_id"])
    searched = rt + rng.sample(others, min(counts.other_articles, len(others)))
    rng.shuffle(searched)
    if round_number == 3:
        searched_ids = {a["doc_id"] for a in searched}
        earlier = [
            *annotations.glob("pool/batch_*.jsonl"),
            *annotations.glob("complete/packets/p*.jsonl"),
            *(annotations / "exchanges" / "packets" / f"e{n:02d}.jsonl" for n in range(1, 16)),
        ]
        known = {r["text"] for path in earlier for r in read_jsonl(path)}
        fresh = []
        unsearched = [a for a in others if a["doc_id"] not in searched_ids]
        for item in find_exchange_candidates(unsearched)["counter-claim"]:
            text = item["rows"][item["k"]]["text"]
            if text not in known:
                known.add(text)
                fresh.append(item)
        chosen = random.Random(seed + 3).sample(fresh, min(counts.counter3, len(fresh)))
        return make_exchanges(chosen, ROUND3_FIRST_EXCHANGE, pair=False), 16
    candidates = find_exchange_candidates(searched)
    chosen = rng.sample(candidates["counter-claim"], min(counts.counter, len(candidates["counter-claim"])))
    chosen += rng.sample(candidates["denial"], min(counts.denial, len(candidates["denial"])))
    rng.shuffle(chosen)
    if round_number == 1:
        return make_exchanges(chosen, 1, pair=True), 1
    taken = {id(item) for item in chosen}
    rest = {c: [i for i in items if id(i) not in taken] for c, items in candidates.items()}
    first_number = len(chosen) + 1
    chosen = rng.sample(rest["counter-claim"], min(counts.counter2, len(rest["counter-claim"])))
    chosen += rng.sample(rest["denial"], min(counts.denial2, len(rest["denial"])))
    rng.shuffle(chosen)
    return make_exchanges(chosen, first_number, pair=False), 9


def write_exchanges(exchanges: list[dict], out: Path, first_packet: int) -> int:
    """``packets/eNN.jsonl`` (the sentences to label) and ``packets/eNN.txt`` (the annotator's view),
    about PACKET_TARGETS sentences each, numbered from ``first_packet``. Returns the packet count."""
    packets = pack([(str(e["number"]), len(e["targets"])) for e in exchanges], PACKET_TARGETS)
    by_number = {str(e["number"]): e for e in exchanges}
    for index, numbers in enumerate(packets, first_packet):
        name = f"e{index:02d}"
        items = [by_number[n] for n in numbers]
        write_jsonl(out / "packets" / f"{name}.jsonl", [t for e in items for t in e["targets"]])
        atomic_write_text(
            out / "packets" / f"{name}.txt",
            "\n".join(
                render_exchange(
                    e["number"], e["article"], e["window"], {t["sentence_id"] for t in e["targets"]}
                )
                for e in items
            ),
        )
    return len(packets)

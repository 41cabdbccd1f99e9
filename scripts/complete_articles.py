"""Draw the complete articles to annotate and write the annotators' packets.

Every sentence of each drawn article is annotated, in order, by two independent annotators. The
draw is random within outlet strata (seeded), never by cue counts: all 37 war-news articles (their
remaining sentences complete the ones labelled before), and 84 war-media articles, 18 of them RT
and the rest in proportion to each outlet's size, among articles of 10-40 sentences (annotation
cost), one article per title (wire copy repeats under several outlets).

Output (data/annotations/complete/): drawn.jsonl (doc_id, corpus, outlet, sentences, stratum) and
packets/pNN.{txt,jsonl} (the annotator's view; the sentence rows).
"""

import argparse
from collections import Counter
from pathlib import Path

from claimtype.annotation import draw_complete_articles, outlet_quotas, pack, render_article
from claimtype.corpora import ARTICLES_FILE
from claimtype.data import sentence_rows
from claimtype.io import atomic_write_text, read_jsonl, write_jsonl

WAR_MEDIA_ARTICLES, RT_ARTICLES = 84, 18
MIN_SENTENCES, MAX_SENTENCES = 10, 40
PACKET_SENTENCES = 330

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=Path, default=Path("data") / ARTICLES_FILE)
    parser.add_argument("--out", type=Path, default=Path("data/annotations/complete"))
    parser.add_argument("--seed", type=int, default=2022)
    args = parser.parse_args()
    articles = list(read_jsonl(args.articles))
    war_news = sorted((a for a in articles if a["corpus"] == "war_news"), key=lambda a: a["doc_id"])
    war_media = [a for a in articles if a["corpus"] == "war_media"]
    quotas = outlet_quotas(Counter(a["outlet"] for a in war_media), WAR_MEDIA_ARTICLES, {"RT": RT_ARTICLES})
    drawn = war_news + draw_complete_articles(war_media, quotas, args.seed, MIN_SENTENCES, MAX_SENTENCES)
    rows = {a["doc_id"]: sentence_rows(a) for a in drawn}
    write_jsonl(
        args.out / "drawn.jsonl",
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
        write_jsonl(args.out / "packets" / f"{name}.jsonl", [r for d in doc_ids for r in rows[d]])
        atomic_write_text(
            args.out / "packets" / f"{name}.txt",
            "\n".join(render_article(by_id[d], rows[d]) for d in doc_ids),
        )
    sizes = [sum(len(rows[d]) for d in p) for p in packets]
    print(f"{len(drawn)} articles, {sum(sizes)} sentences, {len(packets)} packets: {sizes}")
    print("war_media per outlet:", dict(Counter(a["outlet"] for a in drawn if a["corpus"] == "war_media")))

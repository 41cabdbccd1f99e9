"""What int8 should leave in fp32 (the table in docs/experiments.md): for each choice of fp32 nodes, how
many predictions int8 changes against the fp32 checkpoint (validation, test, and sentences of
war_media_2022 articles that no gold, teacher or split holds: no labels needed), and macro-F1 on
validation and test with the checkpoint's calibration, the test change with a 95% interval from
resampling test articles. `python scripts/int8_variants.py experiments/quickstart/model`."""

import argparse
import json
import random
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import onnx

from claimtype import onnx_backend
from claimtype.data import build_dataset
from claimtype.evaluation import paired_bootstrap_gain
from claimtype.inference import ClaimTypeClassifier
from claimtype.markdown import table
from claimtype.metrics import macro_f1
from claimtype.modeling import read_metadata
from claimtype.text import split_sentences

FFN_OUTPUT = "/output/dense"  # the exporter's name for each layer's FFN down-projection (and, in
# the [CLS]-only last layer, its attention output, whose names lose the "attention" part)


def after_encoder_layers(graph: Path) -> list[str]:
    """The nodes after the last ``/encoder/layer.N/`` one: the [CLS]-only last layer and the head."""
    nodes = [n.name for n in onnx.load(str(graph), load_external_data=False).graph.node]
    last = max(i for i, name in enumerate(nodes) if "/encoder/layer." in name)
    return nodes[last + 1 :]


def first_layer_attention(graph: Path, with_output: bool) -> list[str]:
    """The first layer's fused attention (named ``Attention_<k>``, not ``/layer.0/``), and with
    ``with_output`` its output projection: the first layer less its feed-forward block."""
    return [
        name
        for name in onnx_backend.first_layer_nodes(graph)
        if onnx_backend.FIRST_LAYER not in name or (with_output and "/attention/" in name)
    ]


# name: (the fp32 nodes of a fused graph, reduce_range: 7-bit weights, outlier channels split)
VARIANTS: dict[str, tuple[Callable[[Path], list[str]], bool, bool]] = {
    "head": (onnx_backend.head_nodes, False, False),
    "head + first layer": (onnx_backend.int8_fp32_nodes, False, False),
    "head + first layer, outlier channels split (shipped)": (onnx_backend.int8_fp32_nodes, False, True),
    "head + first layer's attention block, outlier channels split": (
        lambda g: onnx_backend.head_nodes(g) + first_layer_attention(g, with_output=True),
        False,
        True,
    ),
    "head + first layer's attention, outlier channels split": (
        lambda g: onnx_backend.head_nodes(g) + first_layer_attention(g, with_output=False),
        False,
        True,
    ),
    "head + first layer + FFN outputs": (
        lambda g: (
            onnx_backend.int8_fp32_nodes(g)
            + [
                n.name
                for n in onnx.load(str(g)).graph.node
                if FFN_OUTPUT in n.name and "/attention/" not in n.name
            ]
        ),
        False,
        False,
    ),
    "head + first and last layers": (
        lambda g: onnx_backend.int8_fp32_nodes(g) + after_encoder_layers(g),
        False,
        False,
    ),
    "head, 7-bit weights": (onnx_backend.head_nodes, True, False),
    "head + first layer, 7-bit weights": (onnx_backend.int8_fp32_nodes, True, False),
}


def unseen_articles(corpus: Path, held: set[str], seed: int = 0) -> Iterator[list[str]]:
    """The sentences of each article (shuffled with ``seed``) whose id is not in ``held``, lazily."""
    articles = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    random.Random(seed).shuffle(articles)
    for article in articles:
        if article["id"] not in held:
            yield [s.text for s in split_sentences(article["text"])]


def unseen_sentences(corpus: Path, held: set[str], count: int, seed: int = 0) -> list[str]:
    """``count`` sentences of articles (shuffled with ``seed``) whose ids are not in ``held``."""
    sentences: list[str] = []
    for article in unseen_articles(corpus, held, seed):
        sentences += article
        if len(sentences) >= count:
            break
    return sentences[:count]


def record_ids(path: Path) -> set[str]:
    """Every doc_id and source_record_id in a JSONL annotation file."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return {row[key] for row in rows for key in ("doc_id", "source_record_id") if row.get(key)}


def held_record_ids() -> set[str]:
    """Every article id a gold or teacher row comes from: what "unseen" leaves out."""
    return record_ids(Path("data/annotations/gold.jsonl")) | record_ids(Path("data/teacher/teacher.jsonl"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("--unseen", type=int, default=4000, help="unlabelled war_media sentences")
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpora/war_media_2022.jsonl"))
    parser.add_argument("--only", nargs="+", choices=list(VARIANTS), help="run these variants only")
    args = parser.parse_args()
    metadata = read_metadata(args.model_dir)
    dataset = build_dataset(
        "data/annotations/gold.jsonl",
        "data/processed",
        context=metadata["context"],
        articles_path="data/raw/articles.jsonl.gz",
    )
    splits = {split: list(dataset[split]) for split in ("validation", "test")}
    held = held_record_ids()
    columns = {
        split: [[r[c] for r in rows] for c in ("text", "prev_text", "title", "next_text")]
        for split, rows in splits.items()
    }
    columns["unseen"] = [unseen_sentences(args.corpus, held, args.unseen)]
    gold = {split: np.array([r["label"] for r in rows]) for split, rows in splits.items()}
    test_docs = np.array([r["doc_id"] for r in splits["test"]])

    def predictions(classifier: ClaimTypeClassifier) -> dict[str, np.ndarray]:
        return {name: classifier.predict_proba(*cols).argmax(-1).numpy() for name, cols in columns.items()}

    reference = predictions(ClaimTypeClassifier.from_pretrained(args.model_dir))
    fused = onnx_backend.exported_model(args.model_dir, "none")
    rows = [["fp32 (torch)", "", "", "", "", f"{macro_f1(gold['validation'], reference['validation']):.4f}",
             f"{macro_f1(gold['test'], reference['test']):.4f}", ""]]  # fmt: skip
    for name, (fp32_nodes, reduce_range, split) in VARIANTS.items():
        if args.only and name not in args.only:
            continue
        classifier = ClaimTypeClassifier.from_pretrained(args.model_dir, backend="onnxruntime")
        with tempfile.TemporaryDirectory() as tmp:
            graph, source = Path(tmp) / "int8.onnx", fused
            nodes = fp32_nodes(fused)
            if split:
                source = Path(tmp) / "split.onnx"
                nodes += onnx_backend.split_outlier_channels(fused, source, classifier.tokenizer, nodes)
            onnx_backend.quantize_int8(source, graph, nodes, reduce_range)
            classifier.forward = onnx_backend.graph_forward(graph)
            predicted = predictions(classifier)
        changed = [f"{int((predicted[k] != reference[k]).sum())} of {len(reference[k])}" for k in columns]
        change, low, high = paired_bootstrap_gain(
            gold["test"], reference["test"], predicted["test"], test_docs
        )
        rows.append([
            name, str(len(nodes)), *changed,
            f"{macro_f1(gold['validation'], predicted['validation']):.4f}",
            f"{macro_f1(gold['test'], predicted['test']):.4f}",
            f"{100 * change:+.2f} [{100 * low:+.2f}, {100 * high:+.2f}]",
        ])  # fmt: skip
    header = [
        "int8, fp32 nodes", "fp32 nodes", "changed: validation", "changed: test", "changed: unseen",
        "validation macro-F1", "test macro-F1", "test int8 − fp32, points [95% interval]",
    ]  # fmt: skip
    print(table(header, rows))

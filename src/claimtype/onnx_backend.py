"""ONNX Runtime inference for a claimtype checkpoint: exported once, cached beside the weights.

Why a second backend: on a CPU, ONNX Runtime runs a BERT-style encoder with fused kernels (attention,
skip + layer norm, bias + GELU), and it is the project's int8 path (``quantize="int8"``: dynamic int8,
per-channel weights, integer attention projections included), a supported API where torch's own
dynamic quantization is deprecated; docs/benchmarks.md measures both backends side by side. Only the
encoder's matrix products and attention are int8, from the second layer on: the embedding tables, the
first layer and the classification head (pooler and classifier) stay fp32. That is a fifth of MiniLM's
encoder, and int8 then changes a third fewer predictions (docs/experiments.md): int8 embeddings cost
the rare labels the most, and an error in the first layer is carried through every later one (our
guess at why). The products that read a layer norm or a GELU also compute their two largest input
channels in fp32 (``split_outlier_channels``): those channels reach 20-30 where the rest stay under
10, and dynamic int8 scales each product's input by its largest value. The split cuts the predictions
int8 changes by about 40% (49 against 81 of 16,000 unlabelled sentences over four checkpoints), for
about 5% of int8's speed (docs/experiments.md).

The export is cached as ``<checkpoint>/onnx/model-<quantize>-<fingerprint>.onnx``. The fingerprint
covers the weights and the torch / ONNX Runtime versions, so a re-trained checkpoint or an upgrade
exports afresh. A checkpoint directory that cannot be written to caches under ``~/.cache/claimtype``.
"""

from __future__ import annotations

import hashlib
import inspect
import logging
import os
import tempfile
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from claimtype.cls_only import ClsOnlyLastLayer, supports_cls_only

if TYPE_CHECKING:
    import onnx

log = logging.getLogger(__name__)

ONNX_QUANTIZE_MODES = ("none", "int8")
# Part of the cache fingerprint: bump it when _export changes what it writes.
EXPORT_VERSION = 6
# Architectures whose graphs ONNX Runtime's transformer optimizer fuses as "bert"; others are exported
# and run with ONNX Runtime's generic graph optimizations only.
BERT_LIKE = {"bert", "roberta", "xlm-roberta", "camembert", "distilbert", "electra"}
# Parameter-name parts of a sequence-classification head (BERT's pooler, DistilBERT's pre_classifier,
# RoBERTa/MPNet's classifier.dense and classifier.out_proj): nodes reading them are not quantized.
HEAD_PARAMETER_PARTS = {"pooler", "pre_classifier", "classifier"}
# The exporter names nodes by module path: BERT, RoBERTa, MPNet and DistilBERT's first layer is layer.0.
FIRST_LAYER = "/layer.0/"
# Input channels of each int8 feed-forward product computed in fp32 instead (split_outlier_channels).
OUTLIER_CHANNELS = 2
# Ops whose outputs carry a transformer's outlier channels: layer norms (fused or not) and GELUs.
OUTLIER_SOURCES = {"LayerNormalization", "SkipLayerNormalization", "BiasGelu", "Gelu", "FastGelu"}
# A bias that puts a GELU's input where GELU(x) is exactly 0 in float32 (erf(x / sqrt(2)) = -1).
GELU_ZERO = -1e4
# Text that finds those channels at export time. They are a property of the weights (the same ones on
# every token), so a few sentences of the home domain find them: on four checkpoints of the default,
# wherever one channel stands out (1.5x the next; 8 of 11 inputs), these find the same one as 300
# unlabelled war_media_2022 sentences do.
CALIBRATION_SENTENCES = (
    "The ministry said on Tuesday that its forces had repelled an attack near the city.",
    "Officials denied the report, calling it a fabrication spread by hostile media.",
    "According to unconfirmed accounts, several buildings were damaged overnight.",
    "The governor claimed that the bridge had been destroyed, but the army said it was still standing.",
    "There is no evidence that the strike hit a military target.",
    "Local residents told reporters they had heard explosions for about an hour.",
    "The company's shares fell by 4 percent after the announcement.",
    "Talks between the two delegations are expected to resume next week in Istanbul.",
    "Analysts say the sanctions have so far had a limited effect on exports.",
    "Kremlin spokesman Dmitry Peskov dismissed the allegations as 'absolutely false'.",
    "The video, which could not be independently verified, appears to show a column of tanks.",
    "Kyiv, however, insists that its troops never entered the village.",
    "Prices for wheat and fertiliser rose sharply in March.",
    "A spokesperson for the UN refugee agency said more than two million people had fled.",
    "He added that the figures were preliminary and might change.",
    "Reuters was unable to confirm the claim.",
    "The president signed the decree late on Friday evening.",
    "Both sides accuse each other of shelling the power plant.",
    '"We will not allow this to happen," she told a news conference in Brussels.',
    "The report, citing intelligence sources, said the convoy had stalled north of the capital.",
    "Moscow has repeatedly said it does not target civilians.",
    "Photos posted on social media showed smoke rising above the port.",
    "The minister rejected calls for his resignation.",
    "It remains unclear who was responsible for the blast.",
)


def _fingerprint(checkpoint: Path, quantize: str) -> str:
    """What the exported graph depends on: the weights, the quantize mode and the exporter versions."""
    import onnxruntime
    import torch

    versions = f"{EXPORT_VERSION}|{quantize}|{torch.__version__}|{onnxruntime.__version__}"
    digest = hashlib.sha256(versions.encode())
    for name in ("config.json", "model.safetensors", "pytorch_model.bin"):
        path = checkpoint / name
        if path.is_file():
            with path.open("rb") as handle:
                for block in iter(lambda h=handle: h.read(1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()[:16]


def _cache_dir(checkpoint: Path) -> Path:
    """``<checkpoint>/onnx`` when writable, else a per-checkpoint folder in the user's cache."""
    preferred = checkpoint / "onnx"
    try:
        preferred.mkdir(exist_ok=True)
        if os.access(preferred, os.W_OK):
            return preferred
    except OSError:
        pass
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "claimtype" / "onnx"
    fallback = base / hashlib.sha256(str(checkpoint.resolve()).encode()).hexdigest()[:16]
    fallback.mkdir(parents=True, exist_ok=True)
    return fallback


def _load_structure(graph: Path) -> onnx.GraphProto:
    """A graph's nodes and initializer names (weights' external data not read)."""
    import onnx

    return onnx.load(str(graph), load_external_data=False).graph


def head_nodes(graph: Path) -> list[str]:
    """Names of the nodes that read a classification-head parameter (pooler, classifier), in graph
    order; a Gemm also as ``<name>_MatMul``, the name dynamic quantization gives its MatMul half."""
    structure = _load_structure(graph)
    head_weights = {
        w.name for w in structure.initializer if HEAD_PARAMETER_PARTS.intersection(w.name.split("."))
    }
    names = []
    for node in structure.node:
        if head_weights.intersection(node.input):
            names.append(node.name)
            if node.op_type == "Gemm":
                names.append(f"{node.name}_MatMul")
    return names


def first_layer_nodes(graph: Path) -> list[str]:
    """Names of the first encoder layer's nodes, in graph order: those the exporter named
    ``.../layer.0/...`` and the fused attention (``Attention_<k>``) feeding them."""
    structure = _load_structure(graph)
    producers = {output: node for node in structure.node for output in node.output}
    first_layer = {node.name for node in structure.node if FIRST_LAYER in node.name}
    for node in structure.node:
        if FIRST_LAYER in node.name:
            first_layer.update(
                producers[name].name
                for name in node.input
                if name in producers and producers[name].op_type == "Attention"
            )
    return [node.name for node in structure.node if node.name in first_layer]


def int8_fp32_nodes(graph: Path) -> list[str]:
    """The nodes the shipped int8 keeps in fp32: the classification head and the first layer."""
    return head_nodes(graph) + first_layer_nodes(graph)


def outlier_products(graph: onnx.GraphProto, fp32_nodes: list[str]) -> list[onnx.NodeProto]:
    """The MatMuls int8 would quantize (a weight, not in ``fp32_nodes``) that read a layer norm's or a
    GELU's output: the feed-forward products (and an unfused attention's projections)."""
    weights = {w.name for w in graph.initializer}
    producers = {output: node.op_type for node in graph.node for output in node.output}
    return [
        node
        for node in graph.node
        if node.op_type == "MatMul"
        and node.name not in fp32_nodes
        and node.input[1] in weights
        and producers.get(node.input[0]) in OUTLIER_SOURCES
    ]


def channel_absmax(
    graph: Path, tensors: list[str], tokenizer, sentences: tuple[str, ...]
) -> dict[str, np.ndarray]:
    """Each tensor's largest magnitude per last-axis channel over ``sentences`` (one at a time: no
    padding), from the fp32 graph, by tensor name."""
    import onnx
    import onnxruntime

    model = onnx.load(str(graph))
    model.graph.output.extend(
        onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None) for name in tensors
    )
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    inputs = [node.name for node in session.get_inputs()]
    largest = [np.zeros(0, np.float32) for _ in tensors]
    for sentence in sentences:
        encoded = tokenizer(sentence, return_tensors="np")
        outputs = session.run(tensors, {name: encoded[name].astype(np.int64) for name in inputs})
        for i, output in enumerate(outputs):
            channels = np.abs(output.reshape(-1, output.shape[-1])).max(0)
            largest[i] = channels if not largest[i].size else np.maximum(largest[i], channels)
    return dict(zip(tensors, largest, strict=True))


def split_outlier_channels(
    graph: Path, target: Path, tokenizer, fp32_nodes: list[str], channels: int = OUTLIER_CHANNELS
) -> list[str]:
    """Writes ``graph`` with each outlier product ``x @ W`` split in two, ``(x * mask) @ W`` for int8
    and ``x[..., c] @ W[c]`` in fp32 for the ``channels`` channels ``c`` of largest magnitude on the
    calibration sentences, and their sum (LLM.int8()'s decomposition, Dettmers et al. 2022); returns
    the names of the fp32 halves, for int8 to leave alone.

    Why: dynamic int8 scales each product's input by its largest value. A BERT's layer norms and
    GELUs put values of 20-30 on one channel or two where the rest stay under 10, so without the
    split most channels get a few levels of the 256. Exact in fp32 (the masked channels add nothing).
    Where ``x`` is a fused bias + GELU's output read by nothing else, the GELU masks it itself (its
    bias for ``c`` set to GELU_ZERO) and ``x[..., c]`` is recomputed from the GELU's input: the same
    numbers, without a pass over the feed-forward block's widest tensor."""
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(graph))
    weights = {w.name: w for w in model.graph.initializer}
    products = outlier_products(model.graph, fp32_nodes)
    largest = channel_absmax(graph, sorted({n.input[0] for n in products}), tokenizer, CALIBRATION_SENTENCES)
    split = {id(node) for node in products}
    producers = {output: node for node in model.graph.node for output in node.output}
    readers = Counter(name for node in model.graph.node for name in node.input)
    nodes, fp32_halves = [], []
    for node in model.graph.node:
        if id(node) not in split:
            nodes.append(node)
            continue
        weight = numpy_helper.to_array(weights[node.input[1]])
        picked = np.sort(np.argsort(largest[node.input[0]])[::-1][:channels]).astype(np.int64)
        name, source, output = node.name, node.input[0], node.output[0]
        model.graph.initializer.extend([
            numpy_helper.from_array(picked, f"{name}_outliers_index"),
            numpy_helper.from_array(weight[picked], f"{name}_outliers_weight"),
        ])  # fmt: skip
        node.output[0] = f"{name}_int8_part"
        producer = producers[source]
        if producer.op_type == "BiasGelu" and readers[source] == 1 and readers[producer.input[1]] == 1:
            # The GELU zeroes the picked channels itself (a bias of -1e4 puts them where GELU is 0),
            # which saves a pass over its wide output; they are recomputed from its input in fp32.
            bias = numpy_helper.to_array(weights[producer.input[1]]).copy()
            model.graph.initializer.append(numpy_helper.from_array(bias[picked], f"{name}_outliers_bias"))
            bias[picked] = GELU_ZERO
            weights[producer.input[1]].CopyFrom(numpy_helper.from_array(bias, producer.input[1]))
            outliers = [
                helper.make_node(
                    "Gather",
                    [producer.input[0], f"{name}_outliers_index"],
                    [f"{name}_outliers_before_gelu"],
                    name=f"{name}_gather",
                    axis=-1,
                ),
                helper.make_node(
                    "BiasGelu",
                    [f"{name}_outliers_before_gelu", f"{name}_outliers_bias"],
                    [f"{name}_outliers"],
                    name=f"{name}_gelu",
                    domain="com.microsoft",
                ),
            ]
        else:
            mask = np.ones(weight.shape[0], np.float32)
            mask[picked] = 0.0
            model.graph.initializer.append(numpy_helper.from_array(mask, f"{name}_outliers_mask"))
            node.input[0] = f"{name}_masked_input"
            outliers = [
                helper.make_node(
                    "Mul", [source, f"{name}_outliers_mask"], [node.input[0]], name=f"{name}_mask"
                ),
                helper.make_node(
                    "Gather",
                    [source, f"{name}_outliers_index"],
                    [f"{name}_outliers"],
                    name=f"{name}_gather",
                    axis=-1,
                ),
            ]
        nodes += [
            *outliers,
            node,
            helper.make_node(
                "MatMul",
                [f"{name}_outliers", f"{name}_outliers_weight"],
                [f"{name}_fp32_part"],
                name=f"{name}_outliers",
            ),
            helper.make_node("Add", [node.output[0], f"{name}_fp32_part"], [output], name=f"{name}_sum"),
        ]
        fp32_halves.append(f"{name}_outliers")
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    onnx.save(model, str(target))
    return fp32_halves


def quantize_int8(graph: Path, target: Path, fp32_nodes: list[str], reduce_range: bool = False) -> None:
    """Dynamic int8 (per-channel weights) of a graph's matrix products and attention, ``fp32_nodes``
    excepted; embedding tables (Gather, EmbedLayerNormalization) are never quantized. ``reduce_range``
    keeps weights to 7 bits, which ONNX Runtime advises on x86 CPUs without VNNI, whose int8 kernel
    (VPMADDUBSW) can saturate its 16-bit sums with full-range weights."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with _root_log_level(logging.ERROR):  # its advice to pre-process: shape inference we skip
        quantize_dynamic(
            graph,
            target,
            weight_type=QuantType.QInt8,
            per_channel=True,
            reduce_range=reduce_range,
            op_types_to_quantize=["MatMul", "Attention"],
            nodes_to_exclude=fp32_nodes,
            # Fused nodes (Attention, SkipLayerNormalization) are outside ONNX's shape inference.
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )


@contextmanager
def _root_log_level(level: int) -> Iterator[None]:
    """ONNX Runtime's quantizer logs through the root logger; raise its level for one call."""
    root = logging.getLogger()
    previous = root.level
    root.setLevel(max(level, previous))
    try:
        yield
    finally:
        root.setLevel(previous)


def _export(checkpoint: Path, target: Path, quantize: str) -> None:
    """torch -> ONNX (eager attention, dynamic batch and length), fuse, optionally quantize; atomic."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    # Eager attention traces to plain MatMul/Softmax, the pattern ONNX Runtime's fusion recognises.
    model = AutoModelForSequenceClassification.from_pretrained(checkpoint, attn_implementation="eager")
    model.eval()
    # BERT: the last layer at [CLS] only, as the torch backend runs it (claimtype.cls_only).
    exported = ClsOnlyLastLayer(model) if supports_cls_only(model) else model
    example = tokenizer(["an example sentence", "another"], padding=True, return_tensors="pt")
    # In the order of forward's parameters: the exporter names the graph's inputs in that order.
    names = [name for name in inspect.signature(exported.forward).parameters if name in example]
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".export-") as tmp:
        raw = Path(tmp) / "raw.onnx"
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")  # tracer and deprecation notices of a one-off export
            torch.onnx.export(
                exported,
                (),
                str(raw),
                kwargs={name: example[name] for name in names},
                input_names=names,
                output_names=["logits"],
                dynamic_axes={**{name: {0: "batch", 1: "tokens"} for name in names}, "logits": {0: "batch"}},
                opset_version=17,
                dynamo=False,
            )
        graph = raw
        if model.config.model_type in BERT_LIKE:
            from onnxruntime.transformers import optimizer

            fused = optimizer.optimize_model(
                str(raw),
                model_type="bert",
                num_heads=model.config.num_attention_heads,
                hidden_size=model.config.hidden_size,
            )
            graph = Path(tmp) / "fused.onnx"
            fused.save_model_to_file(str(graph))
        if quantize == "int8":
            split, quantized = Path(tmp) / "split.onnx", Path(tmp) / "int8.onnx"
            fp32_nodes = int8_fp32_nodes(graph)
            fp32_nodes += split_outlier_channels(graph, split, tokenizer, fp32_nodes)
            quantize_int8(split, quantized, fp32_nodes)
            graph = quantized
        os.replace(graph, target)


def exported_model(checkpoint: str | Path, quantize: str = "none") -> Path:
    """The cached ONNX graph of a checkpoint (exporting it first if needed)."""
    if quantize not in ONNX_QUANTIZE_MODES:
        raise ValueError(
            f"backend onnxruntime supports quantize {' or '.join(ONNX_QUANTIZE_MODES)}, got {quantize!r}"
        )
    checkpoint = Path(checkpoint)
    cache = _cache_dir(checkpoint)
    target = cache / f"model-{quantize}-{_fingerprint(checkpoint, quantize)}.onnx"
    if not target.is_file():
        log.info("exporting %s to ONNX (quantize=%s), once: %s", checkpoint, quantize, target)
        _export(checkpoint, target, quantize)
        for stale in cache.glob(f"model-{quantize}-*.onnx"):
            if stale != target:
                stale.unlink(missing_ok=True)
    return target


def onnx_forward(
    checkpoint: str | Path, quantize: str = "none"
) -> Callable[[dict[str, np.ndarray]], np.ndarray]:
    """A function from padded int64 arrays (tokenizer names) to logits, on ONNX Runtime's CPU provider."""
    return graph_forward(exported_model(checkpoint, quantize))


def graph_forward(graph: Path) -> Callable[[dict[str, np.ndarray]], np.ndarray]:
    """``onnx_forward`` for a given graph file (scripts/int8_variants.py runs graphs it quantized)."""
    import onnxruntime
    import torch

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = torch.get_num_threads()  # the `threads` setting of the scripts sets it
    session = onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
    input_names = [node.name for node in session.get_inputs()]

    def forward(arrays: dict[str, np.ndarray]) -> np.ndarray:
        return session.run(["logits"], {name: arrays[name] for name in input_names})[0]

    return forward

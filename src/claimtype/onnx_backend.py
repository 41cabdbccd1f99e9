"""ONNX Runtime inference for a claimtype checkpoint: exported once, cached beside the weights.

Why a second backend: on a CPU, ONNX Runtime runs a BERT-style encoder with fused kernels (attention,
skip + layer norm, bias + GELU), and it is the project's int8 path (``quantize="int8"``: dynamic int8,
per-channel weights, integer attention projections included), a supported API where torch's own
dynamic quantization is deprecated; docs/benchmarks.md measures both backends side by side. Only the
encoder's matrix products and attention are int8: the embedding tables and the classification head
(pooler and classifier) stay fp32, a sliver of the compute, and on validation int8 embeddings cost
the rare labels the most (docs/experiments.md).

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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from claimtype.cls_only import ClsOnlyLastLayer, supports_cls_only

log = logging.getLogger(__name__)

ONNX_QUANTIZE_MODES = ("none", "int8")
# Part of the cache fingerprint: bump it when _export changes what it writes.
EXPORT_VERSION = 3
# Architectures whose graphs ONNX Runtime's transformer optimizer fuses as "bert"; others are exported
# and run with ONNX Runtime's generic graph optimizations only.
BERT_LIKE = {"bert", "roberta", "xlm-roberta", "camembert", "distilbert", "electra"}
# Parameter-name parts of a sequence-classification head (BERT's pooler, DistilBERT's pre_classifier,
# RoBERTa/MPNet's classifier.dense and classifier.out_proj): nodes reading them are not quantized.
HEAD_PARAMETER_PARTS = {"pooler", "pre_classifier", "classifier"}


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


def head_nodes(graph: Path) -> list[str]:
    """Names of the nodes that read a classification-head parameter, in graph order."""
    import onnx

    model = onnx.load(str(graph), load_external_data=False)
    head_weights = {
        weight.name
        for weight in model.graph.initializer
        if HEAD_PARAMETER_PARTS.intersection(weight.name.split("."))
    }
    names = []
    for node in model.graph.node:
        if head_weights.intersection(node.input):
            names.append(node.name)
            if node.op_type == "Gemm":  # dynamic quantization first splits it into "<name>_MatMul" + Add
                names.append(f"{node.name}_MatMul")
    return names


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
            import onnx
            from onnxruntime.quantization import QuantType, quantize_dynamic

            quantized = Path(tmp) / "int8.onnx"
            with _root_log_level(logging.ERROR):  # its advice to pre-process: shape inference we skip
                quantize_dynamic(
                    graph,
                    quantized,
                    weight_type=QuantType.QInt8,
                    per_channel=True,
                    op_types_to_quantize=["MatMul", "Attention"],  # not (Embed)LayerNorm's tables, Gather
                    nodes_to_exclude=head_nodes(graph),
                    # Fused nodes (Attention, SkipLayerNormalization) are outside ONNX's shape inference.
                    extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
                )
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
    import onnxruntime
    import torch

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = torch.get_num_threads()  # the `threads` setting of the scripts sets it
    session = onnxruntime.InferenceSession(
        str(exported_model(checkpoint, quantize)), options, providers=["CPUExecutionProvider"]
    )
    input_names = [node.name for node in session.get_inputs()]

    def forward(arrays: dict[str, np.ndarray]) -> np.ndarray:
        return session.run(["logits"], {name: arrays[name] for name in input_names})[0]

    return forward

"""The ONNX Runtime backend: same probabilities as torch, a cached export, clear errors."""

from __future__ import annotations

import shutil
import warnings

import pytest
import torch
from helpers import tiny_bert
from transformers import AutoTokenizer

from claimtype import onnx_backend
from claimtype.inference import ClaimTypeClassifier
from claimtype.modeling import resolve_model_path, save_checkpoint

SENTENCES = [
    "The ministry denied that any troops had crossed the border.",
    "Unconfirmed reports suggest a second strike on the port.",
    "Kyiv says the bridge was hit; Moscow insists it was not.",
    "Shelling continued overnight.",
]


@pytest.fixture
def checkpoint(tiny_checkpoint, tmp_path):
    """A private copy: the export writes an onnx/ folder into the checkpoint."""
    return shutil.copytree(tiny_checkpoint, tmp_path / "model")


@pytest.mark.slow
def test_fp32_export_matches_torch_and_is_cached(checkpoint, monkeypatch):
    reference = ClaimTypeClassifier.from_pretrained(checkpoint).predict_proba(SENTENCES)
    exported = ClaimTypeClassifier.from_pretrained(checkpoint, backend="onnxruntime")
    assert torch.allclose(exported.predict_proba(SENTENCES), reference, atol=1e-5)
    assert [p.label for p in exported.predict(SENTENCES)] == [
        p.label for p in ClaimTypeClassifier.from_pretrained(checkpoint).predict(SENTENCES)
    ]
    assert len(list((checkpoint / "onnx").glob("model-none-*.onnx"))) == 1

    def no_export(*args):
        raise AssertionError("the cached export should have been reused")

    monkeypatch.setattr(onnx_backend, "_export", no_export)
    again = ClaimTypeClassifier.from_pretrained(checkpoint, backend="onnxruntime")
    assert torch.allclose(again.predict_proba(SENTENCES), reference, atol=1e-5)


@pytest.mark.slow
def test_int8_export_is_close_and_new_weights_export_afresh(checkpoint):
    reference = ClaimTypeClassifier.from_pretrained(checkpoint).predict_proba(SENTENCES)
    quantized = ClaimTypeClassifier.from_pretrained(checkpoint, quantize="int8", backend="onnxruntime")
    assert torch.allclose(quantized.predict_proba(SENTENCES), reference, atol=0.05)
    first = onnx_backend.exported_model(checkpoint, "int8")
    weights = checkpoint / "model.safetensors"
    weights.write_bytes(weights.read_bytes() + b"")  # same bytes: same fingerprint
    assert onnx_backend.exported_model(checkpoint, "int8") == first
    with (checkpoint / "config.json").open("a") as config:
        config.write("\n")  # a changed checkpoint: a new export replaces the stale one
    second = onnx_backend.exported_model(checkpoint, "int8")
    assert second != first and second.is_file() and not first.exists()


@pytest.mark.slow
def test_int8_keeps_embeddings_first_layer_and_classification_head_in_fp32(tmp_path):
    """From the second layer on, the encoder's projections are integer; the embeddings, the first layer
    (its fused attention included) and the pooler and classifier stay float. Three layers, so that a
    fused attention is quantized: the last layer runs at [CLS] only and is not fused."""
    import onnx

    tokenizer = AutoTokenizer.from_pretrained(resolve_model_path("default"))
    checkpoint = tmp_path / "model"
    save_checkpoint(
        tiny_bert(tokenizer, layers=3), tokenizer, checkpoint, {"context": "none", "max_length": 64}
    )
    graph = onnx.load(str(onnx_backend.exported_model(checkpoint, "int8"))).graph
    op_types = [node.op_type for node in graph.node]
    assert op_types.count("QAttention") == 1 and op_types.count("Attention") == 1  # layers 1 and 0
    assert "EmbedLayerNormalization" in op_types and "QEmbedLayerNormalization" not in op_types
    first_layer = [
        node.op_type for node in graph.node if "/layer.0/" in node.name and "MatMul" in node.op_type
    ]
    assert first_layer == ["MatMul", "MatMul", "MatMul"]  # attention output, intermediate, output
    assert any("/layer.1/" in node.name and node.op_type == "MatMulInteger" for node in graph.node)
    head = [node for node in graph.node if node.name.startswith(("/pooler/dense/", "/classifier/"))]
    head_products = [node.op_type for node in head if node.op_type.startswith("MatMul")]
    assert head_products == ["MatMul", "MatMul"]


@pytest.mark.slow
def test_int8_labels_an_article_without_deprecation_warnings(checkpoint):
    """The int8 path (export, quantization, inference) uses no deprecated API: torch.ao's warned with a
    DeprecationWarning and a UserWarning saying "deprecated", so both kinds are looked for."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        classifier = ClaimTypeClassifier.from_pretrained(checkpoint, quantize="int8", backend="onnxruntime")
        sentences = classifier.label_article(" ".join(SENTENCES))
    assert [s.text for s in sentences] == SENTENCES
    deprecations = [
        f"{w.category.__name__}: {w.message}"
        for w in caught
        if issubclass(w.category, DeprecationWarning | FutureWarning) or "deprecat" in str(w.message).lower()
    ]
    assert not deprecations


@pytest.mark.slow
def test_unwritable_checkpoint_caches_in_the_user_cache(checkpoint, tmp_path, monkeypatch):
    (checkpoint / "onnx").write_text("not a folder")  # so <checkpoint>/onnx cannot be created
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = onnx_backend.exported_model(checkpoint, "none")
    assert path.is_relative_to(tmp_path / "cache" / "claimtype" / "onnx")
    assert path.is_file()


def test_bad_backend_settings_are_clear_errors(checkpoint):
    with pytest.raises(ValueError, match="backend must be one of torch, onnxruntime"):
        ClaimTypeClassifier.from_pretrained(checkpoint, backend="tensorrt")
    with pytest.raises(ValueError, match="quantize must be one of none, int8"):
        ClaimTypeClassifier.from_pretrained(checkpoint, quantize="int8-half", backend="onnxruntime")
    with pytest.raises(ValueError, match="backend onnxruntime supports quantize none or int8"):
        onnx_backend.exported_model(checkpoint, "int4")
    assert not (checkpoint / "onnx").exists()


def layer_norm_product(path, outlier: int, vocab: int) -> None:
    """A graph of the shape int8 splits: embeddings -> layer norm (one channel shifted by 25, as
    MiniLM's are) -> MatMul -> "logits"."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    bias = np.zeros(16, np.float32)
    bias[outlier] = 25.0
    weights = {
        "table": rng.normal(size=(vocab, 16)).astype(np.float32),
        "gamma": np.ones(16, np.float32),
        "beta": bias,
        "weight": rng.normal(scale=0.1, size=(16, 8)).astype(np.float32),
    }
    graph = helper.make_graph(
        [
            helper.make_node("Gather", ["table", "input_ids"], ["embedded"]),
            helper.make_node("LayerNormalization", ["embedded", "gamma", "beta"], ["normed"], axis=-1),
            helper.make_node("MatMul", ["normed", "weight"], ["logits"], name="product"),
        ],
        "layer_norm_product",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "tokens", 8])],
        [numpy_helper.from_array(value, name) for name, value in weights.items()],
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))


def gelu_product(path, outlier: int, vocab: int) -> None:
    """The feed-forward shape: embeddings -> MatMul -> BiasGelu (one channel's bias 25, so its
    output is an outlier) -> MatMul -> "logits"."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    bias = rng.normal(size=32).astype(np.float32)
    bias[outlier] = 25.0
    weights = {
        "table": rng.normal(size=(vocab, 16)).astype(np.float32),
        "up": rng.normal(scale=0.3, size=(16, 32)).astype(np.float32),
        "bias": bias,
        "weight": rng.normal(scale=0.1, size=(32, 8)).astype(np.float32),
    }
    graph = helper.make_graph(
        [
            helper.make_node("Gather", ["table", "input_ids"], ["embedded"]),
            helper.make_node("MatMul", ["embedded", "up"], ["pre_gelu"], name="up"),
            helper.make_node("BiasGelu", ["pre_gelu", "bias"], ["activated"], domain="com.microsoft"),
            helper.make_node("MatMul", ["activated", "weight"], ["logits"], name="product"),
        ],
        "gelu_product",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "tokens", 8])],
        [numpy_helper.from_array(value, name) for name, value in weights.items()],
    )
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
    onnx.save(helper.make_model(graph, opset_imports=opsets), str(path))


@pytest.mark.parametrize("make_graph", [layer_norm_product, gelu_product])
def test_int8_computes_outlier_channels_in_fp32(tmp_path, make_graph):
    """The split finds the large channel of a layer norm's or a GELU's output on the calibration
    sentences, equals the unsplit product in fp32, and brings int8 at least twice as close to fp32."""
    import numpy as np
    import onnx

    tokenizer = AutoTokenizer.from_pretrained(resolve_model_path("default"))
    graph, split = tmp_path / "graph.onnx", tmp_path / "split.onnx"
    make_graph(graph, outlier=5, vocab=len(tokenizer))
    halves = onnx_backend.split_outlier_channels(graph, split, tokenizer, fp32_nodes=["up"])
    assert halves == ["product_outliers"]
    index = next(w for w in onnx.load(str(split)).graph.initializer if w.name == "product_outliers_index")
    assert 5 in onnx.numpy_helper.to_array(index)

    encoded = tokenizer(SENTENCES, padding=True, return_tensors="np")
    arrays = {"input_ids": encoded["input_ids"].astype(np.int64)}
    reference = onnx_backend.graph_forward(graph)(arrays)
    assert np.allclose(onnx_backend.graph_forward(split)(arrays), reference, atol=1e-5)
    plain, with_split = tmp_path / "plain.onnx", tmp_path / "with_split.onnx"
    onnx_backend.quantize_int8(graph, plain, ["up"])
    onnx_backend.quantize_int8(split, with_split, ["up", *halves])
    plain_error = np.abs(onnx_backend.graph_forward(plain)(arrays) - reference).mean()
    split_error = np.abs(onnx_backend.graph_forward(with_split)(arrays) - reference).mean()
    assert split_error < plain_error / 2


def test_a_gelu_zeroes_its_own_outlier_channels(tmp_path):
    """Before a GELU-fed product, the GELU's bias puts the outlier channels where GELU is 0, in place
    of a masking pass over its wide output; the channels are recomputed from the GELU's input."""
    import onnx

    tokenizer = AutoTokenizer.from_pretrained(resolve_model_path("default"))
    graph, split = tmp_path / "graph.onnx", tmp_path / "split.onnx"
    gelu_product(graph, outlier=5, vocab=len(tokenizer))
    onnx_backend.split_outlier_channels(graph, split, tokenizer, fp32_nodes=["up"])
    model = onnx.load(str(split)).graph
    assert not [node for node in model.node if node.op_type == "Mul"]
    weights = {w.name: onnx.numpy_helper.to_array(w) for w in model.initializer}
    assert weights["bias"][5] == onnx_backend.GELU_ZERO
    assert weights["product_outliers_bias"][list(weights["product_outliers_index"]).index(5)] == 25.0


@pytest.mark.slow
def test_int8_export_splits_the_feed_forward_products(tmp_path):
    """In a BERT's int8 export, each quantized feed-forward product (layers 1 and 2 of three) has an
    fp32 half for its outlier channels; the first layer and the head are not split."""
    import onnx

    tokenizer = AutoTokenizer.from_pretrained(resolve_model_path("default"))
    checkpoint = tmp_path / "model"
    save_checkpoint(
        tiny_bert(tokenizer, layers=3), tokenizer, checkpoint, {"context": "none", "max_length": 64}
    )
    graph = onnx.load(str(onnx_backend.exported_model(checkpoint, "int8"))).graph
    halves = [node for node in graph.node if node.name.endswith("_outliers")]
    assert all(node.op_type == "MatMul" for node in halves)
    assert not any("/layer.0/" in node.name or "/pooler/" in node.name for node in halves)
    intermediate = [node.name for node in halves if "intermediate/dense" in node.name]
    assert len(intermediate) == 2, intermediate  # layer 1 (fused) and layer 2 ([CLS]-only)

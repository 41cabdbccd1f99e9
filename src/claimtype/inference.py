"""Load a fine-tuned checkpoint and label sentences or whole articles, fast on a CPU.

Speed levers (docs/benchmarks.md measures them against ``transformers.pipeline``): one tokenizer call
per chunk of sentences, batches sorted by token count (each pads only to its own longest sentence) and
capped in tokens on a CPU (activations stay in cache), arrays padded directly without per-sentence
Python objects, ``torch.inference_mode``, the last encoder layer computed at [CLS] only (exact; see
claimtype.cls_only), optional dynamic int8 quantization of the encoder's Linear layers, and optionally
ONNX Runtime (``backend="onnxruntime"``, see claimtype.onnx_backend).

``quantize="int8"`` quantizes the Linear layers of every encoder layer, with per-channel int8 weights
and (on CPUs with VNNI) 8-bit activations, both more accurate than torch's defaults. Errors made in the
early layers grow through every later one, so a checkpoint that loses too much macro-F1 with it can use
``quantize="int8-half"`` (torch backend): the second half of the encoder only, slower but closer to
fp32. The pooler and classification head (one vector per sentence, no measurable time) stay fp32;
docs/benchmarks.md measures the speed and the macro-F1 of each mode and backend.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from claimtype.cls_only import ClsOnlyLastLayer, supports_cls_only
from claimtype.errors import error_line
from claimtype.labels import LABELS
from claimtype.modeling import encode, read_metadata
from claimtype.text import split_sentences

QUANTIZE_MODES = ("none", "int8", "int8-half")
BACKENDS = ("torch", "onnxruntime")
# Sentences tokenised and length-sorted together: enough for near-perfect sorting, bounded memory.
CHUNK_SENTENCES = 8192
CPU_BATCH_TOKENS = 1024


_LAYER_INDEX = re.compile(r"\.layers?\.(\d+)\.")


@lru_cache(maxsize=1)
def _cpu_has_vnni() -> bool:
    flags = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").is_file() else ""
    return bool(re.search(r"\b(avx512_vnni|avx_vnni)\b", flags))


class _DynamicInt8Linear(torch.ao.nn.quantized.dynamic.Linear):
    """torch's dynamic int8 Linear, with 8-bit rather than 7-bit activations on CPUs with VNNI.

    torch always quantizes activations to 7 bits (``reduce_range``) because the int16 sums of CPUs
    without VNNI can overflow with 8; VNNI has no such sums, and the 8th bit halves the rounding error.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        packed = self._packed_params._packed_params
        reduce_range = not _cpu_has_vnni()
        return torch.ops.quantized.linear_dynamic(x, packed, reduce_range=reduce_range).to(x.dtype)


def quantize_encoder(model: torch.nn.Module, first_layer: int) -> torch.nn.Module:
    """Dynamic int8 (per-channel weights) for the Linear layers of encoder layers ``first_layer`` on."""
    names = {
        name
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.Linear)
        and (match := _LAYER_INDEX.search(name))
        and int(match.group(1)) >= first_layer
    }
    if not names:
        raise ValueError("quantize: found no encoder layers (modules named like '.layer.<n>.') to quantize")
    qconfig = torch.ao.quantization.per_channel_dynamic_qconfig
    mapping = {torch.nn.Linear: _DynamicInt8Linear}
    return torch.ao.quantization.quantize_dynamic(
        model, dict.fromkeys(names, qconfig), mapping=mapping, inplace=True
    )


def _torch_forward(model: torch.nn.Module, device: torch.device):
    """The torch backend's forward: numpy batch in, logits out (BERT: the last layer at [CLS] only)."""
    if supports_cls_only(model):
        logits_of = ClsOnlyLastLayer(model)
    else:

        def logits_of(**inputs: torch.Tensor) -> torch.Tensor:
            return model(**inputs).logits

    def forward(arrays: dict[str, np.ndarray]) -> torch.Tensor:
        return logits_of(**{name: torch.from_numpy(array).to(device) for name, array in arrays.items()})

    return forward


@dataclass(frozen=True)
class Prediction:
    """The predicted label, its probability, and the probability of every label."""

    label: str
    score: float
    scores: dict[str, float]


@dataclass(frozen=True)
class LabelledSentence:
    """A sentence of an article with its raw character offsets and its prediction."""

    index: int
    start: int
    end: int
    text: str
    prediction: Prediction


class ClaimTypeClassifier:
    """A claim-type model ready for inference: ``from_pretrained(path).predict(sentences)``.

    ``forward`` maps one padded batch (int64 arrays named as the tokenizer names them) to logits;
    batching, padding, calibration and the labels are shared by both backends.
    """

    def __init__(
        self,
        forward: Callable[[dict[str, np.ndarray]], np.ndarray | torch.Tensor],
        tokenizer,
        context: str = "none",
        max_length: int = 128,
        batch_size: int = 64,
        temperature: float = 1.0,
        device: str | torch.device = "cpu",
    ):
        self.forward = forward
        self.tokenizer = tokenizer
        self.context = context
        self.max_length = max_length
        self.batch_size = batch_size
        self.temperature = temperature
        self.device = torch.device(device)

    @classmethod
    def from_pretrained(
        cls,
        path: str | Path,
        quantize: str | None = None,
        device: str | None = None,
        batch_size: int = 64,
        backend: str = "torch",
    ) -> ClaimTypeClassifier:
        """Load a claimtype checkpoint.

        ``quantize`` "int8" or "int8-half" applies dynamic int8 (CPU). ``backend="onnxruntime"`` runs
        the checkpoint's ONNX export (made once and cached, quantize "none" or "int8") on the CPU.
        """
        quantize = quantize or "none"
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
        if quantize not in QUANTIZE_MODES:
            raise ValueError(f"quantize must be one of {', '.join(QUANTIZE_MODES)}, got {quantize!r}")
        metadata = read_metadata(path)  # whole checkpoint, our label set: one clear line if not
        try:
            tokenizer = AutoTokenizer.from_pretrained(path)
            if backend != "onnxruntime":
                model = AutoModelForSequenceClassification.from_pretrained(path).eval()
        except Exception as error:  # truncated weights, broken tokenizer files: transformers' first line
            raise ValueError(f"{path} is not a loadable checkpoint: {error_line(error)}") from None
        if backend == "onnxruntime":
            from claimtype.onnx_backend import onnx_forward

            forward, device = onnx_forward(path, quantize), "cpu"
        else:
            if quantize != "none":
                first_layer = model.config.num_hidden_layers // 2 if quantize == "int8-half" else 0
                model = quantize_encoder(model.cpu(), first_layer)
                device = "cpu"
            device = device or ("cuda" if torch.cuda.is_available() else "cpu")
            forward = _torch_forward(model.to(device), torch.device(device))
        return cls(
            forward,
            tokenizer,
            context=metadata.get("context", "none"),
            max_length=metadata.get("max_length", 128),
            batch_size=batch_size,
            temperature=metadata.get("temperature", 1.0),
            device=device,
        )

    @torch.inference_mode()
    def predict_proba(self, sentences: Sequence[str], previous: Sequence[str] | None = None) -> torch.Tensor:
        """Label probabilities, shape (n, 4), in input order."""
        probs = torch.empty(len(sentences), len(LABELS))
        for start in range(0, len(sentences), CHUNK_SENTENCES):
            stop = start + CHUNK_SENTENCES
            chunk_previous = list(previous[start:stop]) if previous is not None else None
            probs[start:stop] = self._predict_chunk(list(sentences[start:stop]), chunk_previous)
        return probs

    def _predict_chunk(self, texts: list[str], previous: list[str] | None) -> torch.Tensor:
        encoded = encode(self.tokenizer, texts, previous, self.context, self.max_length)
        lengths = [len(ids) for ids in encoded["input_ids"]]
        probs = torch.empty(len(texts), len(LABELS))
        for idx in self._batches(lengths):
            logits = torch.as_tensor(self.forward(self._pad(encoded, idx, lengths))).float().cpu()
            probs[idx] = (logits / self.temperature).softmax(-1)
        return probs

    def _batches(self, lengths: list[int]) -> Iterator[list[int]]:
        """Indices sorted by token count, cut into batches that each pad only to their own longest
        sentence; on a CPU a batch also stops at about CPU_BATCH_TOKENS padded tokens, since
        activations that stay in cache beat bigger matrix products there."""
        order = sorted(range(len(lengths)), key=lengths.__getitem__)
        budget = CPU_BATCH_TOKENS if self.device.type == "cpu" else None
        start = 0
        while start < len(order):
            stop = min(start + self.batch_size, len(order))
            if budget is not None:
                # Ascending lengths: the batch's width is its last sentence's length.
                while stop - start > 1 and (stop - start) * lengths[order[stop - 1]] > budget:
                    stop -= 1
            yield order[start:stop]
            start = stop

    def _pad(self, encoded: dict[str, list], idx: list[int], lengths: list[int]) -> dict[str, np.ndarray]:
        """One batch as padded int64 arrays, on the tokenizer's padding side, like ``tokenizer.pad``."""
        width = max(lengths[i] for i in idx)
        left = self.tokenizer.padding_side == "left"
        pad_values = {
            "input_ids": self.tokenizer.pad_token_id,
            "token_type_ids": self.tokenizer.pad_token_type_id,
        }
        batch = {}
        for key, values in encoded.items():
            array = np.full((len(idx), width), pad_values.get(key, 0), dtype=np.int64)
            for row, i in enumerate(idx):
                if left:
                    array[row, width - lengths[i] :] = values[i]
                else:
                    array[row, : lengths[i]] = values[i]
            batch[key] = array
        return batch

    def predict(self, sentences: Sequence[str], previous: Sequence[str] | None = None) -> list[Prediction]:
        """One Prediction per sentence. ``previous`` (the sentence before each) is used by context models."""
        probs = self.predict_proba(sentences, previous)
        best = probs.argmax(-1).tolist()
        rows = probs.tolist()
        return [
            Prediction(LABELS[b], row[b], {label: p for label, p in zip(LABELS, row, strict=True)})
            for b, row in zip(best, rows, strict=True)
        ]

    def label_article(self, text: str) -> list[LabelledSentence]:
        """Split an article into sentences and label each, with character offsets into ``text``."""
        sentences = split_sentences(text)
        texts = [s.text for s in sentences]
        predictions = self.predict(texts, [""] + texts[:-1])
        return [
            LabelledSentence(s.index, s.start, s.end, s.text, p)
            for s, p in zip(sentences, predictions, strict=True)
        ]

"""Load a fine-tuned checkpoint and label sentences or whole articles, fast on a CPU.

Speed levers (docs/benchmarks.md measures them against ``transformers.pipeline``): one tokenizer call
per chunk of sentences, batches sorted by token count (each pads only to its own longest sentence) and
capped in tokens on a CPU (activations stay in cache), arrays padded directly without per-sentence
Python objects, ``torch.inference_mode``, the last encoder layer computed at [CLS] only (exact; see
claimtype.cls_only), softmax in numpy (``_as_array``), and optionally ONNX Runtime
(``backend="onnxruntime"``, see claimtype.onnx_backend).

``quantize="int8"`` (dynamic int8, per-channel weights, every encoder layer) runs on ONNX Runtime
only, the fastest supported int8 we measured on a CPU: torch's own dynamic quantization (``torch.ao``)
is deprecated, torchao's int8 has no fast CPU kernel without ``torch.compile`` (several times slower
than fp32), and OpenVINO with int8 weights was no faster than fp32 and lost 0.9 macro-F1 points.
``backend="torch", quantize="int8"`` is refused with one clear line rather than switching backends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from scipy.special import softmax
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from claimtype.cls_only import ClsOnlyLastLayer, supports_cls_only
from claimtype.context import CONTEXT_FORMAT, neighbours
from claimtype.errors import error_line
from claimtype.labels import LABELS
from claimtype.modeling import encode, read_metadata
from claimtype.onnx_backend import ONNX_QUANTIZE_MODES, onnx_forward
from claimtype.text import split_sentences

BACKENDS = ("torch", "onnxruntime")
QUANTIZE_MODES = ONNX_QUANTIZE_MODES  # int8 runs on ONNX Runtime only (module docstring)
# Sentences tokenised and length-sorted together: enough for near-perfect sorting, bounded memory.
CHUNK_SENTENCES = 8192
CPU_BATCH_TOKENS = 1024


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


def _as_array(logits: np.ndarray | torch.Tensor) -> np.ndarray:
    """A batch's logits as a float32 numpy array, wherever the backend computed them.

    Why numpy after the model: a torch op between two ONNX Runtime runs wakes torch's own thread
    pool, whose threads spin on the cores ONNX Runtime's threads need (int8 labelling ran 5-15%
    slower on 2 cores, docs/experiments.md)."""
    if isinstance(logits, torch.Tensor):
        logits = logits.float().cpu().numpy()
    return np.asarray(logits, np.float32)


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
        context_format: int = CONTEXT_FORMAT,
        label_bias: Sequence[float] | None = None,
    ):
        self.forward = forward
        self.tokenizer = tokenizer
        self.context = context
        self.context_format = context_format
        self.max_length = max_length
        self.batch_size = batch_size
        self.temperature = temperature
        # The prior correction fitted at training time (claimtype.calibration), added to z / T.
        self.label_bias = np.zeros(len(LABELS), np.float32) if label_bias is None else np.float32(label_bias)
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

        ``backend="onnxruntime"`` runs the checkpoint's ONNX export (made once and cached) on the CPU,
        in fp32 or, with ``quantize="int8"``, dynamic int8; the torch backend runs fp32 only.
        """
        quantize = quantize or "none"
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
        if quantize not in QUANTIZE_MODES:
            raise ValueError(f"quantize must be one of {', '.join(QUANTIZE_MODES)}, got {quantize!r}")
        if backend == "torch" and quantize != "none":
            raise ValueError(f"quantize={quantize} runs on ONNX Runtime only: use backend onnxruntime")
        metadata = read_metadata(path)  # whole checkpoint, our label set: one clear line if not
        try:
            tokenizer = AutoTokenizer.from_pretrained(path)
            if backend != "onnxruntime":
                model = AutoModelForSequenceClassification.from_pretrained(path).eval()
        except Exception as error:  # truncated weights, broken tokenizer files: transformers' first line
            raise ValueError(f"{path} is not a loadable checkpoint: {error_line(error)}") from None
        if backend == "onnxruntime":
            forward, device = onnx_forward(path, quantize), "cpu"
        else:
            device = device or ("cuda" if torch.cuda.is_available() else "cpu")
            forward = _torch_forward(model.to(device), torch.device(device))
        return cls(
            forward,
            tokenizer,
            context=metadata.get("context", "none"),
            context_format=metadata.get("context_format", 1),  # checkpoints before format 2 had none
            max_length=metadata.get("max_length", 128),
            batch_size=batch_size,
            temperature=metadata.get("temperature", 1.0),
            device=device,
            label_bias=metadata.get("label_bias"),  # checkpoints without a prior correction: none
        )

    @torch.inference_mode()
    def predict_proba(
        self,
        sentences: Sequence[str],
        previous: Sequence[str] | None = None,
        titles: Sequence[str] | None = None,
        following: Sequence[str] | None = None,
    ) -> torch.Tensor:
        """Label probabilities, shape (n, 4), in input order. ``previous``, ``titles`` and ``following``
        (each sentence's neighbours and its article's title) are read by context models only."""
        probs = np.empty((len(sentences), len(LABELS)), np.float32)
        for start in range(0, len(sentences), CHUNK_SENTENCES):
            window = slice(start, start + CHUNK_SENTENCES)
            context = [list(c[window]) if c is not None else None for c in (previous, titles, following)]
            probs[window] = self._predict_chunk(list(sentences[window]), *context)
        return torch.from_numpy(probs)

    def _predict_chunk(
        self,
        texts: list[str],
        previous: list[str] | None,
        titles: list[str] | None,
        following: list[str] | None,
    ) -> np.ndarray:
        encoded = encode(
            self.tokenizer,
            texts,
            previous,
            self.context,
            self.max_length,
            titles=titles,
            following=following,
            context_format=self.context_format,
        )
        lengths = [len(ids) for ids in encoded["input_ids"]]
        probs = np.empty((len(texts), len(LABELS)), np.float32)
        for idx in self._batches(lengths):
            logits = _as_array(self.forward(self._pad(encoded, idx, lengths)))
            probs[idx] = softmax(logits / self.temperature + self.label_bias, axis=-1)
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

    def predict(
        self,
        sentences: Sequence[str],
        previous: Sequence[str] | None = None,
        titles: Sequence[str] | None = None,
        following: Sequence[str] | None = None,
    ) -> list[Prediction]:
        """One Prediction per sentence; the context columns as in ``predict_proba``."""
        probs = self.predict_proba(sentences, previous, titles, following).numpy()
        best = probs.argmax(-1).tolist()
        rows = probs.tolist()
        return [
            Prediction(LABELS[b], row[b], {label: p for label, p in zip(LABELS, row, strict=True)})
            for b, row in zip(best, rows, strict=True)
        ]

    def label_article(self, text: str, title: str = "") -> list[LabelledSentence]:
        """Split an article into sentences and label each, with character offsets into ``text``."""
        sentences = split_sentences(text)
        texts = [s.text for s in sentences]
        previous, following = neighbours(texts)
        predictions = self.predict(texts, previous, [title] * len(texts), following)
        return [
            LabelledSentence(s.index, s.start, s.end, s.text, p)
            for s, p in zip(sentences, predictions, strict=True)
        ]

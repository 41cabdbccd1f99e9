"""Load a fine-tuned checkpoint and label sentences or whole articles, fast on a CPU.

Speed levers: one tokenizer call per batch, batches sorted by length (little padding),
``torch.inference_mode``, optional dynamic int8 quantization of the Linear layers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from claimtype.labels import LABELS
from claimtype.modeling import encode, read_metadata
from claimtype.text import split_sentences

QUANTIZE_MODES = ("none", "int8")


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
    """A claim-type model ready for inference: ``from_pretrained(path).predict(sentences)``."""

    def __init__(
        self,
        model,
        tokenizer,
        context: str = "none",
        max_length: int = 128,
        batch_size: int = 64,
        temperature: float = 1.0,
    ):
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.context = context
        self.max_length = max_length
        self.batch_size = batch_size
        self.temperature = temperature
        self.device = next(model.parameters()).device

    @classmethod
    def from_pretrained(
        cls,
        path: str | Path,
        quantize: str | None = None,
        device: str | None = None,
        batch_size: int = 64,
    ) -> ClaimTypeClassifier:
        """Load a claimtype checkpoint; ``quantize="int8"`` applies dynamic int8 to Linear layers (CPU)."""
        quantize = quantize or "none"
        if quantize not in QUANTIZE_MODES:
            raise ValueError(f"quantize must be one of {', '.join(QUANTIZE_MODES)}, got {quantize!r}")
        metadata = read_metadata(path)
        tokenizer = AutoTokenizer.from_pretrained(path)
        model = AutoModelForSequenceClassification.from_pretrained(path)
        if quantize == "int8":
            model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
            device = "cpu"
        model.to(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        return cls(
            model,
            tokenizer,
            context=metadata.get("context", "none"),
            max_length=metadata.get("max_length", 128),
            batch_size=batch_size,
            temperature=metadata.get("temperature", 1.0),
        )

    @torch.inference_mode()
    def predict_proba(self, sentences: Sequence[str], previous: Sequence[str] | None = None) -> torch.Tensor:
        """Label probabilities, shape (n, 4), in input order."""
        if not sentences:
            return torch.empty(0, len(LABELS))
        texts, prev = list(sentences), list(previous) if previous is not None else None
        # Sort by length so each batch pads only to its own longest sentence; restore order at the end.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]) + (len(prev[i]) if prev else 0))
        probs = torch.empty(len(texts), len(LABELS))
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            batch_prev = [prev[i] for i in idx] if prev else None
            encoded = encode(
                self.tokenizer, [texts[i] for i in idx], batch_prev, self.context, self.max_length
            )
            batch = self.tokenizer.pad(encoded, return_tensors="pt").to(self.device)
            logits = self.model(**batch).logits.float() / self.temperature
            probs[idx] = logits.softmax(-1).cpu()
        return probs

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

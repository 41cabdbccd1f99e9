"""The classifiers compared on one split: rules, TF-IDF + LR, SetFit (or a frozen encoder), and the
fine-tuned checkpoint's labeller variants; their test scores and the headline comparisons."""

from __future__ import annotations

import logging
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from omegaconf import DictConfig

from claimtype.benchmark.common import quiet_training_arguments
from claimtype.benchmark.inference_speed import REFERENCE, Variant
from claimtype.benchmark.results import Headline, MethodResult, VariantScore
from claimtype.evaluation import classification_metrics
from claimtype.io import read_jsonl
from claimtype.labels import LABEL2ID
from claimtype.modeling import resolve_model_path
from claimtype.rules import rule_predict

log = logging.getLogger(__name__)

# (sentences, previous sentences) -> label ids
Predictor = Callable[[list[str], list[str]], list[int]]


@dataclass
class Method:
    """A trained classifier under test: how it predicts and what its training cost."""

    name: str
    predict: Predictor
    train_seconds: float | None
    note: str = ""


def texts_of(rows: Sequence[dict]) -> list[str]:
    return [r["text"] for r in rows]


def previous_of(rows: Sequence[dict]) -> list[str]:
    return [r["prev_text"] for r in rows]


def labels_of(rows: Sequence[dict]) -> list[int]:
    return [int(r["label"]) for r in rows]


def rules_method() -> Method:
    """The labelling functions as a classifier (abstentions become assertion)."""

    def predict(texts: list[str], previous: list[str]) -> list[int]:
        return [LABEL2ID[rule_predict(t, p)] for t, p in zip(texts, previous, strict=True)]

    return Method("rules (`rule_predict`)", predict, None, "no training; an abstention counts as assertion")


def tfidf_pipeline(c: float, seed: int):
    """Word 1-2-gram and char 2-5-gram TF-IDF into a class-balanced logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    features = make_union(
        TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True),
    )
    classifier = LogisticRegression(C=c, class_weight="balanced", max_iter=3000, random_state=seed)
    return make_pipeline(features, classifier)


def tfidf_method(train: list[dict], validation: list[dict], c_values: Sequence[float], seed: int) -> Method:
    """Fit one pipeline per C on train, keep the best on validation macro-F1 (as the transformer's
    early stopping uses validation); the train time covers the whole search."""
    if not c_values:
        raise ValueError("tfidf.C must list at least one value")
    started = time.perf_counter()
    best: tuple[float, float, object] | None = None
    for c in c_values:
        model = tfidf_pipeline(c, seed).fit(texts_of(train), labels_of(train))
        predicted = model.predict(texts_of(validation)).tolist()
        f1 = classification_metrics(labels_of(validation), predicted)["macro_f1"]
        log.info("TF-IDF + LR, C=%g: validation macro-F1 %.4f", c, f1)
        if best is None or f1 > best[0]:
            best = (f1, c, model)
    f1, c, model = best
    return Method(
        f"TF-IDF word + char n-grams + LR (balanced, C={c:g})",
        lambda texts, previous: model.predict(texts).tolist(),
        time.perf_counter() - started,
        f"C picked on validation macro-F1 ({f1:.3f}) from {list(c_values)}",
    )


@torch.inference_mode()
def mean_pooled_embeddings(model, tokenizer, texts: list[str], batch_size: int = 64) -> np.ndarray:
    """L2-normalised mean-pooled last hidden states, as sentence-transformers' MiniLM computes them."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.empty((len(texts), model.config.hidden_size), dtype=np.float32)
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        batch = tokenizer(
            [texts[i] for i in idx], padding=True, truncation=True, max_length=128, return_tensors="pt"
        )
        hidden = model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)
        out[idx] = torch.nn.functional.normalize(pooled, dim=-1).numpy()
    return out


def frozen_encoder_method(base: str, train: list[dict], seed: int, reason: str) -> Method:
    """The base encoder, frozen, with a class-balanced logistic-regression head: SetFit's fallback."""
    from sklearn.linear_model import LogisticRegression
    from transformers import AutoModel, AutoTokenizer

    started = time.perf_counter()
    path = resolve_model_path(base)
    tokenizer, encoder = AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval()
    head = LogisticRegression(class_weight="balanced", max_iter=3000, random_state=seed)
    head.fit(mean_pooled_embeddings(encoder, tokenizer, texts_of(train)), labels_of(train))

    def predict(texts: list[str], previous: list[str]) -> list[int]:
        return head.predict(mean_pooled_embeddings(encoder, tokenizer, texts)).tolist()

    return Method(
        "frozen base encoder (mean-pooled) + LR (balanced)",
        predict,
        time.perf_counter() - started,
        f"instead of SetFit, which {reason}",
    )


def setfit_unavailable() -> str | None:
    """Why SetFit cannot run here, or None when it can (it is an optional extra)."""
    try:
        import setfit  # noqa: F401
    except ImportError as error:
        return f"is not installed ({error}; `pip install -e '.[setfit]'`)"
    return None


def setfit_method(base: str, train: list[dict], settings: DictConfig, seed: int, workdir: Path) -> Method:
    """SetFit on the base checkpoint: a capped contrastive phase, then a balanced LR head on all of train."""
    from datasets import Dataset
    from setfit import SetFitModel, Trainer, TrainingArguments

    started = time.perf_counter()
    model = SetFitModel.from_pretrained(
        resolve_model_path(base), head_params={"class_weight": "balanced", "max_iter": 3000}
    )
    args = quiet_training_arguments(
        TrainingArguments,
        workdir,
        seed,
        batch_size=settings.batch_size,
        num_epochs=1,
        max_steps=settings.max_steps,
        num_iterations=settings.num_iterations,
    )
    train_set = Dataset.from_dict({"text": texts_of(train), "label": labels_of(train)})
    Trainer(model=model, args=args, train_dataset=train_set).train()

    def predict(texts: list[str], previous: list[str]) -> list[int]:
        return model.predict(texts, as_numpy=True, show_progress_bar=False).astype(int).tolist()

    return Method(
        "SetFit (base checkpoint, LR head, balanced)",
        predict,
        time.perf_counter() - started,
        f"contrastive phase capped at {settings.max_steps} steps of {settings.batch_size} pairs "
        f"({settings.num_iterations} pair iterations requested)",
    )


def encoder_baseline(cfg: DictConfig, train: list[dict], workdir: Path) -> Method:
    """SetFit when it is installed and switched on, else the frozen-encoder baseline (saying why)."""
    reason = setfit_unavailable() if cfg.setfit.enabled else "is switched off (setfit.enabled=false)"
    if reason is None:
        return setfit_method(cfg.model.name_or_path, train, cfg.setfit, cfg.seed, workdir)
    log.info("SetFit %s: frozen-encoder baseline instead", reason)
    return frozen_encoder_method(cfg.model.name_or_path, train, cfg.seed, reason)


def labeller_predictor(classifier) -> Predictor:
    """A ClaimTypeClassifier as a Predictor (it reads the previous sentence when its model does)."""

    def predict(texts: list[str], previous: list[str]) -> list[int]:
        return classifier.predict_proba(texts, previous).argmax(-1).tolist()

    return predict


def recorded_train_seconds(model_dir: Path) -> tuple[float | None, str]:
    """The reused checkpoint's training time, from its run's metrics.jsonl (validation not included)."""
    path = Path(model_dir).parent / "metrics.jsonl"
    if not path.is_file():
        return None, f"reused {model_dir}; no {path.name} beside it to read its training time from"
    records = list(read_jsonl(path))
    best = max(records, key=lambda r: r.get("val_macro_f1", -1.0))
    epoch_seconds = [r["train_seconds"] for r in records]
    return (
        sum(epoch_seconds),
        f"not re-trained: the time its run recorded in {path} ({len(records)} epochs of "
        f"{min(epoch_seconds):.0f}-{max(epoch_seconds):.0f} s, best at epoch {best['epoch']}; "
        "training only, validation passes excluded)",
    )


def throughput(predict: Predictor, rows: Sequence[dict], repeats: int) -> float:
    """Sentences per second, median of ``repeats`` timed passes after one small warm-up call."""
    texts, previous = texts_of(rows), previous_of(rows)
    predict(texts[:32], previous[:32])
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        predict(texts, previous)
        seconds.append(time.perf_counter() - started)
    return len(texts) / statistics.median(seconds)


def score(
    method: Method, test: list[dict], sentences_per_s: float, extra_note: str = ""
) -> tuple[MethodResult, list[int]]:
    """A method's row on the test split, and its test predictions (for the variant comparisons)."""
    predicted = method.predict(texts_of(test), previous_of(test))
    metrics = classification_metrics(labels_of(test), predicted)
    log.info("%s: test macro-F1 %.4f, %.0f sentences/s", method.name, metrics["macro_f1"], sentences_per_s)
    row = MethodResult(
        name=method.name,
        macro_f1=metrics["macro_f1"],
        accuracy=metrics["accuracy"],
        per_label_f1={label: m["f1"] for label, m in metrics["per_label"].items()},
        train_seconds=method.train_seconds,
        sentences_per_s=sentences_per_s,
        note="; ".join(n for n in (method.note, extra_note) if n),
    )
    return row, predicted


def headline(
    tfidf: MethodResult,
    reference: tuple[MethodResult, list[int]],
    others: list[tuple[Variant, MethodResult, list[int]]],
) -> Headline:
    """The transformer's gain over TF-IDF, and each other labeller variant's macro-F1 against the
    reference's (fp32); ``reference`` and ``others`` hold each variant's row and test predictions."""
    ref_row, ref_predicted = reference
    return Headline(
        finetuned_macro_f1=ref_row.macro_f1,
        tfidf_macro_f1=tfidf.macro_f1,
        finetuned_minus_tfidf_points=100 * (ref_row.macro_f1 - tfidf.macro_f1),
        variants=[
            VariantScore(
                name=variant.name,
                backend=variant.backend,
                quantize=variant.quantize,
                quantized=variant.quantize != REFERENCE.quantize,
                macro_f1=row.macro_f1,
                loss_points=100 * (ref_row.macro_f1 - row.macro_f1),
                test_changed=int(np.sum(np.array(predicted) != np.array(ref_predicted))),
            )
            for variant, row, predicted in others
        ],
    )

"""Does a sentence's label depend on the sentences it is batched with? Labels war_media_2022 articles
that no gold, teacher or split row holds three ways: pooled in one call (the archive labeller's way:
batches mix articles), one article per call (``label_article``'s way) and one sentence per batch, and
counts the labels that differ, for torch fp32, ONNX Runtime fp32 and ONNX Runtime int8 (dynamic
quantization sets activation scales per batch, so only it is expected to differ).
`python scripts/int8_batchmates.py experiments/quickstart/model` (docs/experiments.md)."""

import argparse
from itertools import islice
from pathlib import Path

import numpy as np
from int8_variants import held_record_ids, unseen_articles

from claimtype.inference import ClaimTypeClassifier
from claimtype.markdown import table

BACKENDS = (("torch", "none"), ("onnxruntime", "none"), ("onnxruntime", "int8"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("--articles", type=int, default=300, help="unlabelled war_media articles")
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpora/war_media_2022.jsonl"))
    args = parser.parse_args()
    per_article = list(islice(unseen_articles(args.corpus, held_record_ids()), args.articles))
    pooled = [sentence for sentences in per_article for sentence in sentences]
    print(f"{len(per_article)} articles, {len(pooled)} sentences")
    rows = []
    for backend, quantize in BACKENDS:
        classifier = ClaimTypeClassifier.from_pretrained(args.model_dir, backend=backend, quantize=quantize)
        together = classifier.predict_proba(pooled).numpy()
        alone = np.concatenate([classifier.predict_proba(sentences).numpy() for sentences in per_article])
        classifier.batch_size = 1
        single = classifier.predict_proba(pooled).numpy()
        rows.append([
            f"{backend} {'int8' if quantize == 'int8' else 'fp32'}",
            *(
                f"{int((together.argmax(1) != other.argmax(1)).sum())} ({np.abs(together - other).max():.4f})"
                for other in (alone, single)
            ),
        ])  # fmt: skip
    header = [
        "backend",
        "labels changed (largest probability change): one article per call",
        "one sentence per batch",
    ]
    print(f"against all {len(pooled)} sentences pooled in one call")
    print(table(header, rows))

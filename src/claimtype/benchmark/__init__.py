"""Benchmarks (``claimtype benchmark``, configs/benchmark.yaml): every figure of docs/benchmarks.md.

One module per concern, each returning a typed result (``results``): ``baselines`` (the classifiers
on one split), ``inference_speed`` (labeller variants vs ``transformers.pipeline``),
``training_speed`` (our loop vs ``transformers.Trainer``), ``memory`` (the labeller's peak RSS),
``end_to_end`` (articles to rows, the longest article's split, the Ray engine), ``report`` (the
Markdown and JSON pages); ``run`` runs them in turn. Kept import-free so the report renders without
loading torch.
"""

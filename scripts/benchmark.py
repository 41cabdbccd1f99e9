"""Benchmark the claim-type classifiers and the labeller: `python scripts/benchmark.py [overrides]`.

Rules, TF-IDF + LR, SetFit (or a frozen-encoder fallback), the fine-tuned transformer and its int8
variant on the same split; the labeller vs transformers.pipeline, our training loop vs Trainer, and the
labeller's peak memory. Writes experiments/<name>/benchmark.{md,json} and docs/benchmarks.md.
"""

import os
import shlex
import sys

import hydra
from omegaconf import DictConfig

from claimtype.cli import user_errors_exit


@hydra.main(config_path="../configs", config_name="benchmark", version_base="1.3")
@user_errors_exit
def main(cfg: DictConfig) -> None:
    from hydra import compose

    from claimtype.benchmark import run_benchmark

    python = os.path.relpath(sys.executable) if sys.executable.startswith(os.getcwd()) else "python"
    report = run_benchmark(cfg, compose(config_name="train"), shlex.join([python, *sys.argv]))
    head = report["headline"]
    print(
        f"test macro-F1: fine-tuned {head['finetuned_macro_f1']:.4f} vs TF-IDF + LR "
        f"{head['tfidf_macro_f1']:.4f} ({head['finetuned_minus_tfidf_points']:+.1f} points)"
    )
    for name, quantized in head["quantized"].items():
        change = "loses" if quantized["loss_points"] >= 0 else "gains"
        print(f"{name}: {change} {abs(quantized['loss_points']):.2f} macro-F1 points on test")
    speedup = report["inference_speed"]["speedup"]
    print("labeller vs pipeline: " + ", ".join(f"{ratio:.2f}x ({name})" for name, ratio in speedup.items()))
    if report["training_speed"]:
        print(f"our training loop vs Trainer: {report['training_speed']['ratio']:.2f}x sentences/s")
    if report["memory"]:
        print(
            f"labeller peak RSS growth for {cfg.memory.factor}x the input: {report['memory']['growth_percent']:+.1f}%"
        )
    print(f"report: {cfg.output_dir}/benchmark.md" + (f", {cfg.docs_path}" if cfg.docs_path else ""))


if __name__ == "__main__":
    main()

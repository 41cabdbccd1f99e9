"""Evaluate a checkpoint on the gold test split: `python scripts/evaluate.py name=quickstart`.

Writes report.md, metrics.json and confusion_matrix.png to `output_dir` (default experiments/<name>/).
"""

import hydra
from omegaconf import DictConfig

from claimtype.cli import user_errors_exit


@hydra.main(config_path="../configs", config_name="evaluate", version_base="1.3")
@user_errors_exit
def main(cfg: DictConfig) -> None:
    from claimtype.data import SPLITS, build_dataset_from_config
    from claimtype.evaluation import evaluate
    from claimtype.inference import ClaimTypeClassifier

    if cfg.split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {cfg.split!r}")
    classifier = ClaimTypeClassifier.from_pretrained(
        cfg.model_dir, quantize=cfg.quantize, batch_size=cfg.batch_size, backend=cfg.backend
    )
    rows = list(build_dataset_from_config(cfg.data)[cfg.split])
    metrics = evaluate(
        classifier,
        rows,
        cfg.output_dir,
        cfg.split,
        str(cfg.model_dir),
        cfg.n_errors,
        cfg.quantize,
        cfg.backend,
    )
    print(
        f"{cfg.split}: macro-F1 {metrics['macro_f1']:.4f}, accuracy {metrics['accuracy']:.4f} "
        f"(n={metrics['n']}); report: {cfg.output_dir}/report.md"
    )


if __name__ == "__main__":
    main()

"""Evaluate a checkpoint on the gold test split: `python scripts/evaluate.py name=quickstart`.

Writes report.md, metrics.json and confusion_matrix.png to `output_dir` (default: the model's run
folder, the parent of model_dir). The split is the one the checkpoint was trained with (its
recorded data.split settings), so a model is never scored on its own training articles.
"""

from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from claimtype.cli import check_numbers, user_errors_exit


def use_recorded_split(cfg: DictConfig, recorded: dict | None) -> None:
    """Evaluate on the split the checkpoint records; refuse split settings given that differ from it."""
    if not recorded:
        return
    given = {
        o.split("=", 1)[0].removeprefix("data.split."): o.split("=", 1)[1]
        for o in HydraConfig.get().overrides.task
        if o.startswith("data.split.")
    }
    for key, value in given.items():
        if key in recorded and str(recorded[key]) != value:
            raise ValueError(
                f"the model was trained with data.split.{key}={recorded[key]}; evaluating with {key}={value} "
                "would score it on articles it was trained on"
            )
    cfg.data.split = OmegaConf.create(recorded)


@hydra.main(config_path="../configs", config_name="evaluate", version_base="1.3")
@user_errors_exit
def main(cfg: DictConfig) -> None:
    from transformers.utils import logging as hf_logging

    from claimtype.data import SPLITS, build_dataset_from_config
    from claimtype.evaluation import evaluate
    from claimtype.inference import ClaimTypeClassifier
    from claimtype.modeling import read_metadata

    check_numbers(cfg, {"batch_size": (int, 1, None), "n_errors": (int, 0, None)})
    if cfg.split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {cfg.split!r}")
    recorded = read_metadata(cfg.model_dir).get("config", {}).get("data", {}).get("split")
    use_recorded_split(cfg, recorded)
    hf_logging.disable_progress_bar()  # "Loading weights" bars: stderr is for our one error line
    classifier = ClaimTypeClassifier.from_pretrained(
        cfg.model_dir, quantize=cfg.quantize, batch_size=cfg.batch_size, backend=cfg.backend
    )
    output_dir = Path(cfg.output_dir) if cfg.output_dir else Path(cfg.model_dir).resolve().parent
    dataset = build_dataset_from_config(cfg.data)
    if cfg.split not in dataset:
        raise ValueError(f"split {cfg.split!r} holds no article in {cfg.data.gold_path}")
    rows = list(dataset[cfg.split])
    metrics = evaluate(
        classifier,
        rows,
        output_dir,
        cfg.split,
        str(cfg.model_dir),
        cfg.n_errors,
        cfg.quantize,
        cfg.backend,
    )
    print(
        f"{cfg.split}: macro-F1 {metrics['macro_f1']:.4f}, accuracy {metrics['accuracy']:.4f} "
        f"(n={metrics['n']}); report: {output_dir}/report.md"
    )


if __name__ == "__main__":
    main()

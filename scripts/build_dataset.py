"""Build the train/validation/test DatasetDict from the annotation files (cached under data/processed/).

`python scripts/build_dataset.py [data.use_silver=true] [data.split.seed=7]` prints the split sizes.
"""

from collections import Counter

import hydra
from omegaconf import DictConfig

from claimtype.cli import user_errors_exit


@hydra.main(config_path="../configs", config_name="train", version_base="1.3")
@user_errors_exit
def main(cfg: DictConfig) -> None:
    from claimtype.data import build_dataset_from_config
    from claimtype.labels import LABELS

    dataset = build_dataset_from_config(cfg.data)
    for split, rows in dataset.items():
        counts = Counter(rows["label"])
        per_label = ", ".join(f"{label} {counts[i]}" for i, label in enumerate(LABELS))
        print(f"{split}: {len(rows)} sentences from {len(set(rows['doc_id']))} articles ({per_label})")


if __name__ == "__main__":
    main()

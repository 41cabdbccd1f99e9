"""Train a claim-type classifier: `python scripts/train.py experiment=quickstart [overrides]`."""

import hydra
from omegaconf import DictConfig

from claimtype.cli import run_cli


@hydra.main(config_path="../configs", config_name="train", version_base="1.3")
def main(cfg: DictConfig) -> None:
    from claimtype.training import train

    train(cfg)


if __name__ == "__main__":
    run_cli(main)

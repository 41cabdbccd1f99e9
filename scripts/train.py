"""Train a claim-type classifier: `python scripts/train.py experiment=quickstart [overrides]`."""

import hydra
from omegaconf import DictConfig

from claimtype.cli import user_errors_exit


@hydra.main(config_path="../configs", config_name="train", version_base="1.3")
@user_errors_exit
def main(cfg: DictConfig) -> None:
    from claimtype.training import train

    train(cfg)


if __name__ == "__main__":
    main()

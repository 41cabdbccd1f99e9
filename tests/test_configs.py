"""Every config composes: each top-level config, and train.yaml with each experiment and each option
of each config group (a typo in a key or a default shows up here, not in a user's run)."""

from pathlib import Path

import pytest
from helpers import CONFIGS, ROOT, compose_config
from omegaconf import OmegaConf

from claimtype.validation import validate_config

TOP_LEVEL = sorted(p.stem for p in CONFIGS.glob("*.yaml"))
EXPERIMENTS = sorted(p.stem for p in (CONFIGS / "experiment").glob("*.yaml"))
GROUP_OPTIONS = sorted(
    (group.name, option.stem)
    for group in CONFIGS.iterdir()
    if group.is_dir() and group.name not in ("experiment", "__pycache__")
    for option in group.glob("*.yaml")
)
GROUP_HOST = {"inference": "evaluate"}  # groups that train.yaml does not use: composed in another config
REQUIRED = {"label": ["input=a.txt", "output=out.jsonl"]}  # settings a user must give
RUN_DIR = "paths.run_dir=/tmp/run"  # otherwise Hydra's runtime output dir, unknown outside a run


@pytest.mark.parametrize("name", TOP_LEVEL)
def test_top_level_config_composes_and_resolves(name):
    cfg = compose_config(name, [RUN_DIR, *REQUIRED.get(name, [])])
    resolved = OmegaConf.to_container(cfg, resolve=True, throw_on_missing=True)
    assert resolved["paths"]["data_dir"].endswith("data")
    validate_config(cfg)  # the one validator's keys mean the same thing in every config


@pytest.mark.parametrize("experiment", EXPERIMENTS)
def test_every_experiment_composes(experiment):
    cfg = compose_config("train", [RUN_DIR, f"experiment={experiment}"])
    OmegaConf.to_container(cfg, resolve=True, throw_on_missing=True)
    assert cfg.name and cfg.trainer.epochs >= 1 and cfg.data.gold_path.endswith("gold.jsonl")


@pytest.mark.parametrize("group, option", GROUP_OPTIONS)
def test_every_group_option_composes(group, option):
    cfg = compose_config(GROUP_HOST.get(group, "train"), [f"{group}={option}"])
    assert group in cfg


def test_the_configs_ship_with_the_package():
    import importlib.resources

    packaged = importlib.resources.files("claimtype.configs")
    assert sorted(p.name for p in packaged.iterdir() if p.name.endswith(".yaml")) == sorted(
        f"{name}.yaml" for name in TOP_LEVEL
    )
    assert Path(str(packaged / "train.yaml")).read_text() == (CONFIGS / "train.yaml").read_text()


def test_every_subpackage_ships_in_the_wheel():
    """pyproject lists packages by hand (configs/ is mapped in): a new subpackage must be listed too."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT / "src").parts)
        for p in (ROOT / "src" / "claimtype").rglob("__init__.py")
    }
    found |= {
        f"claimtype.configs.{g.name}" for g in CONFIGS.iterdir() if g.is_dir() and g.name != "__pycache__"
    }
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"

"""One validator for every task's settings: kinds, bounds and allowed values, one clear message."""

import pytest
from omegaconf import OmegaConf

from claimtype.validation import validate_config


def test_typed_values_out_of_kind_or_bounds_fail_with_the_key():
    with pytest.raises(ValueError, match=r"^trainer.lr must be a number, got 'abc'$"):
        validate_config(OmegaConf.create({"trainer": {"lr": "abc"}}))
    with pytest.raises(ValueError, match=r"^inference.batch_size must be at least 1, got 0$"):
        validate_config(OmegaConf.create({"inference": {"batch_size": 0}}))
    with pytest.raises(ValueError, match=r"^min_score must be between 0.0 and 1.0, got 1.5$"):
        validate_config(OmegaConf.create({"min_score": 1.5}))
    with pytest.raises(ValueError, match=r"^trainer.epochs must be a whole number, got 2.5$"):
        validate_config(OmegaConf.create({"trainer": {"epochs": 2.5}}))


def test_values_outside_their_choices_fail_with_the_choices():
    with pytest.raises(ValueError, match=r"^inference.backend must be one of torch, onnxruntime"):
        validate_config(OmegaConf.create({"inference": {"backend": "tvm"}}))
    with pytest.raises(ValueError, match=r"^split must be one of train, validation, test, test_cue"):
        validate_config(OmegaConf.create({"split": "dev"}))


def test_settings_a_task_does_not_have_are_skipped_and_good_ones_pass():
    validate_config(OmegaConf.create({}))
    validate_config(OmegaConf.create({"seed": 3, "trainer": {"lr": 1e-4, "epochs": 2}, "split": "test"}))

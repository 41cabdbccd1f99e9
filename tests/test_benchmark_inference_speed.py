"""Which labeller variants the benchmark compares: every combination claimtype.inference offers."""

import pytest

from claimtype.benchmark.inference_speed import REFERENCE, Variant, load_labellers, variants_to_compare
from claimtype.inference import BACKENDS, QUANTIZE_MODES


def test_variants_default_to_every_backend_and_mode_reference_first():
    variants = variants_to_compare(None, None)
    assert variants[0] == REFERENCE and variants[0].name == "fp32"
    assert sorted((v.backend, v.quantize) for v in variants) == sorted(
        (b, q) for b in BACKENDS for q in QUANTIZE_MODES
    )
    assert variants_to_compare([REFERENCE.backend], [QUANTIZE_MODES[-1]]) == [
        REFERENCE,
        Variant(REFERENCE.backend, QUANTIZE_MODES[-1]),
    ]
    with pytest.raises(ValueError, match="speed.quantize: unknown int3"):
        variants_to_compare(None, ["int3"])


def test_a_variant_the_loader_refuses_is_reported_not_run(tiny_checkpoint):
    loaded, not_run = load_labellers(tiny_checkpoint, [REFERENCE, Variant("no-such-backend", "none")], 8)
    assert list(loaded) == [REFERENCE] and loaded[REFERENCE].batch_size == 8
    assert "backend must be one of" in not_run["no-such-backend fp32"]
    with pytest.raises(FileNotFoundError):  # the reference must load
        load_labellers(tiny_checkpoint / "missing", [REFERENCE], 8)

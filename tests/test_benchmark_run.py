"""A benchmark run refuses bad settings before it starts measuring (it runs for half an hour)."""

import pytest
from helpers import compose_config

from claimtype.benchmark.inference_speed import REFERENCE
from claimtype.benchmark.run import check_settings, int8_instructions


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("speed.repeats=0", "speed.repeats must be at least 1"),
        ("memory.factor=1", "memory.factor must be at least 2"),
        ("end_to_end.articles=many", "end_to_end.articles must be a whole number"),
        ("ray.actors=[1,0]", "ray.actors must be at least 1"),
        ("targets.split_125k_seconds=fast", "targets.split_125k_seconds must be a number"),
        ("speed.quantize=[int3]", "speed.quantize: unknown int3"),
    ],
)
def test_bad_settings_fail_first(override, message):
    with pytest.raises(ValueError, match=message):
        check_settings(compose_config("benchmark", ["readme_path=null", override]))


def test_the_targets_come_from_the_config():
    targets, variants = check_settings(
        compose_config("benchmark", ["readme_path=null", "targets.labeller_vs_pipeline=4"])
    )
    assert targets.labeller_vs_pipeline == 4 and targets.end_to_end_vs_predict == 0.8
    assert variants[0] == REFERENCE


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        ({"sse4_2", "avx2", "fma"}, "AVX2 (no VNNI)"),  # AMD Zen 3: int8 on VPMADDUBSW
        ({"avx2", "avx512bw", "avx512_vnni"}, "AVX2, AVX-512, AVX-512 VNNI"),
        ({"avx2", "avx_vnni"}, "AVX2, AVX-VNNI"),
        ({"neon"}, "none of AVX2, AVX-512, VNNI"),
    ],
)
def test_the_machine_line_names_the_cpus_int8_extensions(flags, named):
    """int8's speed over fp32 hinges on VNNI, so the benchmark page says whether the CPU has it."""
    assert int8_instructions(flags) == named

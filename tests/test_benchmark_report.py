"""The benchmark page rendered from a made-up typed report: headlines, goals met or not, optional parts."""

from dataclasses import replace

import pytest

from claimtype.benchmark.report import README_END, README_START, check_readme, render_markdown, summary_lines
from claimtype.benchmark.results import (
    BenchmarkReport,
    DataSizes,
    EndToEnd,
    EngineComparison,
    EngineRun,
    Headline,
    InferenceSpeed,
    LoopTiming,
    Machine,
    Memory,
    MemoryRun,
    MethodResult,
    PathTiming,
    SplitTime,
    Targets,
    TrainingSpeed,
    VariantScore,
)
from claimtype.labels import LABELS


def method(name: str, f1: float, train_seconds: float | None, speed: float, note: str = "") -> MethodResult:
    return MethodResult(name, f1, 0.9, dict.fromkeys(LABELS, f1), train_seconds, speed, note)


def path(name: str, seconds: float, pipeline_seconds: float | None, agreement: float | None) -> PathTiming:
    speedup = None if pipeline_seconds is None else pipeline_seconds / seconds
    return PathTiming(name, [seconds] * 3, seconds, 2048 / seconds, speedup, agreement)


def make_report() -> BenchmarkReport:
    return BenchmarkReport(
        generated="2026-01-01 00:00 UTC",
        command="claimtype benchmark",
        runtime_seconds=600.0,
        machine=Machine("Test CPU", "AVX2 (no VNNI)", 2, 2, 8.0, "3.11", "2.x", "5.x", "Linux", 0.5, 2.25),
        data=DataSizes("gold.jsonl", 100, 20, 20, 2048),
        model_dir="experiments/quickstart/model",
        targets=Targets(5.0, 0.5, 5.0, 0.8, 2.0, 20, 1.3),
        methods=[
            method("rules", 0.4, None, 9000.0, "no training"),
            method("TF-IDF", 0.6, 3.0, 5000.0),
            method("fine-tuned transformer, fp32", 0.7, 300.0, 400.0),
            method("fine-tuned transformer, int8", 0.68, 300.0, 1100.0, "a note | with a pipe"),
        ],
        headline=Headline(
            0.7,
            0.6,
            10.0,
            [
                VariantScore("int8", "torch", "int8", True, 0.68, 2.0, 3),
                VariantScore("onnxruntime fp32", "onnxruntime", "none", False, 0.703, -0.3, 1),
            ],
        ),
        inference_speed=InferenceSpeed(
            sentences=2048,
            repeats=3,
            chunk=256,
            pipeline_batch_size=32,
            batch_size=64,
            max_length=128,
            paths=[
                path("pipeline", 10.0, None, None),
                path("fp32", 4.0, 10.0, 1.0),
                path("int8", 1.9, 10.0, 0.985),
            ],
            not_run={"onnxruntime int8-half": "backend onnxruntime supports quantize none or int8"},
        ),
        training_speed=TrainingSpeed(
            "default", LoopTiming(50.0, 60.0), LoopTiming(80.0, 37.5), 1.6, 32, 128, True, True
        ),
        memory=Memory(
            [MemoryRun(30, 900, 500.0, 10.0), MemoryRun(300, 9000, 510.0, 60.0)], "torch", "none", 64, 2.0
        ),
        end_to_end=EndToEnd(
            corpus="war_media",
            articles=500,
            skipped_articles=1,
            sentences=15000,
            repeats=3,
            backend="torch",
            quantize="int8",
            batch_size=64,
            pipeline_batch_size=32,
            labeller_seconds=[30.0, 31.0, 29.0],
            pipeline_seconds=[160.0, 150.0, 170.0],
            predict_seconds=[25.0, 24.0, 26.0],
            sentences_per_s=500.0,
            vs_pipeline=160 / 30,
            vs_predict=25 / 30,
        ),
        split=SplitTime("war_media", "r2nery-1", 125703, 125703, 570, [2.7, 2.6, 2.8], 2.7),
        engines=EngineComparison(
            500,
            2,
            [
                EngineRun("local", None, [], "measured", "", [60.0, 62.0], 15000, 61.0, 1.0),
                EngineRun(
                    "ray, 1 actor",
                    1,
                    ["engine=ray", "ray.concurrency=1"],
                    "measured",
                    "",
                    [90.0, 92.0],
                    15000,
                    91.0,
                    61 / 91,
                ),
                EngineRun(
                    "ray, 2 actors",
                    2,
                    ["engine=ray", "ray.concurrency=2"],
                    "failed",
                    "exited with 1: error: x",
                ),
            ],
        ),
    )


def test_report_states_the_headlines_and_the_goals():
    page = render_markdown(make_report())
    expected = [
        "Command: `claimtype benchmark`",
        "Machine: Test CPU (int8 extensions: AVX2 (no VNNI)), 2 cores (2 torch threads), 8.0 GiB RAM",
        "load average was 0.50 when the run started and 2.25 when it ended",
        "**The fine-tuned transformer beats TF-IDF + LR by +10.0 macro-F1 points on test**",
        "**int8 loses 2.00 macro-F1 points** (0.680 vs 0.700; target ≤ 0.5 points lost: not met): 3 of 20",
        "**onnxruntime fp32 gains 0.30 macro-F1 points** (0.703 vs 0.700): 1 of 20 test predictions",
        "| 2. TF-IDF | 0.600 | 0.600 | 0.600 | 0.600 | 0.600 | 0.900 | 3.0 s | 5,000 |",
        "| 1. rules | 0.400 |",
        "| — | 9,000 |",
        "| 5.0 min | 400 |",
        "- 4. fine-tuned transformer, int8: a note \\| with a pipe",
        "- not run: onnxruntime int8-half (backend onnxruntime supports quantize none or int8)",
        "**Labeller vs pipeline: 2.50x (fp32), 5.26x (int8)** (fastest: 5.26x, target ≥ 5x: met)",
        "Each of 3 repeats feeds every path the same 256 sentences in turn, chunk after chunk",
        "| labeller int8 | 1.90 | 1,078 | 5.26x | 98.5% |",
        "| pipeline | 10.00 | 205 | 1.00x | — |",
        "500 `war_media` articles, a seeded sample of the project's article file (1 of them skipped",
        "| labeller (read, clean, split, tokenize, model, write) | 30.00 | 500 |",
        "**End to end: 500 sentences/s, 5.33x pipeline (target ≥ 5x: met, splitting included) and 0.83x "
        "`predict()` (target ≥ 0.8: met).**",
        "the longest `war_media` article: 125,703 characters on one line, 570 sentences; 3 runs after",
        "**Split time: 2.70 s** (median; target < 2 s: not met)",
        "| local | (default engine) | measured | 61.0 | 15000 | 1.00x |",
        "| ray, 1 actor | `engine=ray ray.concurrency=1` | measured | 91.0 | 15000 | 0.67x |",
        "| ray, 2 actors | `engine=ray ray.concurrency=2` | failed: exited with 1: error: x | — | — | — |",
        "**Ray vs the local engine: 0.67x (ray, 1 actor)**",
        "engine=ray ray.address=auto ray.concurrency=<number of GPUs>",
        "with 1 and 2 actors sharing its 2 cores",
        "**Our loop vs Trainer: 1.60x training sentences/s** (target ≥ 1.3x: met)",
        "**Peak RSS grows by +2.0% for 10x the sentences** (target < 20%: met)",
    ]
    assert [line for line in expected if line not in page] == []


def test_report_says_when_the_transformer_does_not_win_and_leaves_out_parts_not_run():
    report = make_report()
    report = replace(
        report,
        headline=replace(report.headline, finetuned_minus_tfidf_points=-2.0),
        training_speed=None,
        memory=None,
        end_to_end=None,
        split=None,
        engines=None,
    )
    page = render_markdown(report)
    assert "trails TF-IDF + LR by 2.0 macro-F1 points on test" in page
    for section in ("## Training speed", "## Memory", "## End to end", "## Splitting", "## The Ray engine"):
        assert section not in page


def test_skipped_engines_say_why():
    report = make_report()
    skipped = [
        EngineRun("ray, 1 actor", 1, ["engine=ray", "ray.concurrency=1"], "skipped", "ray is not importable"),
    ]
    page = render_markdown(replace(report, engines=replace(report.engines, runs=skipped)))
    assert (
        "| ray, 1 actor | `engine=ray ray.concurrency=1` | skipped: ray is not importable | — | — | — |"
        in page
    )
    assert "**Ray was not measured in this run**" in page


def test_summary_lines_for_the_console():
    lines = summary_lines(make_report())
    assert lines[0] == "test macro-F1: fine-tuned 0.7000 vs TF-IDF + LR 0.6000 (+10.0 points)"
    assert "labeller vs pipeline: 2.50x (fp32), 5.26x (int8)" in lines
    assert "end to end: 500 sentences/s, 5.33x pipeline, 0.83x predict()" in lines
    assert "engine ray, 2 actors: failed: exited with 1: error: x" in lines
    assert not [line for line in lines if line.startswith("engine local")]


def test_a_readme_without_the_markers_is_refused_before_the_run(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"{README_START}\n{README_END}\n")
    check_readme(readme)
    readme.write_text("no markers\n")
    with pytest.raises(ValueError, match="no generated-block markers"):
        check_readme(readme)

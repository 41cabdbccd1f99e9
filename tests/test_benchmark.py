"""The whole benchmark on tiny settings: every part runs into its typed result, and the pages
(benchmark.json, benchmark.md, the docs page, the README block) render each section from it.

The labelling subprocesses of the memory and engine parts run a stand-in for ``claimtype label``
here (a real one costs seconds per start; tests/test_benchmark_common.py checks the real command's
overrides against configs/label.yaml).
"""

import json
import shutil
import sys
from dataclasses import asdict
from pathlib import Path

import pytest
import torch
from helpers import compose_config

from claimtype.benchmark import end_to_end, memory
from claimtype.benchmark.report import README_END, README_START
from claimtype.benchmark.run import run_benchmark
from claimtype.corpora import ARTICLES_FILE
from claimtype.inference import BACKENDS, QUANTIZE_MODES
from claimtype.io import read_jsonl, write_jsonl_gz

pytestmark = pytest.mark.slow  # the run exports an ONNX model and starts labelling processes

SECTIONS = [
    "## Claim-type classifiers on the same split",
    "## Inference speed: the labeller vs `transformers.pipeline`",
    "## End to end: articles to labelled rows",
    "## Splitting the longest article",
    "## The Ray engine vs the local engine",
    "### Running it on a cluster",
    "## Training speed: our loop vs `transformers.Trainer`",
    "## Memory: the labeller streams",
]

# Stands in for `python -m claimtype label`: one output row per input line; "fails" with 2 Ray actors.
FAKE_LABEL = (
    "import sys; args = dict(a.split('=', 1) for a in sys.argv[1:]); "
    "args.get('ray.concurrency') == '2' and sys.exit('error: no second actor here'); "
    "open(args['output'], 'w').writelines(open(args['input']).readlines())"
)


def fake_label_command(model_dir, input_path, output, inference, *overrides):
    return [sys.executable, "-c", FAKE_LABEL, f"input={input_path}", f"output={output}", *overrides]


def write_articles(data_dir: Path, gold: Path) -> None:
    """A tiny article file: real gold sentences joined into one-line articles, as war_media's are,
    the last one longer than the splitter's window; an article of another corpus first."""
    sentences = [row["text"] for row in read_jsonl(gold)][:200]
    articles = [{"doc_id": "other-1", "corpus": "fnc1", "text": " ".join(sentences[:5])}]
    for i in range(3):
        text = " ".join(sentences[i * 6 : i * 6 + 6])
        articles.append({"doc_id": f"wm-{i}", "corpus": "war_media", "text": text})
    articles.append({"doc_id": "wm-long", "corpus": "war_media", "text": " ".join(sentences[40:200])})
    write_jsonl_gz(data_dir / ARTICLES_FILE, articles)


@pytest.fixture(scope="module")
def tiny_run(tiny_base, tiny_checkpoint, small_gold, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("benchmark")
    write_articles(tmp / "data", small_gold)
    readme = tmp / "README.md"
    readme.write_text(f"# Project\n\n{README_START}\nold\n{README_END}\n\nAfter.\n", encoding="utf-8")
    overrides = [
        f"paths.data_dir={tmp / 'data'}",
        f"model.name_or_path={tiny_base}",
        "model.max_length=32",
        f"data.gold_path={small_gold}",
        f"data.processed_dir={tmp / 'processed'}",
        "trainer.batch_size=64",
        "inference.batch_size=16",
        "inference.threads=1",  # two threads on a busy 2-core machine run several times slower
        f"model_dir={shutil.copytree(tiny_checkpoint, tmp / 'model')}",
        f"output_dir={tmp / 'out'}",
        f"docs_path={tmp / 'docs' / 'benchmarks.md'}",
        f"readme_path={readme}",
        "tfidf.C=[1.0]",
        "setfit.enabled=false",
        "speed.sentences=40",
        "speed.repeats=1",
        "speed.chunk=20",
        "speed.pipeline_batch_size=8",
        f"speed.quantize=[{QUANTIZE_MODES[-1]}]",  # with fp32: every backend's fastest mode, one ONNX export
        "memory.articles=2",
        "memory.factor=3",
        "end_to_end.articles=2",
        "end_to_end.repeats=1",
        "split_time.repeats=1",
        "ray.repeats=2",
    ]
    threads = torch.get_num_threads()  # the run sets inference.threads for the whole process
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(memory, "label_command", fake_label_command)
            patch.setattr(end_to_end, "label_command", fake_label_command)
            patch.setattr(end_to_end, "ray_unavailable", lambda: None)
            report = run_benchmark(
                compose_config("benchmark", overrides),
                compose_config("train", []),
                "claimtype benchmark (tiny)",
            )
    finally:
        torch.set_num_threads(threads)
    return report, tmp


def test_every_part_runs_into_typed_results(tiny_run):
    report, _ = tiny_run
    assert [m.name.split(" (")[0] for m in report.methods[:3]] == [
        "rules",
        "TF-IDF word + char n-grams + LR",
        "frozen base encoder",
    ]
    speed = report.inference_speed
    labellers = [p.name for p in speed.paths[1:]]
    assert speed.paths[0].name == "pipeline" and labellers[0] == "fp32"
    assert len(labellers) + len(speed.not_run) == 1 + len(BACKENDS)  # fp32 + each backend's last mode
    assert len(labellers) > 1 and all(reason for reason in speed.not_run.values())
    assert [m.name for m in report.methods[3:]] == [f"fine-tuned transformer, {name}" for name in labellers]
    assert [v.name for v in report.headline.variants] == labellers[1:]
    assert all(v.quantized for v in report.headline.variants)
    # Same checkpoint, same truncation: the fp32 labeller and pipeline pick the same labels.
    assert speed.paths[1].agreement_with_pipeline == 1.0
    assert (speed.sentences, speed.max_length, speed.batch_size, speed.chunk) == (40, 64, 16, 20)
    for path in speed.paths[1:]:
        assert path.speedup == pytest.approx(speed.paths[0].median_seconds / path.median_seconds)

    training = report.training_speed
    assert training.ratio == pytest.approx(training.ours.sentences_per_s / training.trainer.sentences_per_s)
    assert [(run.articles, run.sentences) for run in report.memory.runs] == [(2, 2), (6, 6)]

    e2e = report.end_to_end
    assert (e2e.corpus, e2e.articles, e2e.skipped_articles, e2e.repeats) == ("war_media", 2, 0, 1)
    assert e2e.sentences >= 4 and len(e2e.labeller_seconds) == len(e2e.predict_seconds) == 1
    assert e2e.vs_pipeline == pytest.approx(e2e.pipeline_seconds[0] / e2e.labeller_seconds[0])
    assert e2e.vs_predict == pytest.approx(e2e.predict_seconds[0] / e2e.labeller_seconds[0])
    split = report.split
    assert (
        split.doc_id == "wm-long" and split.longest_line == split.characters > 5000 and split.sentences > 100
    )

    local, one, two = report.engines.runs
    assert [run.actors for run in report.engines.runs] == [None, 1, 2]
    assert (local.status, local.vs_local, local.sentences, len(local.seconds)) == ("measured", 1.0, 2, 2)
    assert one.overrides == ["engine=ray", "ray.concurrency=1"] and one.status == "measured"
    assert one.vs_local == pytest.approx(local.median_seconds / one.median_seconds)
    assert (two.status, two.reason) == ("failed", "exited with 1: error: no second actor here")


def test_the_json_is_the_typed_report_and_the_pages_render_every_section(tiny_run):
    report, tmp = tiny_run
    assert json.loads((tmp / "out" / "benchmark.json").read_text()) == json.loads(json.dumps(asdict(report)))
    page = (tmp / "out" / "benchmark.md").read_text()
    assert (tmp / "docs" / "benchmarks.md").read_text() == page
    assert [section for section in SECTIONS if section not in page] == []
    assert "Command: `claimtype benchmark (tiny)`" in page
    assert (
        "| ray, 2 actors | `engine=ray ray.concurrency=2` | failed: exited with 1: error: no second" in page
    )
    readme = (tmp / "README.md").read_text()
    assert readme.startswith(f"# Project\n\n{README_START}\n") and readme.endswith(
        f"{README_END}\n\nAfter.\n"
    )
    assert "old" not in readme and "- labeller vs pipeline: " in readme

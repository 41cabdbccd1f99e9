"""`claimtype readme` splices the quickstart figures between the README's markers, nothing else."""

import json

import pytest

from claimtype.labels import LABELS
from claimtype.readme import END, START, update_readme


def _metrics(macro_f1: float) -> dict:
    return {
        "macro_f1": macro_f1,
        "accuracy": 0.9,
        "per_label": {label: {"f1": 0.5, "support": 3} for label in LABELS},
        "temperature": 1.2,
        "ece": 0.03,
        "ece_uncalibrated": 0.06,
        "n": 12,
        "model_dir": "experiments/quickstart/model",
    }


def test_readme_block_is_replaced_and_the_rest_kept(tmp_path):
    run = tmp_path / "run"
    (run / "test_cue").mkdir(parents=True)
    (run / "metrics.json").write_text(json.dumps(_metrics(0.5)))
    (run / "test_cue" / "metrics.json").write_text(json.dumps(_metrics(0.7)))
    epochs = [{"epoch": 1, "val_macro_f1": 0.4}, {"epoch": 2, "val_macro_f1": 0.6}]
    (run / "metrics.jsonl").write_text("".join(json.dumps(e) + "\n" for e in epochs))
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\n{START}\nold\n{END}\n\nAfter.\n", encoding="utf-8")
    assert update_readme(run, readme) == (0.5, 0.7)
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# Title\n\n" + START) and text.endswith(END + "\n\nAfter.\n")
    assert "old" not in text
    assert "| **macro-F1** | **0.5000** | **0.7000** |" in text
    assert "| best validation macro-F1 (complete articles, epoch 2) | 0.6000 |  |" in text


def test_a_readme_without_markers_is_refused(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# no markers\n")
    run = tmp_path / "run"
    (run / "test_cue").mkdir(parents=True)
    for path in (run / "metrics.json", run / "test_cue" / "metrics.json"):
        path.write_text(json.dumps(_metrics(0.5)))
    (run / "metrics.jsonl").write_text("")
    with pytest.raises(ValueError, match="no generated-block markers"):
        update_readme(run, readme)

"""A student trained on gold plus a teacher's soft labels, with article context (tiny random BERT)."""

import json

from helpers import compose_config, write_teacher_file
from test_training import tiny_overrides

from claimtype.modeling import read_metadata
from claimtype.training import train


def test_student_trains_on_teacher_rows_with_title_and_neighbours(tiny_base, small_gold, tmp_path):
    teacher_path = tmp_path / "teacher.jsonl"
    write_teacher_file(teacher_path, small_gold, next_text="", title="A title")
    gold = [json.loads(line) for line in small_gold.read_text().splitlines()]
    gold_with_context = tmp_path / "gold.jsonl"  # a gold file that carries next_text and title itself
    gold_with_context.write_text(
        "".join(json.dumps({**r, "next_text": "", "title": "T"}) + "\n" for r in gold)
    )
    overrides = [
        *tiny_overrides(tiny_base, gold_with_context, tmp_path),
        f"paths.run_dir={tmp_path / 'run'}",
        f"data.teacher_path={teacher_path}",
        "data.use_teacher=true",
        "data.teacher_weight=0.5",
        "data.context=title+previous+next",
        "trainer.distill_temperature=2.0",
    ]
    model_dir = train(compose_config("train", overrides))
    metadata = read_metadata(model_dir)
    assert metadata["context"] == "title+previous+next" and metadata["context_format"] == 2
    assert metadata["config"]["data"]["use_teacher"] is True
    record = json.loads((tmp_path / "run" / "metrics.jsonl").read_text().splitlines()[0])
    assert record["train_loss"] > 0

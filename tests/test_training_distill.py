"""A student trained on gold plus a teacher's soft labels, with article context (tiny random BERT)."""

import json

from helpers import compose_config
from test_training import tiny_overrides

from claimtype.labels import LABELS
from claimtype.modeling import read_metadata
from claimtype.training import train


def test_student_trains_on_teacher_rows_with_title_and_neighbours(tiny_base, small_gold, tmp_path):
    gold = [json.loads(line) for line in small_gold.read_text().splitlines()]
    teacher = [
        {
            **row,
            "sentence_id": f"{row['doc_id']}:t{i}",
            "text": f"Officials said claim {i} was false.",
            "next_text": "",
            "title": "A title",
            "label": LABELS[1],
            "probs": [0.1, 0.6, 0.2, 0.1],
            "annotator": "teacher-test",
        }
        for i, row in enumerate(gold)
    ]
    teacher_path = tmp_path / "teacher.jsonl"
    teacher_path.write_text("".join(json.dumps(r) + "\n" for r in teacher))
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

"""A teacher's soft labels in the dataset: train only, never from a held-out article or text."""

import json

import pytest
from helpers import compose_config

from claimtype.data import annotation_kind, build_dataset, build_dataset_from_config, load_annotations
from claimtype.labels import LABELS

PROBS = [0.1, 0.2, 0.3, 0.4]


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _teacher_rows(gold: list[dict]) -> list[dict]:
    """One teacher row per gold article and one per gold text: some must be filtered out."""
    rows = []
    for i, row in enumerate(gold):
        rows.append(
            {
                **row,
                "sentence_id": f"{row['doc_id']}:t{i}",
                "text": f"unlabelled sentence {i}" if i % 2 else row["text"],
                "label": LABELS[3],
                "probs": PROBS,
                "annotator": "teacher-run1",
            }
        )
    return rows


def test_teacher_rows_join_train_only_with_their_probabilities(small_gold, tmp_path):
    gold = [json.loads(line) for line in small_gold.read_text().splitlines()]
    teacher_path = _write(tmp_path / "teacher.jsonl", _teacher_rows(gold))
    dataset = build_dataset(
        small_gold, tmp_path / "p", seed=13, teacher_path=teacher_path, teacher_weight=0.5
    )
    held_out_docs = {d for split in dataset if split != "train" for d in dataset[split]["doc_id"]}
    held_out_texts = {t for split in dataset if split != "train" for t in dataset[split]["text"]}
    teacher = [r for r in dataset["train"] if r["annotator"] == "teacher-run1"]
    assert teacher, "teacher rows of train articles are used"
    assert not {r["doc_id"] for r in teacher} & held_out_docs
    assert not {r["text"] for r in teacher} & held_out_texts
    assert all(r["weight"] == 0.5 and r["soft"] == pytest.approx(PROBS) for r in teacher)
    for split in dataset:
        if split != "train":
            assert not any(a.startswith("teacher-") for a in dataset[split]["annotator"])
            assert all(sum(soft) == 0 for soft in dataset[split]["soft"])  # hard gold labels only
    gold_train = [r for r in dataset["train"] if not r["annotator"].startswith("teacher-")]
    assert all(sum(r["soft"]) == 0 for r in gold_train)


def test_teacher_and_gold_files_refuse_each_others_rows(small_gold, tmp_path):
    gold = [json.loads(line) for line in small_gold.read_text().splitlines()]
    teacher = _teacher_rows(gold[:2])
    with pytest.raises(ValueError, match="gold file holds a row annotated by 'teacher-run1'"):
        load_annotations(_write(tmp_path / "g.jsonl", [*gold[:2], teacher[0]]))
    with pytest.raises(ValueError, match="teacher file holds a row annotated by"):
        load_annotations(_write(tmp_path / "t.jsonl", [gold[0]]), "teacher")
    with pytest.raises(ValueError, match="needs probs"):
        load_annotations(_write(tmp_path / "t2.jsonl", [{**teacher[0], "probs": [1.0, 0.5]}]), "teacher")


def test_shipped_teacher_file_holds_no_held_out_article_or_text(tmp_path):
    """Issue 11: the kept teacher file (data/teacher/teacher.jsonl) touches no validation, test or
    test_cue article, as a file and after the dataset builder joins it to train."""
    cfg = compose_config("train", ["data.use_teacher=true", f"data.processed_dir={tmp_path / 'processed'}"])
    shipped = load_annotations(cfg.data.teacher_path, "teacher")
    assert len(shipped) > 1000
    assert all(sum(row["probs"]) == pytest.approx(1.0, abs=1e-4) for row in shipped)
    dataset = build_dataset_from_config(cfg.data)
    held_out = [split for split in dataset if split != "train"]
    assert set(held_out) == {"validation", "test", "test_cue"}
    held_out_docs = {doc for split in held_out for doc in dataset[split]["doc_id"]}
    held_out_texts = {text for split in held_out for text in dataset[split]["text"]}
    assert not {row["doc_id"] for row in shipped} & held_out_docs
    gold_ids = {row["sentence_id"] for row in load_annotations(cfg.data.gold_path)}
    assert not {row["sentence_id"] for row in shipped} & gold_ids
    for split in held_out:
        assert "teacher" not in {annotation_kind(a) for a in dataset[split]["annotator"]}
    taught_texts = {
        text
        for text, annotator in zip(dataset["train"]["text"], dataset["train"]["annotator"], strict=True)
        if annotation_kind(annotator) == "teacher"
    }
    assert taught_texts, "the builder joins the shipped teacher rows to train"
    assert not taught_texts & held_out_texts


def test_capped_teacher_sample_can_keep_every_rare_label(small_gold, tmp_path):
    """teacher_max_rows samples the file's mix; teacher_rare_first keeps every non-assertion row first."""
    gold = [json.loads(line) for line in small_gold.read_text().splitlines()]
    rows = _teacher_rows(gold)
    for i, row in enumerate(rows):
        row["label"] = LABELS[1] if i % 10 == 0 else LABELS[0]
    teacher_path = _write(tmp_path / "teacher.jsonl", rows)

    def teacher_labels(**options) -> list[str]:
        dataset = build_dataset(small_gold, tmp_path / "p", seed=13, teacher_path=teacher_path, **options)
        return [LABELS[r["label"]] for r in dataset["train"] if r["annotator"] == "teacher-run1"]

    every = teacher_labels()
    rare = every.count(LABELS[1])
    cap = rare + 2
    assert len(every) > cap and rare > 1
    rare_first = teacher_labels(teacher_max_rows=cap, teacher_rare_first=True)
    assert len(rare_first) == cap and rare_first.count(LABELS[1]) == rare
    assert teacher_labels(teacher_max_rows=rare - 1, teacher_rare_first=True) == [LABELS[1]] * (rare - 1)
    uniform = teacher_labels(teacher_max_rows=cap)
    assert len(uniform) == cap and uniform.count(LABELS[1]) < rare  # the file's mix: mostly assertions

"""Collect training runs (single runs and multirun jobs) into one table ranked by validation macro-F1.

`python scripts/collect_runs.py experiments/sweep_ablation [experiments/other ...] [--out table.md]`
A run is a folder with `model/claimtype.json`; its test figures come from `metrics.json` when the
run was evaluated (train.py with `test=true`, or scripts/evaluate.py into the run folder).
"""

import argparse
import json
from pathlib import Path

import yaml

from claimtype.io import atomic_write_text
from claimtype.labels import LABELS


def find_runs(roots: list[Path]) -> list[Path]:
    return sorted({p.parent.parent for root in roots for p in root.glob("**/model/claimtype.json")})


def describe(run: Path) -> dict:
    metadata = json.loads((run / "model" / "claimtype.json").read_text())
    overrides_file = run / ".hydra" / "overrides.yaml"
    overrides = yaml.safe_load(overrides_file.read_text()) if overrides_file.is_file() else []
    shown = [o for o in overrides if not o.startswith(("paths.", "hydra."))]
    test_file = run / "metrics.json"
    test = json.loads(test_file.read_text()) if test_file.is_file() else None
    return {
        "run": str(run),
        "command": " ".join(shown) or "(defaults)",
        "epoch": metadata.get("epoch"),
        "val_macro_f1": metadata.get("val_macro_f1"),
        "test_macro_f1": test["macro_f1"] if test else None,
        "test_f1": {label: test["per_label"][label]["f1"] for label in LABELS} if test else None,
        "ece": test.get("ece") if test else None,
    }


def render(rows: list[dict]) -> str:
    header = [
        "rank",
        "command (`python scripts/train.py ...`)",
        "best epoch",
        "val macro-F1",
        "test macro-F1",
        *[f"test F1 {label}" for label in LABELS],
        "test ECE",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for rank, row in enumerate(rows, 1):
        test = row["test_f1"] or {}
        cells = [
            rank,
            f"`{row['command']}`",
            row["epoch"],
            f"{row['val_macro_f1']:.4f}",
            f"{row['test_macro_f1']:.4f}" if row["test_macro_f1"] is not None else "n/a",
            *[f"{test[label]:.3f}" if test else "n/a" for label in LABELS],
            f"{row['ece']:.4f}" if row["ece"] is not None else "n/a",
        ]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("roots", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, help="also write the table (Markdown) here")
    args = parser.parse_args()
    runs = find_runs(args.roots)
    if not runs:
        raise SystemExit(f"error: no runs (model/claimtype.json) under {', '.join(map(str, args.roots))}")
    rows = sorted((describe(run) for run in runs), key=lambda r: -(r["val_macro_f1"] or 0))
    table = render(rows)
    print(table)
    if args.out:
        atomic_write_text(args.out, table)

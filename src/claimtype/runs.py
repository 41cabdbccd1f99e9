"""Training runs side by side: one row per run ranked by validation macro-F1, or one row per setting
with the mean ± sd over its seeds (the model ladder, docs/experiments.md).

    claimtype runs experiments/ablation_*            # one row per run
    claimtype runs experiments/ladder* --seeds       # runs that differ only in seed=... pooled

A run is a folder with ``model/claimtype.json``; its test figures come from ``metrics.json`` and its
test_cue figures from ``test_cue/metrics.json`` when the run was evaluated (``test=true`` writes both).
"val macro-F1" is the plain argmax at the best epoch; "val corrected" adds the prior correction, whose
strength was fitted on validation itself (optimistic); the test figures are the checkpoint's decisions,
correction included.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException

from claimtype.io import atomic_write_text
from claimtype.labels import LABELS
from claimtype.markdown import cell, table

# Overrides that name where a run goes, which seed it drew or whether it was also evaluated on
# test, not what it trains.
NOT_A_SETTING = ("paths.", "hydra.", "name=", "seed=", "overwrite=", "test=")


@dataclass(frozen=True)
class RunFigures:
    """What one run measured: validation macro-F1 of its best epoch, and the test figures if evaluated."""

    run: Path
    overrides: tuple[str, ...]
    epoch: int | None
    val_macro_f1: float  # plain argmax at the best epoch (what picks the epoch)
    val_macro_f1_corrected: float | None  # with the prior correction, whose strength was fitted on it
    test_macro_f1: float | None
    test_f1: dict[str, float] | None
    test_cue_macro_f1: float | None
    test_ece: float | None

    @property
    def command(self) -> str:
        return " ".join(o for o in self.overrides if not o.startswith(("paths.", "hydra."))) or "(defaults)"

    @property
    def setting(self) -> str:
        """The command without its seed and run name, each override as Hydra reads it: what runs of
        one setting share, whether a single run or a multirun (which records ``true`` as ``True``)."""
        settings = [canonical_override(o) for o in self.overrides if not o.startswith(NOT_A_SETTING)]
        return " ".join(settings) or "(defaults)"


@functools.cache
def _override_parser() -> OverridesParser:
    return OverridesParser.create()


def canonical_override(override: str) -> str:
    """``key=value`` with the value as Hydra parses it (``true`` -> ``True``, ``3e-5`` -> ``3e-05``);
    an override it cannot render as one value (a deletion, a sweep) is kept as written."""
    if override.startswith("~"):
        return override
    try:
        parsed = _override_parser().parse_override(override)
        return f"{parsed.get_key_element()}={parsed.get_value_element_as_str()}"
    except HydraException:  # unparsable, or a sweep (a,b,c)
        return override


def find_runs(roots: Sequence[Path]) -> list[Path]:
    return sorted({p.parent.parent for root in roots for p in Path(root).glob("**/model/claimtype.json")})


def _read_json(path: Path) -> dict | None:
    return json.loads(path.read_text()) if path.is_file() else None


def read_run(run: Path) -> RunFigures:
    metadata = json.loads((run / "model" / "claimtype.json").read_text())
    overrides_file = run / ".hydra" / "overrides.yaml"
    overrides = yaml.safe_load(overrides_file.read_text()) if overrides_file.is_file() else []
    test, test_cue = _read_json(run / "metrics.json"), _read_json(run / "test_cue" / "metrics.json")
    return RunFigures(
        run=run,
        overrides=tuple(overrides or ()),
        epoch=metadata.get("epoch"),
        val_macro_f1=metadata["val_macro_f1"],
        val_macro_f1_corrected=metadata.get("prior_correction", {}).get("val_macro_f1_corrected"),
        test_macro_f1=test["macro_f1"] if test else None,
        test_f1={label: test["per_label"][label]["f1"] for label in LABELS} if test else None,
        test_cue_macro_f1=test_cue["macro_f1"] if test_cue else None,
        test_ece=test.get("ece") if test else None,
    )


def _number(value: float | None, digits: int) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def runs_table(runs: Sequence[RunFigures]) -> str:
    """One row per run, best validation macro-F1 first."""
    header = [
        "rank",
        "command (`claimtype train ...`)",
        "best epoch",
        "val macro-F1",
        "val corrected",
        "test macro-F1",
        *[f"test F1 {label}" for label in LABELS],
        "test_cue macro-F1",
        "test ECE",
    ]
    ranked = sorted(runs, key=lambda r: -r.val_macro_f1)
    rows = [
        [
            rank,
            f"`{cell(r.command)}`",
            r.epoch,
            _number(r.val_macro_f1, 4),
            _number(r.val_macro_f1_corrected, 4),
            _number(r.test_macro_f1, 4),
            *[_number(r.test_f1[label] if r.test_f1 else None, 3) for label in LABELS],
            _number(r.test_cue_macro_f1, 4),
            _number(r.test_ece, 4),
        ]
        for rank, r in enumerate(ranked, 1)
    ]
    return table(header, rows)


def mean_sd(values: Sequence[float | None], digits: int) -> str:
    """``mean ± sd`` (sample sd) of the values present; ``n/a`` when a run lacks the figure."""
    if not values or any(v is None for v in values):
        return "n/a"
    mean = statistics.fmean(values)
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{mean:.{digits}f} ± {sd:.{digits}f}"


def seeds_table(runs: Sequence[RunFigures]) -> str:
    """One row per setting (runs that differ only in seed or name), mean ± sd over its runs, best
    mean validation macro-F1 first."""
    by_setting: dict[str, list[RunFigures]] = {}
    for r in runs:
        by_setting.setdefault(r.setting, []).append(r)
    header = [
        "setting (`claimtype train ...`)",
        "seeds",
        "val macro-F1",
        "val corrected",
        "test macro-F1",
        *[f"test F1 {label}" for label in LABELS],
        "test_cue macro-F1",
    ]
    ordered = sorted(by_setting.items(), key=lambda item: -statistics.fmean(r.val_macro_f1 for r in item[1]))
    rows = [
        [
            f"`{cell(setting)}`",
            len(group),
            mean_sd([r.val_macro_f1 for r in group], 4),
            mean_sd([r.val_macro_f1_corrected for r in group], 4),
            mean_sd([r.test_macro_f1 for r in group], 4),
            *[mean_sd([r.test_f1[label] if r.test_f1 else None for r in group], 3) for label in LABELS],
            mean_sd([r.test_cue_macro_f1 for r in group], 4),
        ]
        for setting, group in ordered
    ]
    return table(header, rows)


def main(argv: Sequence[str] | None = None, prog: str | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=prog, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("roots", nargs="+", type=Path, help="folders holding runs (searched recursively)")
    parser.add_argument("--seeds", action="store_true", help="pool runs that differ only in seed: mean ± sd")
    parser.add_argument("--out", type=Path, help="also write the table (Markdown) here")
    args = parser.parse_args(argv)
    runs = [read_run(run) for run in find_runs(args.roots)]
    if not runs:
        raise FileNotFoundError(f"no runs (model/claimtype.json) under {', '.join(map(str, args.roots))}")
    rendered = (seeds_table(runs) if args.seeds else runs_table(runs)) + "\n"
    print(rendered, end="")
    if args.out:
        atomic_write_text(args.out, rendered)
    return 0

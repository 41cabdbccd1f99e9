#!/usr/bin/env bash
# The model ladder of docs/experiments.md in one go. Each rung is the default (experiment=quickstart)
# plus one change, at three seeds; every run also evaluates test and test_cue (test=true). Meant for
# a GPU: on a 2-core CPU one MiniLM run takes ~20 min (with context ~35) and one mpnet run ~2 h.
#
#   scripts/ladder.sh [RUNG ...]     RUNG: 1 2 3 4 (default: all four, in order)
#     1  MiniLM, the sentence alone      (the default)
#     2  MiniLM + article context        data.context=$CONTEXT
#     3  mpnet teacher + context         model=mpnet (make mpnet), lr 3e-5, batch 16
#     4  distilled MiniLM student        the best rung-3 seed labels the train articles' unlabelled
#                                        sentences (claimtype data teacher), data.use_teacher=true
#
# Settings from the environment: SEEDS (default 42,1,2), CONTEXT (default previous), TEACHER (rung 4's
# teacher checkpoint; default the rung-3 seed with the best validation macro-F1), CLAIMTYPE (default
# .venv/bin/claimtype), EXTRA (overrides added to every training run, e.g. "trainer.threads=1"),
# TEACHER_EXTRA (overrides of the teacher labelling, e.g. "max_articles=200").
# Ends with the table: claimtype runs experiments/ladder_* --seeds --out experiments/ladder.md
set -euo pipefail

SEEDS=${SEEDS:-42,1,2}
CONTEXT=${CONTEXT:-previous}
CLAIMTYPE=${CLAIMTYPE:-.venv/bin/claimtype}
EXPERIMENTS=${CLAIMTYPE_ROOT:-.}/experiments
read -r -a EXTRA <<<"${EXTRA:-}"
read -r -a TEACHER_EXTRA <<<"${TEACHER_EXTRA:-}"
RUNGS=("$@")
[ ${#RUNGS[@]} -gt 0 ] || RUNGS=(1 2 3 4)

rung() {  # name, then the rung's own overrides
    local name=$1
    shift
    echo "== $name: $*"
    "$CLAIMTYPE" train -m experiment=quickstart test=true name="$name" seed="$SEEDS" "$@" "${EXTRA[@]}"
}

best_seed() {  # the run folder of a multirun with the best validation macro-F1
    "$(dirname "$CLAIMTYPE")/python" -c '
import sys
from pathlib import Path
from claimtype.runs import find_runs, read_run
runs = [read_run(run) for run in find_runs([Path(sys.argv[1])])]
if not runs:
    sys.exit(f"error: no finished runs under {sys.argv[1]}: run rung 3 first, or set TEACHER")
print(max(runs, key=lambda r: r.val_macro_f1).run)' "$1"
}

for r in "${RUNGS[@]}"; do
    case $r in
        1) rung ladder_minilm ;;
        2) rung ladder_minilm_context data.context="$CONTEXT" ;;
        3) rung ladder_mpnet_context model=mpnet data.context="$CONTEXT" trainer.lr=3e-5 trainer.batch_size=16 ;;
        4)
            teacher=${TEACHER:-$(best_seed "$EXPERIMENTS/ladder_mpnet_context")/model}
            echo "== teacher labels from $teacher"
            "$CLAIMTYPE" data teacher model_dir="$teacher" "${TEACHER_EXTRA[@]}"
            rung ladder_student_context data.context="$CONTEXT" data.use_teacher=true
            ;;
        *) echo "error: unknown rung $r (1 2 3 4)" >&2; exit 2 ;;
    esac
done
"$CLAIMTYPE" runs "$EXPERIMENTS"/ladder_* --seeds --out "$EXPERIMENTS/ladder.md"

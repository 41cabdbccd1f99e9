#!/usr/bin/env bash
# The model ladder of docs/experiments.md in one go. Each rung is the default (experiment=quickstart)
# plus one change, at three seeds; every run also evaluates test and test_cue (test=true). Meant for
# a GPU: on a 2-core CPU one MiniLM run takes ~20 min (with context ~26) and one mpnet run ~1 h.
# The defaults are the recipes behind the documented rows, so new seeds pool with the old ones.
#
#   scripts/ladder.sh [RUNG ...]     RUNG: 1 2 3 4 (default: all four, in order)
#     1  MiniLM, the sentence alone      (the default)                       experiments/ladder_minilm
#     2  MiniLM + article context        data.context=$CONTEXT               experiments/ladder_context
#     3  mpnet teacher                   model=mpnet (make mpnet), lr 3e-5, batch 16, $MPNET_EPOCHS
#                                        epochs, data.context=$TEACHER_CONTEXT experiments/ladder_mpnet
#     4  distilled MiniLM student        data.use_teacher=true on the teacher's soft labels of train
#                                        articles (data/teacher/teacher.jsonl)  experiments/ladder_student
#
# Settings from the environment: SEEDS (default 42,1,2), CONTEXT (rung 2's context, default previous),
# TEACHER_CONTEXT (rungs 3 and 4, default none: rung 2 showed no gain), MPNET_EPOCHS (default 2: the
# documented rung-3 row; a GPU affords 4, but then start a new row: its seeds do not pool with it),
# TEACHER (rung 4's soft labels: unset = the kept data/teacher/teacher.jsonl when it exists, else
# "best"; "best" = label afresh with the rung-3 seed of the best validation macro-F1; or a checkpoint
# folder to label with; labelling rewrites data/teacher/teacher.jsonl), CLAIMTYPE (default
# .venv/bin/claimtype), EXTRA (overrides added to every training run, e.g. "trainer.threads=1"),
# TEACHER_EXTRA (overrides of the teacher labelling, default "max_articles=200" as documented).
# Ends with the table: claimtype runs experiments/ladder_* --seeds --out experiments/ladder.md
set -euo pipefail

SEEDS=${SEEDS:-42,1,2}
CONTEXT=${CONTEXT:-previous}
TEACHER_CONTEXT=${TEACHER_CONTEXT:-none}
MPNET_EPOCHS=${MPNET_EPOCHS:-2}
CLAIMTYPE=${CLAIMTYPE:-.venv/bin/claimtype}
EXPERIMENTS=${CLAIMTYPE_ROOT:-.}/experiments
read -r -a EXTRA <<<"${EXTRA:-}"
read -r -a TEACHER_EXTRA <<<"${TEACHER_EXTRA-max_articles=200}"
KEPT_TEACHER_FILE=${CLAIMTYPE_ROOT:-.}/data/teacher/teacher.jsonl
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

# Rungs 3 and 4 name a context only when there is one, so their overrides (what `claimtype runs
# --seeds` pools by) match the documented rows'.
TEACHER_CONTEXT_OVERRIDE=()
[ "$TEACHER_CONTEXT" = none ] || TEACHER_CONTEXT_OVERRIDE=(data.context="$TEACHER_CONTEXT")

for r in "${RUNGS[@]}"; do
    case $r in
        1) rung ladder_minilm ;;
        2) rung ladder_context data.context="$CONTEXT" ;;
        3)
            rung ladder_mpnet model=mpnet "${TEACHER_CONTEXT_OVERRIDE[@]}" trainer.lr=3e-5 \
                trainer.batch_size=16 trainer.epochs="$MPNET_EPOCHS"
            ;;
        4)
            if [ -z "${TEACHER:-}" ] && [ -f "$KEPT_TEACHER_FILE" ]; then
                echo "== teacher labels: the kept $KEPT_TEACHER_FILE (TEACHER=best labels afresh)"
            else
                teacher=${TEACHER:-best}
                if [ "$teacher" = best ]; then
                    teacher=$(best_seed "$EXPERIMENTS/ladder_mpnet")/model
                fi
                echo "== teacher labels from $teacher"
                "$CLAIMTYPE" data teacher model_dir="$teacher" "${TEACHER_EXTRA[@]}"
            fi
            rung ladder_student "${TEACHER_CONTEXT_OVERRIDE[@]}" data.use_teacher=true
            ;;
        *) echo "error: unknown rung $r (1 2 3 4)" >&2; exit 2 ;;
    esac
done
"$CLAIMTYPE" runs "$EXPERIMENTS"/ladder_* --seeds --out "$EXPERIMENTS/ladder.md"

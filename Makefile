# The course's commands. Each target sets up what it needs: only Python 3.11 and make are assumed.
# `make help` lists them.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NOTEBOOKS := chapters exercises
NBVAL := $(BIN)/pytest --nbval $(NOTEBOOKS) --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=300 -p no:cacheprovider

.PHONY: help venv book test lab clean freeze bench practice student

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 12

# The virtual environment is (re)built when it is missing or older than requirements.txt.
$(STAMP): requirements.txt pyproject.toml
	@echo "==> Setting up $(VENV) from requirements.txt (first run only: a few minutes)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . \
	  || $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@MPLBACKEND=Agg $(BIN)/python -c "import matplotlib.pyplot"  # build matplotlib's font cache now, not inside a notebook
	@touch $(STAMP)

venv: $(STAMP)  ## create the virtual environment only

book: $(STAMP)  ## build the website into _build/html (notebooks executed, cached)
	@echo "==> Building the book into _build/html (-n -W --keep-going; cached notebooks are not re-run)"
	@$(BIN)/jupyter-book build . --builder html -n -W --keep-going

test: $(STAMP)  ## every test: ruff, unit tests, nbval over every notebook, the book build, the browser tests
	@echo "==> ruff: lint nnlib, grader, tests, scripts and the notebooks"
	@$(BIN)/ruff check .
	@echo "==> pytest: unit tests of nnlib and the grader"
	@$(BIN)/pytest tests --ignore=tests/browser
	@echo "==> nbval: run every notebook in $(NOTEBOOKS) and compare with its committed outputs"
	@$(NBVAL)
	@$(MAKE) --no-print-directory book
	@echo "==> browser: every page of _build/html in headless Chromium, with no network"
	@bash scripts/ensure_chromium.sh
	@$(BIN)/pytest tests/browser -p no:cacheprovider -s

bench: $(STAMP)  ## benchmarks (not tests): one training step vs raw matmul; grading speed
	@echo "==> Benchmark: one training step of a 784-256-10 MLP against numpy's raw matmul"
	@$(BIN)/python scripts/bench_training.py
	@echo "==> Benchmark: grading one submission, and 100 with --jobs 2"
	@$(BIN)/python scripts/bench_grader.py

student: $(STAMP)  ## write the student versions of the exercise notebooks into student/
	@echo "==> Writing the student notebooks (solutions stubbed, hidden checks removed) into student/"
	@$(BIN)/python -m grader release --out student

SEED ?= 0
practice: $(STAMP)  ## a fresh practice exam and its answer key: make practice SEED=7 (writes practice/)
	@echo "==> Writing practice exam $(SEED) and its key into practice/"
	@$(BIN)/python -m exam.practice --seed $(SEED) --out practice

lab: $(STAMP)  ## open the course in JupyterLab with the project's kernel
	@echo "==> Starting JupyterLab on the course (Ctrl-C to stop)"
	@$(BIN)/jupyter lab .

clean:  ## remove the built site and caches (keeps .venv)
	@echo "==> Removing _build, caches and generated student notebooks"
	@rm -rf _build .pytest_cache .ruff_cache student
	@find . -path ./.venv -prune -o -name __pycache__ -type d -exec rm -rf {} +

freeze: $(STAMP)  ## rewrite requirements.txt from the installed environment (after adding a package)
	@echo "==> Pinning the environment into requirements.txt"
	@{ head -n 3 requirements.txt; $(BIN)/python -m pip freeze --exclude-editable; } > requirements.new
	@mv requirements.new requirements.txt

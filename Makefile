# The course's commands. Each target sets up what it needs: Python 3.11.2 or newer with venv, make and git are
# assumed (README.md, "The two commands"); the scripts/ensure_*.sh install the rest. `make help` lists them.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NOTEBOOKS := chapters exercises
# Tests run in parallel (pytest-xdist). Most of the unit tests' time is spent waiting for sandboxed kernels, so
# they take more workers than a small machine has cores. A test file stays on one worker (--dist loadfile): its
# module fixtures (a class run graded once for all its cases: 110-160 s) then run once, not once per worker
# (unit tests 492 s instead of 577 s here); a notebook stays on one worker (--dist loadscope).
PYTEST_WORKERS ?= 4
NBVAL_WORKERS ?= 2
NBVAL := $(BIN)/pytest --nbval $(NOTEBOOKS) --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=300 \
  -p no:cacheprovider -n $(NBVAL_WORKERS) --dist loadscope

# A stage of make test announced with the time of day, so that a slow stage shows in the log of a run
SAY = echo "==> $$(date -u +%H:%M:%S)"

.PHONY: test-js nbval-older-cpu help venv book book-students pdf test fuzz lab clean freeze bench practice student grade

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 16

# The virtual environment is (re)built when it is missing or older than requirements.txt.
$(STAMP): requirements.txt pyproject.toml
	@$(SAY) "Setting up $(VENV) from requirements.txt (first run only: a few minutes)"
	@# a .venv without pip is what `python3 -m venv` leaves where ensurepip is missing: made again
	@$(BIN)/python -m pip --version >/dev/null 2>&1 || { bash scripts/ensure_python.sh "$(PYTHON)" \
	  && rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . \
	  || $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@MPLBACKEND=Agg $(BIN)/python -c "import matplotlib.pyplot"  # build matplotlib's font cache now, not inside a notebook
	@touch $(STAMP)

venv: $(STAMP)  ## create the virtual environment only

# Notebook execution of the book builds: `cache` runs a notebook when its code changed. `make test` passes
# EXECUTE=off to the builds that follow nbval: nbval has just run every notebook and shown that its committed
# outputs are what it computes, so the sites and the PDF render those outputs instead of running everything again.
EXECUTE ?= cache
BOOK_CONFIG = $(if $(filter cache,$(EXECUTE)),_config.yml,_build/config-$(EXECUTE).yml)
_build/config-%.yml: _config.yml
	@mkdir -p _build
	@$(BIN)/python scripts/config_variant.py $@ execute.execute_notebooks=$*

book: $(STAMP) $(BOOK_CONFIG) node_modules/.package-lock.json  ## build the website into _build/html (notebooks executed, cached)
	@$(SAY) "Building the book into _build/html (-n -W --keep-going; notebooks: $(EXECUTE))"
	@$(BIN)/jupyter-book build . --config $(BOOK_CONFIG) --builder html -n -W --keep-going

# The students' site: the same book with COURSE_HIDE_SOLUTIONS=1, into _build/students/_build/html. It shares the
# main build's notebook cache (an absolute path in a generated copy of _config.yml), so nothing is executed twice.
STUDENT_SITE := _build/students
book-students: $(STAMP) $(BOOK_CONFIG) node_modules/.package-lock.json  ## the site a teacher publishes for graded work: no solutions, hidden checks or answer key
	@$(SAY) "Building the students' site (COURSE_HIDE_SOLUTIONS=1) into $(STUDENT_SITE)/_build/html"
	@mkdir -p $(STUDENT_SITE)
	@$(BIN)/python scripts/config_variant.py $(STUDENT_SITE)/_config.yml --from $(BOOK_CONFIG) \
	  execute.cache="$(CURDIR)/_build/.jupyter_cache"
	@COURSE_HIDE_SOLUTIONS=1 $(BIN)/jupyter-book build . --config $(STUDENT_SITE)/_config.yml \
	  --path-output $(STUDENT_SITE) --builder html -n -W --keep-going

test: $(STAMP)  ## every test: ruff, unit tests, nbval over every notebook, the book build, the browser tests
	@$(SAY) "ruff: lint nnlib, grader, tests, scripts and the notebooks"
	@$(BIN)/ruff check .
	@$(SAY) "pytest: unit tests of nnlib and the grader (the grader's sandbox needs bubblewrap)"
	@bash scripts/ensure_bwrap.sh
	@# MathJax in Node: the practice pages' formulas are converted at build time, and unit tests convert some
	@$(MAKE) --no-print-directory node_modules/.package-lock.json
	@$(BIN)/pytest tests --ignore=tests/browser --ignore=tests/built -n $(PYTEST_WORKERS) --dist loadfile
	@$(SAY) "doctest: the examples in nnlib's docstrings"
	@$(BIN)/pytest --doctest-modules nnlib -p no:cacheprovider
	@$(SAY) "nbval: run every notebook in $(NOTEBOOKS) and compare with its committed outputs"
	@$(NBVAL)
	@$(MAKE) --no-print-directory nbval-older-cpu
	@$(MAKE) --no-print-directory book EXECUTE=off
	@$(MAKE) --no-print-directory book-students EXECUTE=off
	@$(MAKE) --no-print-directory test-js
	@$(SAY) "built sites: exercise pages hand out student versions; the students' site holds no solution or key"
	@$(BIN)/pytest tests/built -p no:cacheprovider
	@$(MAKE) --no-print-directory pdf EXECUTE=off
	@$(SAY) "browser: every page of _build/html in headless Chromium, with no network; the PDF's pages"
	@bash scripts/ensure_chromium.sh
	@bash scripts/ensure_poppler.sh
	@bash scripts/ensure_node.sh
	@$(MAKE) --no-print-directory node_modules/.package-lock.json
	@$(BIN)/pytest tests/browser -p no:cacheprovider -s -n 2 --dist loadgroup

# The site's JavaScript under Node's own test runner (Node 18 or newer): the checker of the practice pages and the
# explorable figures, and the generated step functions against the data the book build wrote into _build/html.
test-js: node_modules/.package-lock.json  ## the JavaScript tests: node --test tests/js (after make book)
	@$(SAY) "node --test: the site's JavaScript"
	@node --test tests/js/

# The committed outputs must hold on every CPU a student has, not only on the one that wrote them: nbval again with
# OpenBLAS's kernels of an older x86 CPU, one thread, and numpy's SIMD loops above its baseline switched off.
nbval-older-cpu: $(STAMP)  ## nbval as an older CPU computes (OpenBLAS Prescott kernels, 1 thread, no AVX loops)
	@$(SAY) "nbval as an older CPU: $$($(BIN)/python scripts/older_cpu_env.py)"
	@env $$($(BIN)/python scripts/older_cpu_env.py) $(NBVAL)

# The grader's property tests with many random examples (make test runs a few, the same each time).
GRADER_FUZZ_EXAMPLES ?= 200
fuzz: $(STAMP)  ## the grader's property tests on many random submissions: make fuzz GRADER_FUZZ_EXAMPLES=1000
	@bash scripts/ensure_bwrap.sh
	@$(SAY) "Property tests of the grader, $(GRADER_FUZZ_EXAMPLES) random examples each (GRADER_FUZZ_EXAMPLES)"
	@GRADER_FUZZ_EXAMPLES=$(GRADER_FUZZ_EXAMPLES) $(BIN)/pytest tests/test_grader_outputs_property.py \
	  tests/test_grader_reader.py tests/test_grader_follow_through_own_method.py \
	  -p no:cacheprovider --hypothesis-show-statistics

# MathJax 4 for the site (_ext/mathjax4.py) and axe-core for the browser tests, pinned in package-lock.json
# (installed again only when that changes)
node_modules/.package-lock.json: package.json package-lock.json
	@bash scripts/ensure_node.sh
	@$(SAY) "npm ci: MathJax 4 for the site, axe-core for the accessibility tests"
	@npm ci --no-audit --no-fund --loglevel=error

pdf: $(STAMP) $(BOOK_CONFIG)  ## the whole book as one PDF: _build/latex/book.pdf (installs TeX Live when missing)
	@bash scripts/ensure_texlive.sh
	@$(SAY) "Building the book as a PDF into _build/latex/book.pdf (LaTeX builder, xelatex, -n -W --keep-going; notebooks: $(EXECUTE))"
	@$(BIN)/jupyter-book build . --config $(BOOK_CONFIG) --builder pdflatex -n -W --keep-going

bench: $(STAMP)  ## benchmarks (not tests): one training step vs raw matmul; grading speed
	@$(SAY) "Benchmark: one training step of a 784-256-10 MLP against numpy's raw matmul"
	@$(BIN)/python scripts/bench_training.py
	@$(SAY) "Benchmark: grading one submission, and 100 with --jobs 2"
	@$(BIN)/python scripts/bench_grader.py

# Grade one notebook against its exercise set, as the teacher will: make grade NB=student/losses.ipynb
# (SET=losses when the file is named otherwise). The notebook runs in the grader's sandbox.
NB ?=
SET ?= $(basename $(notdir $(NB)))
grade: $(STAMP)  ## grade a notebook as the teacher will: make grade NB=my_losses.ipynb SET=losses
	@test -n "$(NB)" || { echo "make grade: say which notebook, e.g. make grade NB=student/losses.ipynb"; exit 2; }
	@test -f "exercises/$(SET).ipynb" || { echo "make grade: no exercise set '$(SET)' (one of: \
	  $$(ls exercises/*.ipynb | xargs -n1 basename | sed 's/.ipynb//' | tr '\n' ' ')); pass SET=<set>"; exit 2; }
	@$(SAY) "Grading $(NB) against exercises/$(SET).ipynb"
	@# exit 1 means "graded, below full marks": a result, not a failure of make
	@status=0; $(BIN)/python -m grader grade exercises/$(SET).ipynb "$(NB)" || status=$$?; test $$status -le 1

student: $(STAMP)  ## write the student versions of the exercise notebooks into student/
	@$(SAY) "Writing the student notebooks (solutions stubbed, hidden checks removed) into student/"
	@$(BIN)/python -m grader release --out student

SEED ?= 0
practice: $(STAMP)  ## a fresh practice exam and its answer key: make practice SEED=7 (writes practice/)
	@$(SAY) "Writing practice exam $(SEED) and its key into practice/"
	@$(BIN)/python -m exam.practice --seed $(SEED) --out practice

lab: $(STAMP)  ## open the course in JupyterLab with the project's kernel
	@$(SAY) "Starting JupyterLab on the course (Ctrl-C to stop)"
	@$(BIN)/jupyter lab . $$(if [ "$$(id -u)" = 0 ]; then echo --allow-root; fi)

clean:  ## remove the built site and caches (keeps .venv)
	@$(SAY) "Removing _build and caches (the student notebooks in student/ are kept: launch buttons open them)"
	@rm -rf _build .pytest_cache .ruff_cache node_modules
	@find . -path ./.venv -prune -o -name __pycache__ -type d -exec rm -rf {} +

freeze: $(STAMP)  ## rewrite requirements.txt from the installed environment (after adding a package)
	@$(SAY) "Pinning the environment into requirements.txt"
	@{ head -n 3 requirements.txt; $(BIN)/python -m pip freeze --exclude-editable; } > requirements.new
	@mv requirements.new requirements.txt

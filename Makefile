# embedding_trainer: `make train`, `make test`, `make lab`. Each creates .venv and installs the project first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export OMP_NUM_THREADS ?= 1
export MPLBACKEND ?= Agg
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install train test check-sync lint nbtest pytest tutorials tutorial-outputs lab clean chromium screenshot

$(STAMP): setup.py settings.ini
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# torch first and pinned: this machine has a local CPU wheel of 2.13.0; an unpinned torch pulls GBs of CUDA.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e ".[dev,teacher,corpus,export]"
	touch $(STAMP)

install: $(STAMP)

train: $(STAMP)
	$(BIN)/et-train --config configs/dialogue.yaml

# The tree must not change when notebooks are exported and cleaned: the package is generated, never hand-edited;
# README.md is generated from nbs/index.ipynb (tools/readme.py, since nbdev_readme needs Quarto).
check-sync: $(STAMP)
	@before="$$(git status --porcelain --untracked-files=all; git diff | sha1sum)"; \
	$(BIN)/nbdev_export && $(BIN)/nbdev_clean; \
	after="$$(git status --porcelain --untracked-files=all; git diff | sha1sum)"; \
	if [ "$$before" != "$$after" ]; then \
	  echo "nbdev_export/nbdev_clean changed the tree: notebooks and package are out of sync:"; git status --short; exit 1; \
	else echo "export and clean leave the tree unchanged"; fi
	$(BIN)/python tools/readme.py --check

# ruff over the notebooks (the source), the tests, the tools and the generated package (settings in ruff.toml).
lint: $(STAMP)
	$(BIN)/ruff check .

# The library notebooks; the teaching notebooks in nbs/tutorials run once, in `make tutorials`.
nbtest: $(STAMP)
	$(BIN)/nbdev_test --n_workers 2 --do_print --skip_folder_re '^([_.].*|tutorials)$$'

# Two workers (pytest-xdist; a file's tests stay on one worker, so its module fixtures are built once), then the
# tests marked `serial` alone: they time themselves or drive a browser, and a neighbour would slow them.
pytest: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadfile -m 'not serial' tests/
	$(BIN)/pytest -m serial tests/

# tests/test_browser.py drives Debian's Chromium: installed here with apt-get where that can run (as root);
# where it cannot, the step says so and the browser test is skipped with the reason.
chromium:
	@if [ -x /usr/bin/chromium ]; then echo "chromium: /usr/bin/chromium"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "chromium could not be installed: the browser test will be skipped"; \
	else echo "chromium is missing and apt-get cannot run here: the browser test will be skipped"; fi

test: chromium check-sync lint nbtest pytest tutorials

# docs/dashboard.png: the dashboard after a short run of the dialogue preset, in JupyterLab in headless Chromium.
screenshot: $(STAMP) chromium
	$(BIN)/python tools/screenshot_dashboard.py --out docs/dashboard.png

# JupyterLab on the notebooks. Its kernels get matplotlib's inline backend (not the Agg exported above for the
# tests, under which plt.show() shows nothing); as root (containers) it needs --allow-root. LAB_ARGS adds options.
LAB_ARGS ?=
lab: $(STAMP)
	env -u MPLBACKEND $(BIN)/jupyter lab --notebook-dir=nbs $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

# The teaching notebooks in nbs/tutorials, on their fast test path (IN_TEST), in a real Jupyter kernel (nbval);
# their stored outputs are for reading, so nothing is compared (nbs/tutorials/conftest.py) but every check must pass.
# Two workers, one notebook each at a time (--dist loadfile keeps a notebook's cells in order, in one kernel).
tutorials: $(STAMP)
	IN_TEST=1 $(BIN)/pytest -n 2 --dist loadfile --nbval-lax --nbval-current-env -q nbs/tutorials

# Store the tutorials' outputs, figures included, so they read on GitHub: each runs on its fast path in a real
# kernel and is written back (then nbdev_clean) only if every cell ran. TUTORIALS picks some: TUTORIALS=nbs/tutorials/02*
TUTORIALS ?=
tutorial-outputs: $(STAMP)
	$(BIN)/python tools/tutorial_outputs.py $(TUTORIALS)

clean:
	rm -rf $(VENV) build dist *.egg-info

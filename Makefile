# The two commands at the top of the README:
#   make demo   builds the environment (first time only) and runs the main job
#   make test   builds the environment (first time only) and runs the tests
VENV ?= $(CURDIR)/.venv
PY := $(VENV)/bin/python
export TDMI_VENV := $(VENV)

DOCS_BUILD ?= $(CURDIR)/docs/_build/html

.PHONY: env demo test docs
env:
	@bash tools/env/setup_env.sh

demo: env
	$(PY) tools/main_job.py

test: env
	@$(PY) -m pytest tests $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: no tests were collected" >&2; fi; \
	exit $$rc

# HTML docs (Sphinx + myst-parser, warnings as errors) in $(DOCS_BUILD)
docs:
	@$(PY) -c "import sphinx, myst_parser" 2>/dev/null || { echo "make docs: Sphinx and myst-parser are missing: $(PY) -m pip install -r requirements/docs.txt (or make env)" >&2; exit 1; }
	$(PY) -m sphinx -W --keep-going -q -b html docs/en $(DOCS_BUILD)

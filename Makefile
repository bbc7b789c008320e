# The two commands at the top of the README:
#   make demo   builds the environment (first time only) and runs the main job
#   make test   builds the environment (first time only) and runs the tests
VENV ?= $(CURDIR)/.venv
PY := $(VENV)/bin/python
export TDMI_VENV := $(VENV)

.PHONY: env demo test
env:
	@bash tools/env/setup_env.sh

demo: env
	$(PY) tools/demo.py

test: env
	@$(PY) -m pytest tests $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: no tests were collected" >&2; fi; \
	exit $$rc

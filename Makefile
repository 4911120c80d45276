# ALLO — two commands matter: `make demo` and `make test`.
PYTHON ?= python3.11
BPY ?= 5.0.1
VENV ?= .venv
ifneq ($(BPY),5.0.1)
VENV := .venv-bpy$(BPY)
endif
PY := $(VENV)/bin/python
STAMP := $(VENV)/.allo-installed-$(BPY)

.PHONY: demo test test-fast bench e2e addon clean

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q bpy==$(BPY) -r requirements.txt
	$(PY) -c "import site, pathlib; pathlib.Path(site.getsitepackages()[0], 'allo-repo.pth').write_text('$(CURDIR)\\n')"
	touch $(STAMP)

venv: $(STAMP)

## Render the demo dataset on the built-in scene, then post-process it.
demo: $(STAMP)
	$(PY) -m allo_addon.headless demo

## Full test suite (fast pure tests + real-Blender tests at tiny size).
test: $(STAMP)
	$(PY) -m pytest -q tests

## Pure-Python tests only (no bpy needed).
test-fast: $(STAMP)
	$(PY) -m pytest -q tests -m "not blender"

bench: $(STAMP)
	$(PY) -m bench

addon: $(STAMP)
	$(PY) scripts/build_addon.py

e2e: $(STAMP)
	bash scripts/e2e.sh

clean:
	rm -rf build dist demo_output .pytest_cache

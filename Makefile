# ALLO — two commands matter: `make demo` and `make test`.
PYTHON ?= python3.11
BPY ?= 5.0.1
VENV ?= .venv
ifneq ($(BPY),5.0.1)
VENV := .venv-bpy$(BPY)
endif
PY := $(VENV)/bin/python
STAMP := $(VENV)/.allo-installed-$(BPY)

# The Blender-facing tests CI also runs on the older wheels (`make test-compat BPY=4.2.23`): real
# Cycles renders through allo.render_batch with their masks, twins and manifest, determinism (same
# seed, shards, a killed and resumed batch, two writers on one exp, another CPU's rounding), the
# denoiser this Cycles offers, the panel's operators against the command line, the extension zip
# installed with Blender's own installer, the version-dependent material and import code
# (scene/compat.py and test_compat.py: node trees, Mix node sockets, the 4.2 exit crash; the
# Principled BSDF inputs, the Sun's emission sampling, glTF/FBX/OBJ importers),
# Blender's limits behind the config checks, one-message errors through the 4.2 exit workaround,
# and the day view (markers, the timeline's frame handler, Quick Render).
COMPAT_TESTS ?= tests/test_render_batch.py tests/test_other_cpu.py tests/test_twins.py \
	tests/test_concurrent_writers.py tests/test_manifest_torn_line.py tests/test_denoiser.py \
	tests/test_gui_panel.py tests/test_extension_install.py tests/test_anomaly_params.py \
	tests/test_sun_disc.py tests/test_user_assets_render.py tests/test_render_errors.py \
	tests/test_hostile_inputs.py tests/test_dataset_browser.py tests/test_day_view_blender.py \
	tests/test_sensor_render.py tests/test_compat.py tests/test_settings_table.py \
	tests/test_scene_cache.py tests/test_annotations_render.py
# Extra pytest arguments, e.g. PYTEST_ARGS="--junitxml=build/ci/test.xml" (.ci/run).
PYTEST_ARGS ?=

# The baseline (`make baseline`): its own venv with torch, Anomalib and bpy (requirements-baseline.txt).
# TORCH_WHEEL=path/to/torch-…+cpu-….whl installs that torch first (a CPU build); without one, a
# CPU wheel in /opt/wheels is used if there is one, else pip takes PyPI's CUDA build (large).
BASELINE_VENV ?= .venv-baseline
BASELINE_PY := $(BASELINE_VENV)/bin/python
BASELINE_STAMP := $(BASELINE_VENV)/.allo-baseline-installed
TORCH_WHEEL ?= $(firstword $(wildcard /opt/wheels/torch-*+cpu-cp311-*.whl))
# e.g. BASELINE_ARGS="--models padim,patchcore,fastflow --size medium"
BASELINE_ARGS ?=

.PHONY: demo test test-fast test-compat lint bench e2e addon clean baseline baseline-smoke

# `pip install -e .` (pyproject.toml) puts allo_addon on the venv's path, from this checkout.
$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q bpy==$(BPY) -r requirements.txt
	$(PY) -m pip install -q -e .
	touch $(STAMP)

venv: $(STAMP)

## Render the demo dataset on the built-in scene, then post-process it.
demo: $(STAMP)
	$(PY) -m allo_addon.headless demo

## Full test suite (fast pure tests + real-Blender tests at tiny size).
test: $(STAMP)
	$(PY) -m pytest -q tests $(PYTEST_ARGS)

## The reduced real-Blender set above, on any wheel: make test-compat BPY=4.2.23
test-compat: $(STAMP)
	$(PY) -c "import bpy; print('bpy', bpy.app.version_string)"
	$(PY) -m pytest -q $(COMPAT_TESTS) $(PYTEST_ARGS)

## The linter (ruff, pinned in requirements.txt; rules in pyproject.toml). CI runs it.
lint: $(STAMP)
	$(PY) -m ruff check .

## Pure-Python tests only (no bpy needed).
test-fast: $(STAMP)
	$(PY) -m pytest -q tests -m "not blender"

bench: $(STAMP)
	$(PY) -m bench

addon: $(STAMP)
	$(PY) scripts/build_addon.py

e2e: $(STAMP)
	bash scripts/e2e.sh

$(BASELINE_STAMP): requirements-baseline.txt pyproject.toml
	$(PYTHON) -m venv $(BASELINE_VENV)
	$(BASELINE_PY) -m pip install -q --upgrade pip
	$(if $(TORCH_WHEEL),$(BASELINE_PY) -m pip install -q $(TORCH_WHEEL),@echo "no TORCH_WHEEL: pip installs PyPI's torch, the CUDA build (several GB)")
	$(BASELINE_PY) -m pip install -q -r requirements-baseline.txt
	$(BASELINE_PY) -m pip install -q -e .
	touch $(BASELINE_STAMP)

## Render a small benchmark, train Anomalib models, write docs/baseline.md (+ heat-map figure).
baseline: $(BASELINE_STAMP)
	$(BASELINE_PY) -m allo_addon.headless baseline --out baseline_output --report docs $(BASELINE_ARGS)

## The same at --size tiny into build/baseline-smoke (every step once; scores mean nothing).
baseline-smoke: $(BASELINE_STAMP)
	$(BASELINE_PY) -m allo_addon.headless baseline --size tiny --out build/baseline-smoke $(BASELINE_ARGS)

clean:
	rm -rf build dist demo_output .pytest_cache

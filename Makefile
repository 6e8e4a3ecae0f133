# Two commands on a fresh machine: `make run` (JupyterLab on the runbook, lab if no target) and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip -q --disable-pip-version-check
STAMP  := $(VENV)/.installed
PYTHON ?= python3
PORT   ?= 8888
FS_SOURCES ?= $(CURDIR)/../shared/vendor/freeswitch
CF_SOURCES ?= $(CURDIR)/../shared/vendor/cloudflared
export FSNB_FS_SOURCES := $(FS_SOURCES)
export FSNB_CF_SOURCES := $(CF_SOURCES)

.PHONY: run test test-fast bench setup clean-venv freeswitch cloudflared jssip

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml tools/esl-build.cfg
	tools/system-packages
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install swig==4.5.1 "setuptools>=65,<80" wheel
	# python-ESL's build runs `swig` from PATH: the venv's own swig must be found first
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" DIST_EXTRA_CONFIG=$(CURDIR)/tools/esl-build.cfg \
	  $(PIP) install --no-build-isolation python-ESL==1.4.18
	$(PIP) install -r requirements.txt
	$(PIP) install --no-build-isolation --no-deps --config-settings editable_mode=compat -e .
	# no news opt-in toast over the runbook (it would ask to fetch from the internet)
	$(VENV)/bin/jupyter labextension disable --level=sys_prefix "@jupyterlab/apputils-extension:announcements" >/dev/null 2>&1
	touch $(STAMP)

run: $(STAMP) cloudflared
	$(VENV)/bin/fsnb lab ensure
	$(VENV)/bin/jupyter lab --no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) \
	  --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
	  --LabApp.extension_manager=readonly $(if $(filter 0,$(shell id -u)),--allow-root,) notebooks/runbook.ipynb

# The real FreeSWITCH (tests/test_real_*.py) is built from ../shared/vendor/freeswitch into ~/.cache/fsnb
# (~10 min the first time, seconds after); without those sources the real tests skip outside CI.
freeswitch:
	@if [ -d "$(FS_SOURCES)" ]; then tools/build-freeswitch; \
	 else echo "no FreeSWITCH sources at $(FS_SOURCES): the real-FreeSWITCH tests will be skipped"; fi

# The real cloudflared (the judge of tunnel configs and the lab's edge routing) from ../shared/vendor/cloudflared
# into ~/.cache/fsnb (Debian's Go 1.19, offline, ~1-2 min once); without the sources fsnb uses its own model of it.
cloudflared:
	@if [ -d "$(CF_SOURCES)" ]; then tools/build-cloudflared; \
	 else echo "no cloudflared sources at $(CF_SOURCES): fsnb will judge tunnel configs with its own model"; fi

# JsSIP for the browser judge's test page (tests/test_browser_media.py), bundled from the npm registry's pinned
# packages (tests/webrtc/package-lock.json) into ~/.cache/fsnb: seconds, once
jssip:
	tools/build-jssip

test: $(STAMP) freeswitch cloudflared jssip
	$(VENV)/bin/ruff check fsnb tests benchmarks
	$(PY) -m pytest

# The fast subset: no lab, no Docker, no real FreeSWITCH, no browser (markers: pyproject.toml)
test-fast: $(STAMP)
	$(VENV)/bin/ruff check fsnb tests benchmarks
	$(PY) -m pytest -m unit

bench: $(STAMP)
	$(PY) benchmarks/bench.py

clean-venv:
	rm -rf $(VENV)

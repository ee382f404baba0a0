# 法治报告检索 — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA ?= data
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: setup run test bench soak crashloop browser bundle clean

$(BIN)/.installed: requirements.txt requirements-ocr.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -r requirements-ocr.txt
	$(BIN)/pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

setup: $(BIN)/.installed

## Import the bundled samples when the data folder is empty, index, serve on 127.0.0.1:5000.
run: setup
	$(BIN)/archive --data $(DATA) bootstrap samples
	$(BIN)/archive --data $(DATA) serve --host $(HOST) --port $(PORT)

## Headless Chromium and a CJK font for the browser tests, libcairo2 for the trend chart's PNG
## (Debian packages), installed when missing.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null && fc-list | grep -q -i wqy && \
	  ldconfig -p | grep -q libcairo.so.2 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      chromium chromium-driver fonts-wqy-microhei libcairo2 >/dev/null; }

test: setup browser
	$(BIN)/python -m pytest

## `make bench` (default sizes); `make bench ARGS="--sizes synth1000,synth5000,synth20000,synth100000"`
## for the growth curve on demand; then bench/plot.py draws bench/growth.svg.
bench: setup
	$(BIN)/python bench/run.py $(ARGS)
	$(BIN)/python bench/plot.py

## 20 clients × 60 s against `archive serve` during an `archive import`: errors, p50/p99.
soak: setup
	$(BIN)/python bench/soak.py $(ARGS)

## 15 imports SIGKILLed at random moments: archive and index must agree after the next write.
crashloop: setup
	$(BIN)/python bench/crashloop.py $(ARGS)

## The offline installation bundle: the project and a wheel of every pinned runtime dependency for
## this Python and platform, the samples, the systemd unit and install.sh (see README, "Installing
## without internet"). Needs the package registry; installing from it does not.
BUNDLE ?= dist/fazhi-archive-bundle.tar.gz
bundle: setup
	sh deploy/bundle.sh $(BIN)/python $(BUNDLE)

clean:
	rm -rf $(VENV) build dist *.egg-info

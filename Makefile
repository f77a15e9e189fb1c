# make       : set everything up on a fresh machine and build every issue, volume and the site into build/
# make test  : set up the same and run the tests
# make bench : the benchmarks (bench/), printed with the machine they ran on
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEBS   := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig poppler-utils qpdf ghostscript chromium faketime

.PHONY: all build test bench lint format clean system

all: build

# Debian packages, installed only where missing (needs root, as on CI machines).
system:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

build: system $(STAMP)
	$(BIN)/layout build
	$(BIN)/layout volume
	$(BIN)/layout site

test: system $(STAMP)
	$(BIN)/ruff check layout tests bench
	$(BIN)/pytest -q

# Speed and memory against the targets of the issues; figures go to bench/RESULTS.md by hand.
bench: system $(STAMP)
	status=0; for b in volume workbench; do $(BIN)/python bench/$$b.py || status=1; done; exit $$status

lint: $(STAMP)
	$(BIN)/ruff check layout tests bench
	$(BIN)/ruff format --check layout tests bench

format: $(STAMP)
	$(BIN)/ruff format layout tests bench
	$(BIN)/ruff check --fix layout tests bench

clean:
	rm -rf build

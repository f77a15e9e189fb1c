# make       : set everything up on a fresh machine and build every issue, volume and the site into build/
# make test  : set up the same and run the tests
# make bench : the benchmarks (bench/), printed with the machine they ran on
#
# `make` installs the Debian packages it needs with apt-get, which needs root. Without root, install
# the packages it names yourself (sudo apt-get install ...), or skip the step: `make SYSTEM=`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SYSTEM ?= system
# WeasyPrint's libraries and fontconfig (the fonts are bundled); for the tests, poppler's pdftotext
# and pdfinfo, qpdf, Ghostscript, faketime, Chromium (the site, through playwright) and epubcheck.
DEBS   := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig poppler-utils qpdf ghostscript chromium faketime epubcheck
# Debian's own Python, unless PYTHON is another one (pyenv's, say): `python3 -m venv` needs
# python3-venv, which holds ensurepip; a stock Debian 12 has neither.
PYTHON_DEBS := $(if $(filter /usr/bin/%,$(shell command -v $(PYTHON) 2>/dev/null || echo /usr/bin/$(PYTHON))),python3 python3-venv)

.PHONY: all build test bench lint format clean system lock

all: build

# Debian packages, installed only where missing.
system:
	@missing=""; for p in $(PYTHON_DEBS) $(DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "missing Debian packages:$$missing"; \
	    echo "install them as root (sudo apt-get install$$missing), then run make again, or run make as root"; \
	    exit 1; \
	  fi; \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# constraints.txt holds every package the venv has, at the version the tests passed with (`make lock`
# writes it): pyproject.toml names what layout needs, this pins what those need in turn.
$(STAMP): pyproject.toml constraints.txt | $(SYSTEM)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || \
	  { echo "layout needs Python 3.11 or newer as $(PYTHON) (Debian 12's python3 is 3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

lock: $(STAMP)
	{ echo '# Written by `make lock` from the venv the tests passed in; `make` installs with these versions.'; \
	  $(BIN)/pip list --format=freeze --exclude-editable | grep -v '^pip=='; } > constraints.txt

build: $(SYSTEM) $(STAMP)
	$(BIN)/layout build
	$(BIN)/layout volume
	$(BIN)/layout site

# Two processes (pytest-xdist), each test file whole in one of them, so that a file's fixtures are made
# once, the longest files first (tests/conftest.py's LONGEST_FIRST); what several files share is made
# once for both (conftest's once). `pytest -q` alone runs the same tests in one process.
# The package is byte-compiled first: an editable install is not, and a machine that sets
# PYTHONDONTWRITEBYTECODE (as CI's does) would otherwise compile it again in each of the tests'
# `layout` processes, 0.2 s of the 0.45 s each takes to start.
test: $(SYSTEM) $(STAMP)
	$(BIN)/ruff check layout tests bench
	$(BIN)/python -m compileall -q layout
	$(BIN)/pytest -q -n 2 --dist loadfile --no-loadscope-reorder

# Speed and memory against the targets of the issues; figures go to bench/RESULTS.md by hand, but
# bench/site.py's (the site at 4, 50 and 200 issues, and Lighthouse's scores), which it writes there.
# Lighthouse comes from npm into .lighthouse/ (Debian's npm), for the benchmark only: not for make test;
# pinned with all its dependencies by bench/lighthouse/package-lock.json, installed by npm ci.
LIGHTHOUSE_LOCK := bench/lighthouse/package.json bench/lighthouse/package-lock.json
LIGHTHOUSE := .lighthouse/node_modules/.bin/lighthouse

bench: $(SYSTEM) $(STAMP) $(LIGHTHOUSE)
	status=0; for b in volume workbench images; do $(BIN)/python bench/$$b.py || status=1; done; \
	$(BIN)/python bench/site.py --write || status=1; exit $$status

$(LIGHTHOUSE): $(LIGHTHOUSE_LOCK)
	@command -v npm >/dev/null || { echo "make bench needs npm for Lighthouse: apt-get install npm"; exit 1; }
	mkdir -p .lighthouse && cp $(LIGHTHOUSE_LOCK) .lighthouse/
	npm ci --prefix .lighthouse --no-audit --no-fund --silent
	touch $@

lint: $(STAMP)
	$(BIN)/ruff check layout tests bench
	$(BIN)/ruff format --check layout tests bench

format: $(STAMP)
	$(BIN)/ruff format layout tests bench
	$(BIN)/ruff check --fix layout tests bench

clean:
	rm -rf build

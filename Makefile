# Two commands matter: `make run` and `make test`. Everything they need is built here.
PYTHON ?= python3
UV_VERSION := 0.13.8
VENV := .venv
PY := $(VENV)/bin/python
# uv lives in its own small venv inside .venv, so `uv pip sync` never removes it.
TOOLS := $(VENV)/tools
UV := $(TOOLS)/bin/uv
DB ?= data/threatmon.duckdb
PORT ?= 8501
# The real-browser tests drive Debian's chromium (Playwright's own download needs internet).
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# The PostgreSQL backend's tests start a throwaway cluster from Debian's server binaries.
POSTGRES_INITDB = $(firstword $(wildcard /usr/lib/postgresql/*/bin/initdb))
# The reverse proxy's tests run Debian's nginx in front of two dashboards (docs/deployment.md).
NGINX ?= /usr/sbin/nginx

# The fast loop: no browser, no PostgreSQL cluster, nothing slow; installs nothing system-wide.
FAST_MARKERS := not browser and not postgres and not slow

.PHONY: run test test-fast lint format bench demo clean-venv chromium postgresql nginx

$(PY):
	$(PYTHON) -m venv $(VENV)

$(UV): | $(PY)
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

# Runtime environment, exactly as locked. --compile-bytecode: uv writes no .pyc files by
# default, and where PYTHONDONTWRITEBYTECODE is set Python never writes them either, so
# every fresh server compiled some 1,300 modules from source before its first page
# (several seconds of a 2-core machine; docs/benchmarks.md, "Speed in a real browser").
$(VENV)/.runtime: requirements.lock pyproject.toml | $(UV)
	$(UV) pip sync --quiet --compile-bytecode --python $(PY) requirements.lock
	$(UV) pip install --quiet --python $(PY) --no-deps -e .
	rm -f $(VENV)/.dev
	touch $@

# The same environment plus the development tools.
$(VENV)/.dev: requirements-dev.lock pyproject.toml | $(UV)
	$(UV) pip sync --quiet --compile-bytecode --python $(PY) requirements-dev.lock
	$(UV) pip install --quiet --python $(PY) --no-deps -e .
	touch $(VENV)/.runtime $@

# The project's own modules compiled too, for the same reason (cached beside each source;
# only what changed is compiled again).
SOURCES := dashboard.py pages ui threatmon data_loaders forecasting geo reports trends

run: $(VENV)/.runtime
	@$(PY) -m compileall -q $(SOURCES) >/dev/null
	@test -f $(DB) || $(VENV)/bin/threatmon demo --db $(DB)
	@$(VENV)/bin/threatmon migrate --db $(DB)
	@echo "Threat Monitor on http://localhost:$(PORT) (store: $(DB)); Ctrl+C stops it."
	THREATMON_DB=$(DB) $(VENV)/bin/streamlit run dashboard.py --server.port $(PORT)

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium

chromium: $(CHROMIUM)

# Debian's postgresql package, only if no server binaries are there yet; the tests start
# their own cluster (devtools/local_postgres.py), never the package's.
postgresql:
	@test -n "$(POSTGRES_INITDB)" || { $(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql; }

# Debian's nginx, only if it is not there yet; the tests run their own private instance
# (devtools/nginx.py), never the package's service.
$(NGINX):
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx

nginx: $(NGINX)

test: $(VENV)/.dev $(CHROMIUM) postgresql $(NGINX)
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

test-fast: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -n 2 -m "$(FAST_MARKERS)" $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(VENV)/.dev
	$(PY) -m bench $(BENCH_ARGS)

demo: $(VENV)/.runtime
	$(VENV)/bin/threatmon demo --db $(DB)

# Lock files are regenerated only on purpose, never by run/test.
lock: | $(UV)
	$(UV) pip compile pyproject.toml --python-version 3.11 --generate-hashes --no-header -q -o requirements.lock
	$(UV) pip compile pyproject.toml --group dev --python-version 3.11 --generate-hashes --no-header -q -o requirements-dev.lock

clean-venv:
	rm -rf $(VENV) .tools

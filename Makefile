# Factdesk: `make run` starts the workspace with demo data; `make test` runs every test. Both set up what they need.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
HOST   ?= 127.0.0.1
PORT   ?= 8000
WORKERS ?= 2
# A local run: DEBUG on (settings default to off; production never goes through this Makefile).
export DEBUG ?= true

.PHONY: run test setup install services browser worker beat web clean-venv

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

setup: install
	$(BIN)/python manage.py setup_workspace --demo

## Web server, Celery worker and beat (logs in .state/*.log); the address and logins once the server answers;
## Ctrl-C stops the three in order (factcheck/management/commands/run_workspace.py).
run: install
	@LOG_LEVEL=WARNING $(BIN)/python manage.py setup_workspace --demo --no-logins
	@LOG_LEVEL=WARNING $(BIN)/python manage.py run_workspace --host $(HOST) --port $(PORT) --workers $(WORKERS)

## Chromium for the browser tests, from Debian's packages (never a browser download).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Install Chromium for the browser tests: sudo apt-get install -y chromium" >&2; exit 1; fi; \
	fi

test: install browser
	$(BIN)/python manage.py setup_workspace --check-only --settings=newsroom.settings_test
	$(BIN)/lint-imports
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean-venv:
	rm -rf $(VENV)

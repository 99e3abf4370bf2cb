# Alliance Portal: `make run` serves the embedded default, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
RUN_STAMP := $(VENV)/.installed-run-stamp
PIP := $(BIN)/python -m pip install --quiet --quiet --disable-pip-version-check --no-input

.PHONY: run test lint format migrate demo clean

# What serving needs (make run, make dev): the package and its dependencies, quietly.
$(RUN_STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing what the portal needs (once; a minute or two)..."
	@$(PIP) -e .
	@touch $(RUN_STAMP)

# Everything the tests and linters need too (make test, make lint): the development extras.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing the portal and its development tools..."
	@$(PIP) -e ".[dev]"
	@touch $(STAMP) $(RUN_STAMP)

# The embedded default behind a real server: gunicorn with threads (one process, so its in-memory cache and rate limits
# stay one; SQLite takes one writer at a time and the others wait), static files by WhiteNoise, uploads by the portal.
# The URL and the demo logins come last, once the server answers (PORTAL_BANNER: gunicorn.conf.py).
RUN_PORT ?= 8000
RUN_THREADS ?= 32
run: $(RUN_STAMP)
	@mkdir -p var/mail var/media
	@echo "Preparing the database and the demo data..."
	@$(BIN)/python manage.py migrate --noinput --verbosity 0
	@$(BIN)/python manage.py load_demo_data --verbosity 0
	@DJANGO_SETTINGS_MODULE=alliance.settings.local PORTAL_BANNER=1 $(BIN)/gunicorn alliance.wsgi:application \
		--bind 127.0.0.1:$(RUN_PORT) --workers 1 --worker-class gthread --threads $(RUN_THREADS) \
		--backlog 2048 --timeout 120 --graceful-timeout 5

# Development: the same data, served by runserver, which reloads the code when it changes.
.PHONY: dev
dev: $(RUN_STAMP)
	@mkdir -p var/mail var/media
	@$(BIN)/python manage.py migrate --noinput --verbosity 0
	@$(BIN)/python manage.py load_demo_data --verbosity 0
	@$(BIN)/python -c "from alliance.portal.banner import banner_text; print(banner_text('http://127.0.0.1:$(RUN_PORT)'))"
	$(BIN)/python manage.py runserver 127.0.0.1:$(RUN_PORT)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf var staticfiles

# Not part of `make test`: ratios against bare Django and a plain bulk send, measured in one run (README, Bench).
.PHONY: bench stack
bench: $(STAMP)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# The processes of docker-compose.yml with honcho, production settings on the local PostgreSQL and Redis.
stack: $(STAMP)
	$(BIN)/python -m bench.stack

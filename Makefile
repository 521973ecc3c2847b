# Relay: `make run` for the demo, `make test` for the whole suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint install install-dev migrate demo worker clean

$(PY):
	@python=$$(scripts/find-python) || exit 1; \
	echo "Creating $(VENV) with $$python"; \
	"$$python" -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-runtime: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.installed-runtime

# The .mo Django reads, compiled from each committed locale/<lang>/LC_MESSAGES/<domain>.po with
# polib (no GNU gettext needed); not committed, rebuilt when its .po is newer.
CATALOGS := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))
$(CATALOGS): %.mo: %.po | $(VENV)/.installed-runtime
	$(PY) -m config.translations

install: $(VENV)/.installed-runtime $(CATALOGS)
install-dev: $(VENV)/.installed-dev $(CATALOGS)

# The demo: SQLite and a file-system broker unless DATABASE_URL / REDIS_URL say otherwise.
# E-mails go to var/mail (one file each) unless EMAIL_URL says otherwise. honcho runs web,
# worker and beat together and stops all of them on one Ctrl-C.
run: export DEBUG ?= true
run: export EMAIL_URL ?= file://var/mail
run: export HOST := $(HOST)
run: export PORT := $(PORT)
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty --score-weeks 12 --score-months 8 $(if $(SEED_LOCALE),--locale $(SEED_LOCALE))
	@$(PY) manage.py demo_logins --url http://$(HOST):$(PORT)/
	@exec $(VENV)/bin/honcho start -f Procfile.dev

worker: export DEBUG ?= true
worker: install
	$(VENV)/bin/celery -A config worker --beat --loglevel=INFO

lint: install-dev
	$(VENV)/bin/ruff check .

# The suite once, on whatever DATABASE_URL / REDIS_URL say (the embedded default when unset).
# RELAY_REQUIRE_SERVICES=1 or =embedded turns skips into failures (see tests/conftest.py);
# .ci/run calls this twice, once per environment.
test: install-dev lint
	$(VENV)/bin/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache

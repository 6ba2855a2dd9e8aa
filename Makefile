# Everything a deployer or a developer runs. Each target does its own set-up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PO := $(wildcard locales/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

.PHONY: run migrate test lint typecheck check catalogs translations bench fake-telegram docker clean

# With BOT_TOKEN (.env or the environment): the real bot, migrating its database first. Without one: the
# offline sandbox at http://127.0.0.1:8080 on its own database (data/sandbox.sqlite3).
run: $(STAMP) catalogs  ## the bot with BOT_TOKEN; without one, the offline sandbox in a browser
	$(BIN)/python -m bot start

migrate: $(STAMP)  ## apply database migrations
	$(BIN)/python -m bot migrate

test: $(STAMP) catalogs lint typecheck  ## lint, type-check, then the whole test suite
	$(BIN)/pytest -n auto --dist loadscope  # one worker per core; a module's tests stay together

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

catalogs: $(MO)  ## compile the translation catalogs

locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile -d locales -D messages -l $* --statistics

translations: $(STAMP)  ## extract new texts from the code and merge them into kk and ru
	$(BIN)/pybabel extract -F babel.cfg -k __ -k N_ --no-location --sort-output \
		--project=Belsendi --copyright-holder=Belsendi -o locales/messages.pot .
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages -w 100 --ignore-obsolete

bench: $(STAMP) catalogs  ## throughput benchmarks; figures go to bench/README.md
	$(BIN)/python -m bench.updates

fake-telegram: $(STAMP)  ## a fake Telegram Bot API server on 127.0.0.1:8081, for trying the bot offline
	$(BIN)/python -m fake_telegram --host 127.0.0.1 --port 8081

docker:
	docker build -t belsendi .

$(STAMP): pyproject.toml requirements.lock requirements-dev.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Belsendi needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -c requirements-dev.lock -e ".[dev]"
	touch $(STAMP)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
	find locales -name '*.mo' -delete

# MDT Case Tracker: the two commands.
#   make run   - the product on an embedded default (SQLite, file-system broker, demo data)
#   make test  - the whole test suite (CI=true: also on real PostgreSQL, Redis and Chromium)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test venv translations bench bench-agenda bench-reminders bench-retention bench-weight bench-reports bench-documents bench-sync bench-field bench-load restore-drill upgrade-check clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install -q --upgrade pip >/dev/null
	@$(BIN)/pip install -q -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	@bash scripts/run-dev

test: $(STAMP)
	@bash scripts/run-tests

translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ --no-location --ignore-dirs=".venv tests migrations" -o mdt/translations/messages.pot .
	$(BIN)/pybabel update -i mdt/translations/messages.pot -d mdt/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d mdt/translations

bench: $(STAMP)
	@eval "$$(bash .ci/services.sh)" && $(BIN)/python benchmarks/bench_cases.py

bench-reports: $(STAMP)
	@eval "$$(bash .ci/services.sh)" && $(BIN)/python benchmarks/bench_reports.py

bench-documents: $(STAMP)
	@$(BIN)/python benchmarks/bench_documents.py

bench-sync: $(STAMP)
	@eval "$$(bash .ci/services.sh)" && $(BIN)/python benchmarks/bench_sync.py

# The load test (issue 17): locust is not a dev dependency (CI never installs it); this installs
# the optional group and runs gunicorn, a Celery worker and beat on mdt_bench (emptied first).
bench-load: $(STAMP)
	@$(BIN)/pip install -q -e '.[load]'
	@eval "$$(bash .ci/services.sh)" && $(BIN)/python benchmarks/load/run.py $(if $(findstring --no-load,$(LOAD_ARGS)),,--fresh) $(LOAD_ARGS)

bench-field: $(STAMP)
	@$(BIN)/python benchmarks/bench_field.py

bench-weight: $(STAMP)
	@$(BIN)/python benchmarks/bench_page_weight.py

bench-agenda: $(STAMP)
	@eval "$$(bash .ci/services.sh)" && $(BIN)/python benchmarks/bench_agenda.py

bench-reminders: $(STAMP)
	@eval "$$(bash .ci/services.sh)" && $(BIN)/python benchmarks/bench_reminders.py

bench-retention: $(STAMP)
	@eval "$$(bash .ci/services.sh)" && $(BIN)/python benchmarks/bench_retention.py

# Back up the configured database and files, restore into a scratch database, verify, drop it
# (docs/reliability.md). On the embedded default it drills the SQLite copy.
restore-drill: $(STAMP)
	@$(BIN)/python scripts/restore_drill.py

# The previous release (.ci/previous-release) serving on this release's schema: its own web and
# API tests against a database this tree's migrations built (docs/deploy.md, docs/reliability.md).
# On PostgreSQL when MDT_TEST_DATABASE_URL points at it (a database <name>_upgrade of its own).
upgrade-check: $(STAMP)
	@$(BIN)/python scripts/upgrade_check.py

clean:
	rm -rf $(VENV) instance .pytest_cache

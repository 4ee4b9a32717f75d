# Haven: `make run` to try it, `make test` for the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
STAMP := $(VENV)/.installed-stamp
# Compiled modules are kept (__pycache__, ignored by git) even where the environment asks Python not to write
# them: without them every test worker, and every command a test starts, compiles the project and the
# pytest-rewritten tests again (the suite's collection in each worker: 10.9 s without, 5.7 s with).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test test-fast test-calendar lint fmt bench messages translations serve check-python clean audit

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || \
		{ echo "Python 3.12 or newer is needed; found $$($(PYTHON) --version 2>&1). Install it (or pyenv: the repo's .python-version asks for 3.12)."; exit 1; }

$(STAMP): pyproject.toml
	@$(MAKE) --no-print-directory check-python
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

# Compiled again only when a catalogue changed (starting Django to find nothing new was 2 s of every run).
PO_FILES := $(wildcard locale/*/LC_MESSAGES/*.po website/wagtail_locale/*/LC_MESSAGES/*.po \
	website/allauth_locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)
translations: $(MO_FILES)

$(MO_FILES) &: $(PO_FILES) $(STAMP)
	@$(MANAGE) compiletranslations
	@touch $(MO_FILES)

run: $(STAMP) translations
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	@echo ""
	@echo "Haven is running on http://127.0.0.1:8000  (staff area: http://127.0.0.1:8000/admin/)"
	@echo "Log in with any demo login above; the password is: demo"
	@echo ""
	$(MANAGE) runserver 127.0.0.1:8000

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The whole suite: lint, pytest (browser journeys included when Chromium is present; migrations in sync is
# one of its tests) on TEST_WORKERS processes (pytest-xdist); beside it the production path's tests, which
# share outside services (Redis, the PostgreSQL roles, the whole stack's processes), in a process of their own
# and at the real time (the processes they start cannot share a moved clock). Run after the suite, they kept
# both workers idle while they waited for the stack's processes (two and a half minutes on PostgreSQL); their
# report follows the suite's.
TEST_WORKERS ?= 2
test: $(STAMP) translations
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	@mkdir -p var
	@echo "HAVEN_TESTING=1 HAVEN_TEST_NOW= $(BIN)/pytest -q tests/production $(PYTEST_ARGS) (beside the suite)"
	@HAVEN_TESTING=1 HAVEN_TEST_NOW= $(BIN)/pytest -q tests/production $(PYTEST_ARGS) > var/test-production.log 2>&1 & \
	production=$$!; \
	trap 'kill $$production 2>/dev/null' INT TERM; \
	HAVEN_TESTING=1 $(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadgroup --ignore=tests/production $(PYTEST_ARGS); \
	suite=$$?; \
	wait $$production; \
	production_status=$$?; \
	echo "== the production path's tests, run beside the suite (var/test-production.log)"; \
	cat var/test-production.log; \
	test $$suite -eq 0 && test $$production_status -eq 0

# The suite (browser journeys aside, which run at the real time) as if it were each awkward moment of the
# calendar, organisation time: month ends, a leap day, the year's end, and the nights the clocks change.
# CI runs its PostgreSQL pass at one of them (.ci/run); this runs them all, about four minutes each.
CALENDAR_MOMENTS ?= 2027-01-31T23:30 2028-02-29T23:30 2027-03-31T23:30 2027-08-31T23:30 2026-11-30T23:30 \
	2026-12-31T23:30 2027-03-28T01:59 2027-03-28T03:00 2027-10-31T02:30
test-calendar: $(STAMP) translations
	@for moment in $(CALENDAR_MOMENTS); do \
		echo "== the suite at $$moment"; \
		HAVEN_TEST_NOW=$$moment HAVEN_TESTING=1 $(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadgroup -m "not browser" \
			--ignore=tests/production $(PYTEST_ARGS) || exit 1; \
	done

test-fast: $(STAMP) translations
	HAVEN_TESTING=1 $(BIN)/pytest -q -m "not browser and not external" -x $(PYTEST_ARGS)

# Security checks: bandit fails on medium severity or worse, pip-audit on any known vulnerability.
audit: $(STAMP)
	$(BIN)/bandit -c pyproject.toml -r . --severity-level medium --confidence-level medium -q
	$(BIN)/python .ci/dependency_audit.py

bench: $(STAMP) translations
	$(BIN)/python -m bench

# Extract new strings into the .po files (needs GNU gettext); translate them, then `make translations`.
messages: $(STAMP)
	$(MANAGE) makemessages --all --no-location --ignore=.venv --ignore=bench --ignore=tests
	$(MANAGE) makemessages --all --no-location -d djangojs --ignore=.venv --ignore=staticfiles

# Production-style, on this machine: the release steps (translations, static files, migrations, cache table),
# then the three processes of a production server: two gunicorn workers, the task worker, and the scheduler
# run every five minutes (in production cron or a systemd timer does that: README, "Deployment").
SERVE_BIND ?= 127.0.0.1:8000
serve: $(STAMP)
	$(MANAGE) release
	@$(MANAGE) run_worker & worker=$$!; \
	( while true; do $(MANAGE) run_scheduler; sleep 300; done ) & scheduler=$$!; \
	trap 'kill $$worker $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn website.wsgi --workers 2 --bind $(SERVE_BIND)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache

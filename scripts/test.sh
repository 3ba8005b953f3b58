#!/usr/bin/env bash
# Run the whole test suite (lint included). DATABASE_URL picks the database:
# unset means SQLite; CI points it at PostgreSQL. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
# The settings refuse to start without SECRET_KEY when DEBUG is off (as here);
# the test run gets a throwaway key unless one is set.
export SECRET_KEY=${SECRET_KEY:-insecure-test-key-for-the-test-run-only}
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null \
    || { echo "Models changed without a migration: run manage.py makemigrations" >&2; exit 1; }
exec .venv/bin/pytest "$@"

#!/usr/bin/env bash
# Run the whole test suite (lint included). DATABASE_URL picks the database:
# unset means SQLite; CI points it at PostgreSQL. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null \
    || { echo "Models changed without a migration: run manage.py makemigrations" >&2; exit 1; }
exec .venv/bin/pytest "$@"

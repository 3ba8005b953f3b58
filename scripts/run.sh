#!/usr/bin/env bash
# Set everything up and serve the app at http://127.0.0.1:8000 with demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export DEBUG=${DEBUG:-true}
# The demo's reviewers and administrator sign in with their password alone.
export REQUIRE_TWO_FACTOR_FOR_STAFF=${REQUIRE_TWO_FACTOR_FOR_STAFF:-false}
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py load_demo --registry
exec .venv/bin/python manage.py runserver "${ADDRESS:-127.0.0.1:8000}"

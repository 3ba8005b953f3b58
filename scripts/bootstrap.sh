#!/usr/bin/env bash
# Prepare this checkout on a Debian machine: system packages (only where
# missing, only as root), a local virtualenv and the Python dependencies.
# Safe to run again: it skips what is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the product needs: fast PDF font subsetting, CJK fonts,
# pdftotext/pdftoppm for checks, Chromium for the browser tests, gettext for
# translators (makemessages/compilemessages).
packages=(libharfbuzz-subset0 fonts-noto-cjk poppler-utils chromium gettext redis-server)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        echo "Installing Debian packages: ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "Warning: missing Debian packages (run as root to install): ${missing[*]}" >&2
    fi
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
# Reinstall dependencies only when pyproject.toml changed.
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e ".[test]"
    rm -f .venv/.installed-*
    touch "$stamp"
fi

# axe-core for the browser tests' accessibility checks (package.json), only
# when it is missing; npm is on the developers' and CI's machines.
if [ ! -f node_modules/axe-core/axe.min.js ]; then
    if command -v npm >/dev/null; then
        npm ci --no-audit --no-fund
    else
        echo "Warning: npm not found: the accessibility checks of the browser tests will fail" >&2
    fi
fi

#!/usr/bin/env bash
# Runs the product on its embedded default: SQLite and local video storage under data/,
# the built-in development LMS, Celery tasks run in the request. Installs what is missing
# first (the virtualenv from the hashed lock, the front end's Node and build), migrates,
# then prints the URL to open. Extra arguments go to `manage.py devserver`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node-env.sh

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --require-hashes -r requirements/prod.txt
.venv/bin/python -m pip install -q --no-deps -e .
npm --prefix frontend ci --no-audit --no-fund --loglevel=error
npm --prefix frontend run build --silent
exec .venv/bin/python manage.py devserver "$@"

#!/usr/bin/env bash
# Runs every test the way CI does. Installs what is missing first: Debian's chromium,
# ffmpeg and gettext, the virtualenv with the project and its test extras, the front-end build.
# The integration tests use PostgreSQL and Redis on 127.0.0.1 (present on every machine
# of this kind); under CI=true a missing service fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v ffmpeg >/dev/null || missing+=(ffmpeg)
command -v msgattrib >/dev/null || missing+=(gettext)  # manage.py translations --check
if ((${#missing[@]})); then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

source scripts/node-env.sh  # the front end's Node (frontend/.nvmrc)

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# The locked, hashed dependencies (requirements/lock.sh makes them), then the project itself.
.venv/bin/python -m pip install -q --require-hashes -r requirements/test.txt
.venv/bin/python -m pip install -q --no-deps -e .
npm --prefix frontend ci --no-audit --no-fund --loglevel=error
npm --prefix frontend run build --silent

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/lti_video}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/15}"
export CELERY_EAGER="${CELERY_EAGER:-1}"   # tests that need a real worker start one

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy config lti_tool storage_backends dev_lms
.venv/bin/lint-imports --no-cache  # layers and no cycles: the contracts in pyproject.toml
npm --prefix frontend run typecheck --silent
frontend/scripts/gen-api-types.sh --check  # fails, with the diff, when the API types are stale
# makemessages + compilemessages; fails listing every untranslated or fuzzy fr/es entry
.venv/bin/python manage.py translations --check
.venv/bin/python -m pytest "$@"
if (($# == 0)); then
  # The embedded default `scripts/dev.sh` runs (SQLite, no Redis): the paths whose reads are
  # SQL written out (lti_tool/selectors/rows.py) must work there too. CI= : no services here.
  env -u DATABASE_URL REDIS_URL= CI= .venv/bin/python -m pytest -q \
    tests/api tests/selectors tests/deletion tests/tasks tests/lti tests/services
fi
# Benchmarks print figures (nothing asserts a speed); run here so they keep working.
.venv/bin/python bench/teacher_page.py --repeats 10

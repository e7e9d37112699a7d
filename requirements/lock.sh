#!/usr/bin/env bash
# Regenerates the locked, hashed requirements from pyproject.toml (run after changing a
# dependency; commit both files). prod.txt is what the image installs, test.txt what CI
# and developers install (tests/run.sh). `--universal`: one lock for every platform.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v uv >/dev/null || python3 -m pip install -q uv
common=(--generate-hashes --universal --python-version 3.11 -q)
uv pip compile pyproject.toml "${common[@]}" -o requirements/prod.txt
uv pip compile pyproject.toml --extra test "${common[@]}" -o requirements/test.txt

#!/usr/bin/env bash
# Writes frontend/src/api-schema.d.ts: TypeScript types (openapi-typescript) for the JSON
# API's OpenAPI schema, the one served at /api/openapi.json, exported by Django without a
# server. With --check, writes nothing and fails when the committed file is stale (CI).
# Needs the virtualenv (.venv, or $PYTHON) and `npm --prefix frontend ci`.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
target=frontend/src/api-schema.d.ts

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# ninja's export command, called directly: "ninja" need not be an installed app for this.
OPENAPI_OUT="$work/openapi.json" "${PYTHON:-.venv/bin/python}" manage.py shell --no-imports -c '
import os
from django.core.management import call_command
from ninja.management.commands.export_openapi_schema import Command
call_command(Command(), api="lti_tool.api.api", output=os.environ["OPENAPI_OUT"], sort_keys=True)
'
frontend/node_modules/.bin/openapi-typescript "$work/openapi.json" --output "$work/api-schema.d.ts" \
  >/dev/null  # its banner; errors go to stderr

if [ "${1:-}" = --check ]; then
  if ! diff -u "$target" "$work/api-schema.d.ts"; then
    echo "API types are stale: run frontend/scripts/gen-api-types.sh and commit $target" >&2
    exit 1
  fi
else
  cp "$work/api-schema.d.ts" "$target"
fi

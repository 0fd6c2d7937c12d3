#!/usr/bin/env bash
# Static checks for CI: import rules (import-linter contracts in pyproject.toml) and types (mypy,
# strict on splinternet.api). Run from anywhere; exits non-zero on the first failing check.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}"
lint-imports
mypy --follow-imports=silent src/splinternet/api src/splinternet/sources/snapshot.py src/splinternet/analysis/results.py \
    src/splinternet/web/params.py src/splinternet/report/jsonable.py

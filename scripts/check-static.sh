#!/usr/bin/env bash
# Static checks for CI: import rules (import-linter contracts in pyproject.toml) and types (mypy on
# the whole package, strict on splinternet.api). Run from anywhere; exits non-zero on the first failing check.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}"
lint-imports
mypy src/splinternet  # the whole package; per-module strictness in pyproject.toml [tool.mypy]

#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need (fonts,
# poppler, PostgreSQL) through the project's own scripts, starts PostgreSQL,
# then runs every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

sh scripts/setup.sh
GONGKAI_TEST_PG="$(sh scripts/ci-postgres.sh | tail -n 1)"
export GONGKAI_TEST_PG

cargo test --workspace --no-fail-fast

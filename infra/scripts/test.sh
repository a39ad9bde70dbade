#!/bin/sh
# npm test: install what the tests need, type-check, then run every test. The test harness builds
# the Temporal CLI and versitygw with `go install` on first use (minutes; cached afterwards in
# $SLUICE_TOOLS_DIR, default .sluice/tools) and starts one dev server, Postgres and S3 for the run.
set -eu
cd "$(dirname "$0")/../.."
. infra/scripts/ensure-deps.sh
npm run --silent typecheck
exec npx jest "$@"

#!/bin/sh
# npm run bench: runs every benchmark in test/bench, each against the fastest real alternative on
# this machine in the same run, and prints the figures and ratios. Not part of npm test: timings
# belong here, never in tests. The GRIB2 benchmark compares against ecCodes, so the tools it and
# the file generator need are installed first when missing (Debian packages; needs root), and so is
# psql, whose \copy the event ingest benchmark compares against.
set -eu
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
cd "$(dirname "$0")/../.."
. infra/scripts/ensure-deps.sh

missing=
for tool in grib_ls grib_get_data gcc pkg-config psql; do command -v "$tool" >/dev/null || missing=1; done
pkg-config --exists g2c 2>/dev/null || missing=1
if [ -n "$missing" ]; then
  echo "Installing the benchmarks' reference tools: libeccodes-tools libg2c-dev gcc pkg-config postgresql-client" >&2
  apt-get update -qq && apt-get install -y -qq libeccodes-tools libg2c-dev gcc pkg-config postgresql-client >/dev/null
fi

# Compiled inside the repository (under the git-ignored .sluice/) so that code finding its files
# from the project root (migrations, the h5wasm worker) works as it does from dist/.
out="$PWD/.sluice/bench-build"
rm -rf "$out"
trap 'rm -rf "$out"' EXIT
npx tsc -p tsconfig.json --outDir "$out"
for bench in "$out"/test/bench/*.bench.js; do
  echo "== $(basename "$bench" .bench.js)"
  NODE_PATH="$PWD/node_modules" node --expose-gc "$bench"
done

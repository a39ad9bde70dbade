#!/bin/sh
# npm start: install what is needed the first time, then run the whole stack (sluice up).
set -eu
cd "$(dirname "$0")/../.."
. infra/scripts/ensure-deps.sh
exec node bin/sluice up "$@"

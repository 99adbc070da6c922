#!/usr/bin/env bash
# Runs the README's "Try it with curl" block, in order, against a running demo server and stops at
# the first call that fails (HTTP 4xx/5xx included). Start one on a throwaway data directory:
#   CRM_DATA_DIR=/tmp/crm-try CRM_PORT=8131 crm serve --migrate --seed-demo &
#   BASE=http://127.0.0.1:8131 scripts/readme_examples.sh
set -euo pipefail
BASE=${BASE:-http://127.0.0.1:8000}
README=${README:-$(dirname "$0")/../README.md}
block=$(awk '/^## Try it with curl/{section=1} section && /^```sh/{inside=1; next} inside && /^```/{exit} inside' "$README")
[ -n "$block" ] || { echo "no curl block found in $README" >&2; exit 1; }
# Every curl of the block fails on an HTTP error and ends its output with a newline.
curl() { command curl --fail-with-body --show-error "$@"; echo; }
set -x
# shellcheck disable=SC1090
source <(printf '%s\n' "$block" | sed "s#http://127.0.0.1:8000#$BASE#g")
set +x
echo "every README example succeeded" >&2

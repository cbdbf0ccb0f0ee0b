#!/usr/bin/env bash
# In-app delivery latency p50/p99 (event sent → message on the person's open stream), release build.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8094}
source scripts/lib/kairos-binary.sh  # KAIROS=PATH runs another binary
DATA=$(mktemp -d /tmp/kairos-inapp-XXXXXX)
"$KAIROS" serve --data-dir "$DATA" --port "$PORT" --write-key kw --secret-key ks --log-level warning >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do sleep 0.1; done
python3 scripts/bench-inapp.py "http://127.0.0.1:$PORT" "${1:-20}" "${2:-25}"

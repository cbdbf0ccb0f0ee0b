#!/usr/bin/env bash
# Ingest benchmark: /healthz (reference), /v1/batch (100 events per request) and single /v1/track,
# all against a release build, in one run, with wrk on the same machine.
# Usage: scripts/bench-ingest.sh [duration-seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-15}
CONNECTIONS=${2:-64}
PORT=${PORT:-8099}
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)"; exit 1; }
source scripts/lib/kairos-binary.sh  # KAIROS=PATH runs another binary
DATA=$(mktemp -d /tmp/kairos-bench-XXXXXX)
WRITE_KEY=kw_bench
export KAIROS_WRITE_KEY_B64=$(printf '%s:' "$WRITE_KEY" | base64)
"$KAIROS" serve --data-dir "$DATA" --port "$PORT" --write-key "$WRITE_KEY" --secret-key ks_bench \
  --log-level warning >/dev/null &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null; do sleep 0.1; done

run() { # name, wrk args...
  local name=$1; shift
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@")
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  local non2xx
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  printf '%-22s %12s req/s   p50 %-9s p99 %-9s %s\n' "$name" "$rps" "$p50" "$p99" "${non2xx:+non-2xx: $non2xx}"
  echo "$rps" > "$DATA/$name.rps"
}

echo "Kairos ingest benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, ${DURATION}s per run, $CONNECTIONS connections"
run healthz "http://127.0.0.1:$PORT/healthz"
run batch-100 -s scripts/wrk/batch.lua "http://127.0.0.1:$PORT"
run track -s scripts/wrk/track.lua "http://127.0.0.1:$PORT"
HEALTH=$(cat "$DATA/healthz.rps"); BATCH=$(cat "$DATA/batch-100.rps"); TRACK=$(cat "$DATA/track.rps")
awk -v h="$HEALTH" -v b="$BATCH" -v t="$TRACK" 'BEGIN {
  printf "events/s in batches of 100: %.0f   (batch requests/healthz requests: %.3f)\n", b*100, b/h;
  printf "single /v1/track events/s:  %.0f   (track/healthz: %.3f)\n", t, t/h }'
EVENTS=$(curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^kairos_events_total\{outcome="stored"\}/ {print $2}')
echo "events stored durably during the run: $EVENTS"

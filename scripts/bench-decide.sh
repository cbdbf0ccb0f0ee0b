#!/usr/bin/env bash
# POST /v1/decide against /healthz in the same run, on a shop from `kairos simulate` loaded with
# `kairos import`; then ingest with the models updating (POST /v1/batch of product events).
# Reports throughput, p50/p99 at 64 connections, the in-process ranking time (server metric),
# model memory and RSS.
# Usage: scripts/bench-decide.sh [duration-seconds] [users] [items] [days]
# FILL_PROFILES=1 also imports a profile for every simulated customer (as from a CRM), so that the
# number of profiles is the number of users; KEEP=1 WORK=DIR keeps and reuses the data.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/decide-vs-healthz.sh
DURATION=${1:-10}
export USERS=${2:-10000}
export ITEMS=${3:-5000}
DAYS=${4:-14}
PORT=${PORT:-8097}
source scripts/lib/kairos-binary.sh  # KAIROS=PATH runs another binary
export KAIROS_WRITE_KEY_B64=$(printf 'kw:' | base64)
WORK=${WORK:-$(mktemp -d /tmp/kairos-decide-XXXXXX)}
trap 'pkill -f "serve --data-dir $WORK" 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT

if [ ! -d "$WORK/data" ]; then
  START=$(date -u -d "-$DAYS days" +%Y-%m-%d)
  "$KAIROS" simulate --users "$USERS" --items "$ITEMS" --days "$DAYS" --seed 7 --start "$START" --out "$WORK" >/dev/null 2>&1
  T0=$(date +%s.%N)
  "$KAIROS" import "$WORK/items.ndjson" --data-dir "$WORK/data" --log-level error >/dev/null 2>&1
  "$KAIROS" import "$WORK/events.ndjson" --data-dir "$WORK/data" --batch-size 5000 --log-level error >/dev/null 2>&1
  T1=$(date +%s.%N)
  EVENTS=$(wc -l < "$WORK/events.ndjson")
  awk -v n="$EVENTS" -v a="$T0" -v b="$T1" 'BEGIN { printf "imported %d events in %.0f s (%.0f events/s, models updating)\n", n, b - a, n / (b - a) }'
fi
if [ -n "${FILL_PROFILES:-}" ] && [ ! -f "$WORK/profiles.csv" ]; then
  # Every simulated customer gets a profile, as from a CRM import, whether or not they visited.
  awk -v n="$USERS" 'BEGIN { print "userId,tier"; for (i = 0; i < n; i++) printf "u-%d,%s\n", i, (i % 10 == 0 ? "gold" : "standard") }' > "$WORK/profiles.csv"
  "$KAIROS" import "$WORK/profiles.csv" --data-dir "$WORK/data" --batch-size 5000 --log-level error >/dev/null 2>&1
fi
T0=$(date +%s.%N)
"$KAIROS" serve --data-dir "$WORK/data" --port "$PORT" --write-key kw --secret-key ks --log-level warning >/dev/null 2>&1 &
SERVER=$!
until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do sleep 0.2; done
T1=$(date +%s.%N)
sleep 3  # the model refresher builds the ranked lists and the content index
PROFILES=$(curl -sf "http://127.0.0.1:$PORT/readyz" | sed 's/.*"profiles":\([0-9]*\).*/\1/')
RSS=$(ps -o rss= -p "$SERVER")

echo "Kairos decide benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $PROFILES profiles, $ITEMS items"
awk -v a="$T0" -v b="$T1" 'BEGIN { printf "start-up (replay and model rebuild): %.1f s\n", b - a }'
decide_vs_healthz "$PORT" "$DURATION" scripts/wrk/decide.lua "decide"
METRICS=$(curl -sf "http://127.0.0.1:$PORT/metrics")
mean_timer "$PORT" kairos_decide_rank_duration_seconds "in-process ranking"
echo "$METRICS" | awk '/^kairos_model_bytes/ {t += $2; printf "  %s %.1f MiB\n", $1, $2 / 1048576} END { printf "model memory: %.1f MiB\n", t / 1048576 }'
echo "$METRICS" | grep -E "^kairos_model_(items|covisitation_pairs|sessions) "
echo "server RSS with the models loaded: $((RSS / 1024)) MiB"
BATCH=$(wrk -t2 -c16 -d"${DURATION}s" -s scripts/wrk/batch.lua "http://127.0.0.1:$PORT")
B=$(echo "$BATCH" | awk '/Requests\/sec/ {print $2}')
awk -v b="$B" 'BEGIN { printf "ingest with the models updating: %.0f events/s (POST /v1/batch of 100 product events, 16 connections)\n", b * 100 }'

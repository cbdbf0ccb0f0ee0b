#!/usr/bin/env bash
# Compares builds on the same load, alternating them round by round so that a slow spell of a
# shared machine does not fall on one side only. For each BINARY:DATA-DIR pair and round: starts
# the server on that data directory, warms up for 3 s, then runs wrk on /healthz and on the Lua
# script's requests (64 connections, 2 threads, DURATION s each), and prints both rates, the ratio,
# wrk's p99, the mean of an in-process timer (METRIC) and the server's CPU time per request of the
# second run (user + system, from /proc). A binary's path may hold a ':'; a data directory's may not.
# Usage: scripts/ab-decide.sh ROUNDS LUA DURATION BINARY:DATA-DIR [BINARY:DATA-DIR ...]
#   METRIC=kairos_decide_rank_duration_seconds (default; kairos_decide_arbitration_duration_seconds
#   for action placements); USERS / PROFILES are read by the Lua scripts.
# Example: scripts/ab-decide.sh 3 scripts/wrk/decide.lua 6 /tmp/kairos-old:/tmp/shop/a .build/release/kairos:/tmp/shop/b
set -uo pipefail
source "$(dirname "$0")/lib/decide-vs-healthz.sh"
ROUNDS=$1; LUA=$2; DURATION=$3; shift 3
METRIC=${METRIC:-kairos_decide_rank_duration_seconds}
PORT=${PORT:-8111}
export KAIROS_WRITE_KEY_B64=$(printf 'kw:' | base64)
TICKS=$(getconf CLK_TCK)
SERVER=
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null' EXIT
for round in $(seq "$ROUNDS"); do
  for pair in "$@"; do
    # The last ':' separates them (a binary's path may hold one; a data directory's may not).
    BINARY=${pair%:*}; DATA=${pair##*:}
    if curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz"; then
      echo "port $PORT is already taken: the numbers would be another server's" >&2
      exit 1
    fi
    "$BINARY" serve --data-dir "$DATA" --port "$PORT" --write-key kw --secret-key ks --log-level warning >/dev/null 2>&1 &
    SERVER=$!
    STARTED=$SECONDS
    until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do
      kill -0 "$SERVER" 2>/dev/null || { echo "$BINARY exited during start-up" >&2; exit 1; }
      [ $((SECONDS - STARTED)) -lt 900 ] || { echo "$BINARY not ready after 900 s" >&2; exit 1; }
      sleep 0.2
    done
    sleep 3  # the model refresher's first snapshots
    wrk -t2 -c64 -d3s -s "$LUA" "http://127.0.0.1:$PORT" >/dev/null
    HEALTH=$(wrk -t2 -c64 -d"${DURATION}s" --latency "http://127.0.0.1:$PORT/healthz")
    BEFORE=$(curl -sf "http://127.0.0.1:$PORT/metrics")  # the timer's mean over the measured run only
    CPU0=$(awk '{print $14 + $15}' "/proc/$SERVER/stat")
    LOAD=$(wrk -t2 -c64 -d"${DURATION}s" --latency -s "$LUA" "http://127.0.0.1:$PORT")
    CPU1=$(awk '{print $14 + $15}' "/proc/$SERVER/stat")
    read -r TIMER _ < <(timer_mean "$PORT" "$METRIC" "$BEFORE")
    kill "$SERVER"; wait "$SERVER" 2>/dev/null; SERVER=
    echo "$HEALTH" "$LOAD" | grep -E "Non-2xx|Socket errors" >&2
    h=$(echo "$HEALTH" | awk '/Requests\/sec/ {print $2}')
    d=$(echo "$LOAD" | awk '/Requests\/sec/ {print $2}')
    n=$(echo "$LOAD" | awk '/requests in/ {print $1}')
    p99=$(echo "$LOAD" | awk '$1 == "99%" {print $2}')
    if [ -z "$h" ] || [ -z "$d" ] || [ -z "${n:-}" ] || [ "$n" = 0 ]; then
      echo "round $round $BINARY: wrk reported no rate (healthz '$h', load '$d')" >&2
      continue
    fi
    awk -v r="$round" -v b="$BINARY" -v h="$h" -v d="$d" -v p="$p99" -v t="$TIMER" -v a="$CPU0" -v z="$CPU1" -v n="$n" -v hz="$TICKS" \
      'BEGIN { printf "round %d %s: healthz %.0f req/s, load %.0f req/s, ratio %.3f, p99 %s, timer %s µs, server CPU %.1f µs a request\n",
        r, b, h, d, d / h, p, t, (z - a) / hz / n * 1e6 }'
  done
done

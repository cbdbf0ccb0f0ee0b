#!/usr/bin/env bash
# Cost of real-time features and segments on ingest, and their memory per profile.
#  1. ingest throughput (batches of 100, durable) without definitions and with the 20 features,
#     10 segments and 5 triggers of scripts/definitions/bench.yaml, in the same run → ratio
#     (target ≥ 0.7), first on 100,000 new users (cold), then on the same users again (warm); and
#     the server's CPU time per event in the same runs (from /proc), whose ratio is steadier than
#     throughput on a shared machine;
#  2. memory: the same 1,000,000-event log loaded with and without those definitions → extra RSS
#     per profile (the feature and segment state).
# Usage: scripts/bench-features.sh [duration-seconds] [events-for-memory] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-15}
EVENTS=${2:-1000000}
ROUNDS=${3:-3}
PORT=${PORT:-8096}
DEFINITIONS=scripts/definitions/bench.yaml
source scripts/lib/kairos-binary.sh  # KAIROS=PATH runs another binary
export KAIROS_WRITE_KEY_B64=$(printf 'kw:' | base64)
WORK=$(mktemp -d /tmp/kairos-features-XXXXXX)
trap 'pkill -f "serve --data-dir $WORK" 2>/dev/null || true; rm -rf "$WORK"' EXIT

serve() { # data-dir [extra args...]
  local dir=$1; shift
  "$KAIROS" serve --data-dir "$dir" --port "$PORT" --write-key kw --secret-key ks --log-level warning "$@" >/dev/null 2>&1 &
  SERVER=$!
  until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do sleep 0.1; done
}
stop() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }  # the server's user + system time

throughput() { # label [extra args...] → "cold warm cold-cpu warm-cpu": requests/s, server CPU µs per event
  local label=$1; shift
  local dir="$WORK/$label"
  serve "$dir" "$@"
  local cold warm t0 t1 t2 hz
  hz=$(getconf CLK_TCK)
  t0=$(cpu_ticks)
  # Cold: the 100,000 users of the load are all new (every profile enters its first segments).
  cold=$(wrk -t2 -c64 -d"${DURATION}s" -s scripts/wrk/batch.lua "http://127.0.0.1:$PORT" | awk '/Requests\/sec/ {print $2}')
  t1=$(cpu_ticks)
  # Warm: the same users again, now known (memberships mostly settled), as in steady traffic.
  warm=$(wrk -t2 -c64 -d"${DURATION}s" -s scripts/wrk/batch.lua "http://127.0.0.1:$PORT" | awk '/Requests\/sec/ {print $2}')
  t2=$(cpu_ticks)
  stop
  echo "$cold $warm $(awk -v a="$t0" -v b="$t1" -v c="$t2" -v r1="$cold" -v r2="$warm" -v d="$DURATION" -v hz="$hz" \
    'BEGIN { printf "%.2f %.2f", (b - a) / hz * 1e6 / (r1 * 100 * d), (c - b) / hz * 1e6 / (r2 * 100 * d) }')"
}

echo "Kairos features benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $ROUNDS rounds"
# Rounds alternate the two servers (each on a fresh data directory), so that a slow spell of a
# shared machine does not fall on one side only; the median of the per-round ratios is reported.
RESULTS=""
for round in $(seq "$ROUNDS"); do
  read -r PLAIN_COLD PLAIN_WARM PLAIN_CPU_COLD PLAIN_CPU_WARM < <(throughput "plain-$round")
  read -r FEATURES_COLD FEATURES_WARM FEATURES_CPU_COLD FEATURES_CPU_WARM < <(throughput "features-$round" --definitions "$DEFINITIONS")
  RESULTS="$RESULTS$PLAIN_COLD $PLAIN_WARM $FEATURES_COLD $FEATURES_WARM $PLAIN_CPU_COLD $PLAIN_CPU_WARM $FEATURES_CPU_COLD $FEATURES_CPU_WARM"$'\n'
done
printf '%s' "$RESULTS" | awk '
  function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  { n++; pc[n] = $1 * 100; pw[n] = $2 * 100; fc[n] = $3 * 100; fw[n] = $4 * 100; rc[n] = $3 / $1; rw[n] = $4 / $2
    cc[n] = $5 / $7; cw[n] = $6 / $8
    printf "round %d: no definitions %6.0f / %6.0f events/s (%.1f / %.1f µs CPU an event), with definitions %6.0f / %6.0f events/s (%.1f / %.1f µs), ratio %.3f / %.3f, CPU ratio %.3f / %.3f (cold / warm)\n", n, pc[n], pw[n], $5, $6, fc[n], fw[n], $7, $8, rc[n], rw[n], cc[n], cw[n] }
  END {
    printf "                                              cold (new users)   warm (known users)\n"
    printf "ingest, no definitions (median):              %8.0f events/s  %8.0f events/s\n", median(pc, n), median(pw, n)
    printf "ingest, 20 features, 10 segments, 5 triggers: %8.0f events/s  %8.0f events/s\n", median(fc, n), median(fw, n)
    printf "ratio (median of rounds):                     %8.3f           %8.3f\n", median(rc, n), median(rw, n)
    printf "CPU ratio (plain ÷ with definitions, median): %8.3f           %8.3f\n", median(cc, n), median(cw, n) }'

[ "$EVENTS" = 0 ] && exit 0
# Memory: one log, loaded twice.
python3 - "$EVENTS" > "$WORK/events.ndjson" <<'PY'
import sys, random
n = int(sys.argv[1]); p = n // 10
names = ["Product Viewed"] * 6 + ["Product Clicked", "Product Added", "Order Completed"]
cats = ["shoes", "socks", "jackets", "tents", "lamps", "bags"]
for i in range(n):
    u = random.randrange(p)
    name = names[random.randrange(len(names))]
    ts = "2026-11-%02dT%02d:%02d:00Z" % (1 + i * 21 // n, random.randrange(24), random.randrange(60))
    props = '"product_id":"p-%d","price":%d,"category":"%s"' % (random.randrange(5000), random.randrange(10, 300), cats[random.randrange(6)])
    if name == "Order Completed": props += ',"revenue":%d' % random.randrange(20, 400)
    print('{"type":"track","event":"%s","userId":"user-%d","messageId":"m-%d","timestamp":"%s","properties":{%s}}' % (name, u, i, ts, props))
PY
"$KAIROS" import "$WORK/events.ndjson" --data-dir "$WORK/memory" --batch-size 5000 --log-level error >/dev/null 2>&1
rss() { # extra args... → "rss-KiB profiles state-bytes"
  serve "$WORK/memory" "$@"
  local profiles
  profiles=$(curl -s "http://127.0.0.1:$PORT/readyz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["profiles"])')
  local kib state
  kib=$(ps -o rss= -p "$SERVER")
  state=$(curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^kairos_feature_state_bytes/ {print $2}')
  stop
  echo "$kib $profiles ${state:-0}"
}
read -r BASE PROFILES _ < <(rss)
START=$(date +%s.%N)
read -r WITH _ STATE < <(rss --definitions "$DEFINITIONS")
END=$(date +%s.%N)
awk -v b="$BASE" -v w="$WITH" -v n="$PROFILES" -v e="$EVENTS" -v s="$START" -v t="$END" -v st="$STATE" 'BEGIN {
  printf "memory, %d events, %d profiles: RSS %d MiB without definitions, %d MiB with\n", e, n, b / 1024, w / 1024
  printf "feature + segment state: %.0f bytes per profile by RSS, %.0f bytes counted (kairos_feature_state_bytes)\n", (w - b) * 1024 / n, st / n
  printf "restart to ready with the definitions (includes the RSS probe): %.2f s\n", t - s }'

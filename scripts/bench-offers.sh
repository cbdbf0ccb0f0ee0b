#!/usr/bin/env bash
# POST /v1/decide at an ACTION placement (next-best-action arbitration among 200 offers) against
# /healthz in the same run, with the profiles bulk-loaded by `kairos import`; then the model update
# cost per outcome: in process (`kairos simulate-offers`) and through HTTP ("Offer Accepted"
# outcomes in /v1/batch, checked against GET /v1/admin/models).
# Reports import and start-up time, throughput, p50/p99 at 64 connections, the ratio and RSS.
# Usage: scripts/bench-offers.sh [duration-seconds] [profiles]
# KEEP=1 WORK=DIR keeps and reuses the data directory (and its imported profiles); KAIROS=PATH
# runs another binary.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/decide-vs-healthz.sh
DURATION=${1:-10}
export PROFILES=${2:-1000000}
PORT=${PORT:-8098}
OUTCOMES=${OUTCOMES:-2000}
source scripts/lib/kairos-binary.sh  # KAIROS=PATH runs another binary
export KAIROS_WRITE_KEY_B64=$(printf 'kw:' | base64)
WORK=${WORK:-$(mktemp -d /tmp/kairos-offers-XXXXXX)}
mkdir -p "$WORK"
SERVER=
cleanup() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

echo "Kairos next-best-action decide benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"
if [ ! -d "$WORK/data" ]; then
  # userId,tier,plan,usage: 10% gold, 20% silver, 2% blocked, the rest standard; three plans; usage 0-99.
  awk -v n="$PROFILES" 'BEGIN {
    print "userId,tier,plan,usage"
    split("prepaid postpaid business", plans, " ")
    for (i = 0; i < n; i++) {
      r = i % 50
      tier = (r < 5 ? "gold" : r < 15 ? "silver" : r == 49 ? "blocked" : "standard")
      printf "u-%d,%s,%s,%d\n", i, tier, plans[(int(i / 7) % 3) + 1], (i * 7919) % 100
    }
  }' > "$WORK/profiles.csv"
  T0=$(date +%s.%N)
  REPORT=$("$KAIROS" import "$WORK/profiles.csv" --data-dir "$WORK/data" --batch-size 5000 --log-level error 2>/dev/null)
  T1=$(date +%s.%N)
  echo "  $REPORT"
  awk -v n="$PROFILES" -v a="$T0" -v b="$T1" 'BEGIN { printf "imported %d profiles in %.1f s (%.0f profiles/s)\n", n, b - a, n / (b - a) }'
  rm -f "$WORK/profiles.csv"
fi

T0=$(date +%s.%N)
"$KAIROS" serve --data-dir "$WORK/data" --port "$PORT" --write-key kw --secret-key ks --log-level warning >/dev/null 2>&1 &
SERVER=$!
until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do
  kill -0 "$SERVER" 2>/dev/null || { echo "server exited during start-up" >&2; exit 1; }
  sleep 0.2
done
T1=$(date +%s.%N)
READY=$(curl -sf "http://127.0.0.1:$PORT/readyz")
LOADED=$(echo "$READY" | sed -n 's/.*"profiles":\([0-9]*\).*/\1/p')
awk -v a="$T0" -v b="$T1" -v p="${LOADED:-?}" 'BEGIN { printf "start-up (%s profiles): %.1f s\n", p, b - a }'
echo "server RSS after start-up: $(($(ps -o rss= -p "$SERVER") / 1024)) MiB"

python3 scripts/bench-offers.py setup "$PORT"
# Warm-up: both paths, shorter, same connection count.
wrk -t2 -c64 -d3s "http://127.0.0.1:$PORT/healthz" >/dev/null
wrk -t2 -c64 -d3s -s scripts/wrk/decide-offers.lua "http://127.0.0.1:$PORT" >/dev/null

decide_vs_healthz "$PORT" "$DURATION" scripts/wrk/decide-offers.lua "decide (nba_home, 200 offers)"
echo "server RSS after the decide run: $(($(ps -o rss= -p "$SERVER") / 1024)) MiB"
mean_timer "$PORT" kairos_decide_arbitration_duration_seconds "in-process arbitration"
sleep 1  # the decision log writes every 20 ms
python3 -c "import sqlite3, sys; row = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True).execute(
    'SELECT count(*), avg(length(body)) FROM decisions WHERE placement = ?', ('nba_home',)).fetchone()
print(f'decision log: {row[0]} decisions, {row[1]:.0f} bytes a decision')" "$WORK/data/kairos.sqlite"

echo "model update cost:"
SIM=$("$KAIROS" simulate-offers --decisions 50000 --offers 200 2>&1 | tail -1)
echo "  in process (kairos simulate-offers --decisions 50000 --offers 200): $SIM"
python3 scripts/bench-offers.py outcomes "$PORT" "$OUTCOMES" "$PROFILES"
echo "server RSS at the end: $(($(ps -o rss= -p "$SERVER") / 1024)) MiB"

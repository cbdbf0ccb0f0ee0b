#!/usr/bin/env bash
# POST /v1/decide against /healthz in the same run, on a synthetic shop loaded with `kairos import`:
# ITEMS items in 50 categories, USERS people with a taste for 3 categories each, EVENTS interactions.
# Usage: scripts/bench-decide.sh [duration-seconds] [users] [items] [events]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
export USERS=${2:-10000}
ITEMS=${3:-5000}
EVENTS=${4:-200000}
PORT=${PORT:-8097}
swift build -c release --product kairos >/dev/null 2>&1
export KAIROS_WRITE_KEY_B64=$(printf 'kw:' | base64)
WORK=$(mktemp -d /tmp/kairos-decide-XXXXXX)
trap 'pkill -f "kairos serve --data-dir $WORK" 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT

python3 - "$USERS" "$ITEMS" "$EVENTS" "$WORK" <<'PY'
import sys, random
users, items, events, work = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
random.seed(7)
with open(work + "/items.ndjson", "w") as f:
    for i in range(items):
        f.write('{"id":"item-%d","title":"Item %d","category":["Dept %d","Cat %d"],"price":%d}\n' % (i, i, i % 10, i % 50, 5 + i % 200))
by_category = [[i for i in range(items) if i % 50 == c] for c in range(50)]
with open(work + "/events.ndjson", "w") as f:
    for n in range(events):
        u = random.randrange(users)
        taste = random.Random(u).sample(range(50), 3)
        item = random.choice(by_category[random.choice(taste)])
        name = random.choice(["Product Viewed"] * 6 + ["Product Added", "Order Completed"])
        f.write('{"type":"track","event":"%s","userId":"user-%d","messageId":"e-%d","timestamp":"2026-11-%02dT%02d:%02d:00Z","properties":{"product_id":"item-%d"}}\n'
                % (name, u, n, 1 + n * 21 // events, random.randrange(24), random.randrange(60), item))
PY
.build/release/kairos import "$WORK/items.ndjson" --data-dir "$WORK/data" --log-level error >/dev/null 2>&1
.build/release/kairos import "$WORK/events.ndjson" --data-dir "$WORK/data" --batch-size 5000 --log-level error >/dev/null 2>&1
.build/release/kairos serve --data-dir "$WORK/data" --port "$PORT" --write-key kw --secret-key ks --log-level warning >/dev/null 2>&1 &
SERVER=$!
until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do sleep 0.1; done
sleep 2  # the model refresher builds the ranked lists and the content index
RSS=$(ps -o rss= -p "$SERVER")

echo "Kairos decide benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $USERS users, $ITEMS items, $EVENTS events"
HEALTH=$(wrk -t2 -c64 -d"${DURATION}s" --latency "http://127.0.0.1:$PORT/healthz")
DECIDE=$(wrk -t2 -c64 -d"${DURATION}s" --latency -s scripts/wrk/decide.lua "http://127.0.0.1:$PORT")
rate() { awk '/Requests\/sec/ {print $2}'; }
pct() { awk -v p="$1" '$1 == p {print $2}'; }
H=$(echo "$HEALTH" | rate)
D=$(echo "$DECIDE" | rate)
echo "healthz: $H req/s (p50 $(echo "$HEALTH" | pct 50%), p99 $(echo "$HEALTH" | pct 99%))"
echo "decide:  $D req/s (p50 $(echo "$DECIDE" | pct 50%), p99 $(echo "$DECIDE" | pct 99%))"
echo "$DECIDE" | grep -E "Non-2xx|Socket errors" || true
awk -v h="$H" -v d="$D" 'BEGIN { printf "ratio decide / healthz: %.3f\n", d / h }'
echo "server RSS with the models loaded: $((RSS / 1024)) MiB"

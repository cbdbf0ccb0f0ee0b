#!/usr/bin/env bash
# Restart-to-ready benchmark: imports N events (default 1,000,000) for P profiles into a fresh data
# directory, then times `kairos serve` from start until /readyz answers 200.
# Usage: scripts/bench-restart.sh [events] [profiles]
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${1:-1000000}
PROFILES=${2:-100000}
PORT=${PORT:-8098}
source scripts/lib/kairos-binary.sh  # KAIROS=PATH runs another binary
DATA=$(mktemp -d /tmp/kairos-restart-XXXXXX)
trap 'rm -rf "$DATA"' EXIT
python3 - "$EVENTS" "$PROFILES" > "$DATA/events.ndjson" <<'PY'
import sys, random
n, p = int(sys.argv[1]), int(sys.argv[2])
names = ["Product Viewed", "Product Clicked", "Product Added", "Order Completed"]
out = sys.stdout
for i in range(n):
    u = random.randrange(p)
    day = 1 + i * 27 // n
    who = '"userId":"user-%d"' % u if u % 3 else '"anonymousId":"anon-%d"' % u
    out.write('{"type":"track","event":"%s",%s,"messageId":"r-%d","timestamp":"2026-10-%02dT12:00:00Z","properties":{"product_id":"p-%d"}}\n'
              % (names[i % 4], who, i, day, i % 5000))
PY
echo "import of $EVENTS events:"
/usr/bin/time -f "  %e s, max RSS %M KiB" "$KAIROS" import "$DATA/events.ndjson" --data-dir "$DATA" --batch-size 5000 --log-level error 2>&1 | tail -2
rm "$DATA/events.ndjson"
ls -la "$DATA"/kairos.sqlite | awk '{printf "database size: %.0f MiB\n", $5/1048576}'
START=$(date +%s.%N)
"$KAIROS" serve --data-dir "$DATA" --port "$PORT" --write-key kw --secret-key ks --log-level warning >/dev/null &
SERVER=$!
until curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do sleep 0.05; done
END=$(date +%s.%N)
READY=$(curl -s "http://127.0.0.1:$PORT/readyz")
RSS=$(ps -o rss= -p $SERVER)
kill $SERVER; wait $SERVER 2>/dev/null || true
awk -v s="$START" -v e="$END" 'BEGIN { printf "restart to ready: %.2f s\n", e - s }'
echo "readyz: $READY; server RSS after load: $((RSS / 1024)) MiB"

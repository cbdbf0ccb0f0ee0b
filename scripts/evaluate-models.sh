#!/usr/bin/env bash
# What each model contributes: a simulated shop (`kairos simulate`), evaluated leave-last-out
# (`kairos evaluate`) with one placement per model, the default strategy, a popularity baseline
# and a tuned implicit-ALS baseline.
# Usage: scripts/evaluate-models.sh [users] [items] [days] [seed] [timing]
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=${1:-5000}
ITEMS=${2:-3000}
DAYS=${3:-14}
SEED=${4:-2}
TIMING=${5:-timeline}
source scripts/lib/kairos-binary.sh  # KAIROS=PATH runs another binary
WORK=$(mktemp -d /tmp/kairos-evaluate-XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
"$KAIROS" simulate --users "$USERS" --items "$ITEMS" --days "$DAYS" --seed "$SEED" --start 2026-11-01 \
  --out "$WORK" >/dev/null 2>&1
echo "Kairos model evaluation — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores; simulate --users $USERS --items $ITEMS --days $DAYS --seed $SEED"
"$KAIROS" evaluate --interactions "$WORK/events.ndjson" --items "$WORK/items.ndjson" \
  --definitions scripts/definitions/models.yaml --timing "$TIMING" --mf tuned \
  --json "$WORK/report.json" --html "${HTML:-$WORK/report.html}" 2>"$WORK/errors" || { tail -3 "$WORK/errors"; exit 1; }

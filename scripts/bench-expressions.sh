#!/usr/bin/env bash
# Expression evaluation cost (ns/op) for typical rules, release build.
set -euo pipefail
cd "$(dirname "$0")/.."
swift run -c release ExpressionBench 2>/dev/null

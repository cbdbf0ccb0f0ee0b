# Shared by the decide benchmarks: sourced, not run.

# decide_vs_healthz PORT DURATION LUA LABEL — wrk on /healthz and then on POST /v1/decide (the Lua
# script), 64 connections and 2 threads each, in the same run; prints both rates with p50/p99, any
# errors, and the ratio decide ÷ healthz.
decide_vs_healthz() {
  local port=$1 duration=$2 lua=$3 label=$4
  local health decide h d
  health=$(wrk -t2 -c64 -d"${duration}s" --latency "http://127.0.0.1:$port/healthz")
  decide=$(wrk -t2 -c64 -d"${duration}s" --latency -s "$lua" "http://127.0.0.1:$port")
  h=$(echo "$health" | awk '/Requests\/sec/ {print $2}')
  d=$(echo "$decide" | awk '/Requests\/sec/ {print $2}')
  pct() { awk -v p="$1" '$1 == p {print $2}'; }
  echo "healthz: $h req/s (p50 $(echo "$health" | pct 50%), p99 $(echo "$health" | pct 99%))"
  echo "$label: $d req/s (p50 $(echo "$decide" | pct 50%), p99 $(echo "$decide" | pct 99%))"
  echo "$health$decide" | grep -E "Non-2xx|Socket errors" || true
  awk -v h="$h" -v d="$d" -v s="$duration" 'BEGIN { printf "ratio decide / healthz: %.3f (64 connections, 2 wrk threads, %d s each)\n", d / h, s }'
}

# mean_timer PORT METRIC LABEL — the mean of a timer in /metrics, in µs.
mean_timer() {
  curl -sf "http://127.0.0.1:$1/metrics" | awk -v m="$2" -v label="$3" '$1 == m "_sum" {s=$2} $1 == m "_count" {c=$2}
    END { if (c > 0) printf "%s: %.0f µs per decision (mean of %d)\n", label, s / c * 1e6, c }'
}

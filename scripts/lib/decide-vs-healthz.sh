# Shared by the decide benchmarks: sourced, not run.

# decide_vs_healthz PORT DURATION LUA LABEL — wrk on /healthz and then on POST /v1/decide (the Lua
# script), 64 connections and 2 threads each, in the same run; prints both rates with p50/p99, any
# errors, and the ratio decide ÷ healthz.
decide_vs_healthz() {
  local port=$1 duration=$2 lua=$3 label=$4
  local health decide h d before
  health=$(wrk -t2 -c64 -d"${duration}s" --latency "http://127.0.0.1:$port/healthz")
  before=$(curl -sf "http://127.0.0.1:$port/metrics")
  DECIDE_METRICS_BEFORE=$before  # for mean_timer: the decide run's requests only
  decide=$(wrk -t2 -c64 -d"${duration}s" --latency -s "$lua" "http://127.0.0.1:$port")
  h=$(echo "$health" | awk '/Requests\/sec/ {print $2}')
  d=$(echo "$decide" | awk '/Requests\/sec/ {print $2}')
  pct() { awk -v p="$1" '$1 == p {print $2}'; }
  echo "healthz: $h req/s (p50 $(echo "$health" | pct 50%), p99 $(echo "$health" | pct 99%))"
  echo "$label: $d req/s (p50 $(echo "$decide" | pct 50%), p99 $(echo "$decide" | pct 99%))"
  echo "$health$decide" | grep -E "Non-2xx|Socket errors" || true
  server_quantiles "$port" "$before"
  awk -v h="$h" -v d="$d" -v s="$duration" 'BEGIN { printf "ratio decide / healthz: %.3f (64 connections, 2 wrk threads, %d s each)\n", d / h, s }'
}

# server_quantiles PORT METRICS-BEFORE — p50/p99 of POST /v1/decide as the server measured them
# (request in to response out, from the http_server_request_duration histogram, the requests of the
# run only): the upper bound of the bucket each quantile falls in. wrk's figures add the time a
# request waits for a CPU on a machine that also runs wrk.
server_quantiles() {
  local port=$1 before=$2
  { echo "$before" | sed 's/^/B /'; curl -sf "http://127.0.0.1:$port/metrics" | sed 's/^/A /'; } | awk '
    $2 ~ /^http_server_request_duration_bucket/ && $2 ~ /http_route="\/v1\/decide"/ && $2 ~ /status_code="200"/ {
      match($2, /le="[^"]*"/); le = substr($2, RSTART + 4, RLENGTH - 5)
      if ($1 == "B") b[le] = $3; else { a[le] = $3; order[++n] = le } }
    END {
      total = a["+Inf"] - b["+Inf"]; if (total <= 0) exit
      for (i = 1; i <= n; i++) { le = order[i]; c = a[le] - b[le]
        if (!p50 && c >= total * 0.50) p50 = le
        if (!p99 && c >= total * 0.99) p99 = le }
      printf "decide as the server measured it (%d requests): p50 <= %s s, p99 <= %s s\n", total, p50, p99 }'
}

# timer_mean PORT METRIC [METRICS-BEFORE] — the mean of a timer in /metrics, in µs: over what it
# timed since METRICS-BEFORE (a /metrics text) when given, else since start; "?" when it timed nothing.
timer_mean() {
  { echo "${3:-}" | sed 's/^/B /'; curl -sf "http://127.0.0.1:$1/metrics" | sed 's/^/A /'; } | awk -v m="$2" '
    $2 == m "_sum" { sum[$1] = $3 } $2 == m "_count" { count[$1] = $3 }
    END { c = count["A"] - count["B"]; if (c > 0) printf "%.0f %d\n", (sum["A"] - sum["B"]) / c * 1e6, c; else print "? 0" }'
}

# mean_timer PORT METRIC LABEL — the mean of a timer over the last decide_vs_healthz run's
# requests (since start when there was none), in µs.
mean_timer() {
  local mean count
  read -r mean count < <(timer_mean "$1" "$2" "${DECIDE_METRICS_BEFORE:-}")
  [ "$count" -gt 0 ] && printf "%s: %s µs per decision (mean of %d)\n" "$3" "$mean" "$count"
  return 0
}

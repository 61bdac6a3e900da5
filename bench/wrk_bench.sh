#!/usr/bin/env bash
# Throughput of hello-world servers on loopback with and without withCacheHeaders() over 1,000
# rules, and with the bare rebuild of the response alone, on Deno and on Bun, with wrk
# (apt-get install -y wrk). The modes run back to back, ROUNDS times; every request has a
# distinct URL (bench/wrk_urls.lua).
#
#   bash bench/wrk_bench.sh
#
# Results: BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8401}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}

serve() { # runtime mode
  case $1 in
    deno) MODE=$2 PORT=$PORT ./node_modules/.bin/deno run -A bench/serve_app.ts & ;;
    bun) MODE=$2 PORT=$PORT ./node_modules/.bin/bun bench/serve_app.ts & ;;
  esac
  server=$!
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/" > /dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "server did not start" >&2
  return 1
}

for round in $(seq 1 "$ROUNDS"); do
  for runtime in deno bun; do
    for mode in plain rebuild cachewise; do
      serve "$runtime" "$mode"
      wrk -t1 -c"$CONNECTIONS" -d5s -s bench/wrk_urls.lua "http://127.0.0.1:$PORT" > /dev/null
      result=$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" -s bench/wrk_urls.lua "http://127.0.0.1:$PORT")
      kill "$server"
      wait "$server" 2> /dev/null || true
      requests=$(awk '/Requests\/sec/ { print $2 }' <<< "$result")
      latency=$(awk '/Latency/ { print $2 }' <<< "$result")
      echo "round $round $runtime $mode requests/s $requests latency-avg $latency"
    done
  done
done

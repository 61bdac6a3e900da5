#!/usr/bin/env bash
# Throughput of hello-world servers (bench/serve_app.ts) on loopback, on Deno and on Bun, with
# wrk (apt-get install -y wrk): the bare handler, its response rebuilt with two headers set, and
# the handler wrapped in withCacheHeaders() over 1,000 rules. The modes run back to back, ROUNDS
# times; every request has a distinct URL (bench/wrk_urls.lua).
#
#   bash bench/wrk_bench.sh
#   MODES="plain read explain apply cachewise" bash bench/wrk_bench.sh   # where the time goes
#
# Each line also gives the server's CPU time per request (user + system, all its threads, from
# /proc), which other processes on the machine disturb less than throughput. With WAIT_IDLE=90,
# each measurement waits (up to 10 minutes) until the machine has been at least 90 % idle for 3 s.
# With PIN=1 the server runs on CPU 0 and wrk on CPU 1 (taskset), so that the two do not take
# turns on the same core. With HANDLER_TIME=1 each line also gives the time the server spent in
# the handler per request (bench/serve_app.ts times each call; the two clock reads it adds are
# counted in every mode alike).
#
# Results: BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8401}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-5s}
CONNECTIONS=${CONNECTIONS:-32}
MODES=${MODES:-plain rebuild cachewise}
RUNTIMES=${RUNTIMES:-deno bun}
WAIT_IDLE=${WAIT_IDLE:-0}
PIN=${PIN:-0}
HANDLER_TIME=${HANDLER_TIME:-0}
SERVER_OUT=$(mktemp)
trap 'rm -f "$SERVER_OUT"' EXIT
SERVER_CPU=()
WRK_CPU=()
if [ "$PIN" = 1 ]; then
  SERVER_CPU=(taskset -c 0)
  WRK_CPU=(taskset -c 1)
fi
TICKS=$(getconf CLK_TCK)

idle_share() { # percent of CPU time idle over 3 s
  local a b
  read -r -a a < /proc/stat
  sleep 3
  read -r -a b < /proc/stat
  local total=0 idle=$((b[4] + b[5] - a[4] - a[5]))
  for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
  echo $((100 * idle / total))
}

wait_idle() {
  [ "$WAIT_IDLE" -gt 0 ] || return 0
  for _ in $(seq 1 75); do
    [ "$(idle_share)" -ge "$WAIT_IDLE" ] && return 0
    sleep 5
  done
}

cpu_ticks() { # user + system ticks of a process, all threads
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

serve() { # runtime mode
  case $1 in
    deno) MODE=$2 PORT=$PORT HANDLER_TIME=$HANDLER_TIME "${SERVER_CPU[@]}" \
      ./node_modules/.bin/deno run -A bench/serve_app.ts > "$SERVER_OUT" & ;;
    bun) MODE=$2 PORT=$PORT HANDLER_TIME=$HANDLER_TIME "${SERVER_CPU[@]}" \
      ./node_modules/.bin/bun bench/serve_app.ts > "$SERVER_OUT" & ;;
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
  for runtime in $RUNTIMES; do
    for mode in $MODES; do
      wait_idle
      serve "$runtime" "$mode"
      "${WRK_CPU[@]}" wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" -s bench/wrk_urls.lua "http://127.0.0.1:$PORT" > /dev/null
      load=$(cut -d' ' -f1 /proc/loadavg)
      before=$(cpu_ticks "$server")
      [ "$HANDLER_TIME" = 1 ] && kill -USR2 "$server"
      result=$("${WRK_CPU[@]}" wrk -t1 -c"$CONNECTIONS" -d"$DURATION" -s bench/wrk_urls.lua "http://127.0.0.1:$PORT")
      after=$(cpu_ticks "$server")
      kill "$server"
      wait "$server" 2> /dev/null || true
      requests=$(awk '/Requests\/sec/ { print $2 }' <<< "$result")
      total=$(awk '/requests in/ { print $1 }' <<< "$result")
      latency=$(awk '/Latency/ { print $2 }' <<< "$result")
      cpu=$(awk -v t="$((after - before))" -v hz="$TICKS" -v n="$total" \
        'BEGIN { printf "%.2f", t / hz * 1e6 / n }')
      handler=""
      [ "$HANDLER_TIME" = 1 ] && handler=" $(grep -o 'handler-us/request [0-9.]*' "$SERVER_OUT")"
      echo "round $round $runtime $mode requests/s $requests latency-avg $latency" \
        "server-cpu-us/request $cpu$handler load $load"
    done
  done
done

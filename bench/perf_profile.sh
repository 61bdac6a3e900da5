#!/usr/bin/env bash
# Where a server's CPU time per request goes, by part, under wrk: Linux perf samples the server
# (bench/serve_app.ts, pinned to CPU 0; wrk on CPU 1) for the whole of one wrk run after a warm-up,
# and bench/perf_summary.ts sorts the samples into the kernel, the runtime's native code, the
# runtime's JavaScript and cachewise's own functions (src/), in microseconds per request. Deno's
# JavaScript is named through V8's perf map (--perf-basic-prof); Bun's JIT frames have no names,
# so on Bun cachewise and the runtime's JavaScript are one part.
#
#   bash bench/perf_profile.sh deno cachewise 1000
#   RUNTIME_MODES="plain direct floor explain cachewise" bash bench/perf_profile.sh deno - site
#
# Needs perf (apt-get install -y linux-perf) and wrk. Results: BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNTIME=${1:-deno}
MODES=${RUNTIME_MODES:-${2:-cachewise}}
RULES=${3:-1000}
DURATION=${DURATION:-8s}
PORT=${PORT:-8431}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
RULES=$RULES ./node_modules/.bin/deno run -A bench/wrk_paths.ts > "$WORK/paths"
export PATHS=$WORK/paths

for mode in $MODES; do
  case $RUNTIME in
    deno) MODE=$mode RULES=$RULES PORT=$PORT taskset -c 0 ./node_modules/.bin/deno run -A \
      --v8-flags=--perf-basic-prof,--logfile="$WORK/v8.log",--no-logfile-per-isolate \
      bench/serve_app.ts > "$WORK/server.out" 2>&1 & ;;
    bun) MODE=$mode RULES=$RULES PORT=$PORT taskset -c 0 ./node_modules/.bin/bun \
      bench/serve_app.ts > "$WORK/server.out" 2>&1 & ;;
  esac
  server=$!
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/" > /dev/null 2>&1 && break
    sleep 0.1
  done
  taskset -c 1 wrk -t1 -c32 -d3s -s bench/wrk_urls.lua "http://127.0.0.1:$PORT" > /dev/null
  perf record -q -e task-clock -F 4000 -p "$server" -o "$WORK/perf.data" -- \
    taskset -c 1 wrk -t1 -c32 -d"$DURATION" -s bench/wrk_urls.lua "http://127.0.0.1:$PORT" \
    > "$WORK/wrk.out" 2> /dev/null
  kill "$server"
  wait "$server" 2> /dev/null || true
  requests=$(awk '/requests in/ { print $1 }' "$WORK/wrk.out")
  echo "== $RUNTIME $mode, $RULES rules: $requests requests"
  perf report -i "$WORK/perf.data" --no-children --sort dso,symbol --stdio -g none -n \
    --percent-limit 0 2> /dev/null |
    REQUESTS=$requests FREQUENCY=4000 ./node_modules/.bin/deno run -A bench/perf_summary.ts
done

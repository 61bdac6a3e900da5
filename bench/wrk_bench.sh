#!/usr/bin/env bash
# Hello-world servers (bench/serve_app.ts) on loopback under wrk (apt-get install -y wrk), on Deno
# and on Bun: by default the handler that writes its own caching headers (`direct`) against the
# same handler wrapped in withCacheHeaders() (`cachewise`), over 1,000 synthetic rules (every
# request a distinct URL) and over the 50 rules of a realistic site (its weighted traffic). The
# modes take turns within each round; RULESETS, RUNTIMES and rounds are the outer loops.
#
#   bash bench/wrk_bench.sh
#   PIN=1 ROUNDS=7 bash bench/wrk_bench.sh                                  # the overhead table
#   MODES="plain direct floor explain cachewise" RULESETS=1000 bash bench/wrk_bench.sh   # the floor
#
# Each line gives throughput, and the server's CPU time per request (user + system, all its
# threads, from /proc), which other processes on the machine disturb less than throughput. At the
# end, per rule set and runtime: the median and range over the rounds of each mode's CPU time per
# request, of `cachewise` minus `direct` (the overhead) and of the throughput of `cachewise` over
# `direct`, each taken within a round.
#
# With WAIT_IDLE=90, each measurement waits (up to 10 minutes) until the machine has been at least
# 90 % idle for 3 s. With PIN=1 the server runs on CPU 0 and wrk on CPU 1 (taskset), so that the
# two do not take turns on the same core. With HANDLER_TIME=1 each line also gives the time the
# server spent in the handler per request (bench/serve_app.ts times each call; the two clock reads
# it adds are counted in every mode alike).
#
# Results: BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8401}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-6s}
WARMUP=${WARMUP:-3s}
CONNECTIONS=${CONNECTIONS:-32}
MODES=${MODES:-direct cachewise}
RULESETS=${RULESETS:-1000 site}
RUNTIMES=${RUNTIMES:-deno bun}
WAIT_IDLE=${WAIT_IDLE:-0}
PIN=${PIN:-0}
HANDLER_TIME=${HANDLER_TIME:-0}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
SERVER_OUT=$WORK/server.out
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

cpu_ticks() { # user and system ticks of a process, all threads
  awk '{ print $14, $15 }' "/proc/$1/stat"
}

serve() { # runtime mode rules
  case $1 in
    deno) MODE=$2 RULES=$3 PORT=$PORT HANDLER_TIME=$HANDLER_TIME "${SERVER_CPU[@]}" \
      ./node_modules/.bin/deno run -A bench/serve_app.ts > "$SERVER_OUT" & ;;
    bun) MODE=$2 RULES=$3 PORT=$PORT HANDLER_TIME=$HANDLER_TIME "${SERVER_CPU[@]}" \
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

for rules in $RULESETS; do
  RULES=$rules ./node_modules/.bin/deno run -A bench/wrk_paths.ts > "$WORK/paths-$rules"
done

for round in $(seq 1 "$ROUNDS"); do
  for rules in $RULESETS; do
    for runtime in $RUNTIMES; do
      for mode in $MODES; do
        wait_idle
        serve "$runtime" "$mode" "$rules"
        export PATHS=$WORK/paths-$rules
        "${WRK_CPU[@]}" wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" -s bench/wrk_urls.lua \
          "http://127.0.0.1:$PORT" > /dev/null
        load=$(cut -d' ' -f1 /proc/loadavg)
        read -r user_before system_before < <(cpu_ticks "$server")
        [ "$HANDLER_TIME" = 1 ] && kill -USR2 "$server"
        result=$("${WRK_CPU[@]}" wrk -t1 -c"$CONNECTIONS" -d"$DURATION" -s bench/wrk_urls.lua \
          "http://127.0.0.1:$PORT")
        read -r user_after system_after < <(cpu_ticks "$server")
        kill "$server"
        wait "$server" 2> /dev/null || true
        requests=$(awk '/Requests\/sec/ { print $2 }' <<< "$result")
        total=$(awk '/requests in/ { print $1 }' <<< "$result")
        latency=$(awk '/Latency/ { print $2 }' <<< "$result")
        cpu=$(awk -v u="$((user_after - user_before))" -v s="$((system_after - system_before))" \
          -v hz="$TICKS" -v n="$total" 'BEGIN { printf "%.2f %.2f", (u + s) / hz * 1e6 / n, u / hz * 1e6 / n }')
        user=${cpu#* }
        cpu=${cpu% *}
        handler=""
        [ "$HANDLER_TIME" = 1 ] && handler=" $(grep -o 'handler-us/request [0-9.]*' "$SERVER_OUT")"
        echo "round $round rules $rules $runtime $mode requests/s $requests latency-avg $latency" \
          "server-cpu-us/request $cpu$handler load $load user-us/request $user" | tee -a "$WORK/lines"
      done
    done
  done
done

# The summary: medians and ranges over the rounds, the differences and ratios taken per round.
awk '
  function median(list, n,   values, i, j, t) {
    n = split(list, values, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
      if (values[j] + 0 < values[i] + 0) { t = values[i]; values[i] = values[j]; values[j] = t }
    low = values[1]; high = values[n]
    return n % 2 ? values[(n + 1) / 2] : (values[n / 2] + values[n / 2 + 1]) / 2
  }
  function show(label, list,   m) {
    if (list == "") return
    m = median(list)
    printf "%s %.2f (%.2f-%.2f)\n", label, m, low, high
  }
  {
    key = $4 " rules " $5; cpu[key, $6, $2] = $12; rps[key, $6, $2] = $8; user[key, $6, $2] = $NF
    if ($13 == "handler-us/request") handler[key, $6, $2] = $14
    keys[key] = 1; modes[$6] = 1; if ($2 > rounds) rounds = $2
  }
  END {
    for (key in keys) {
      print "\n" key ":"
      for (mode in modes) {
        list = ""
        for (r = 1; r <= rounds; r++) if ((key, mode, r) in cpu) list = list " " cpu[key, mode, r]
        show("  " mode " server CPU us/request", list)
        list = ""
        for (r = 1; r <= rounds; r++) if ((key, mode, r) in user) list = list " " user[key, mode, r]
        show("  " mode " of which user us/request", list)
        list = ""
        for (r = 1; r <= rounds; r++) if ((key, mode, r) in handler) list = list " " handler[key, mode, r]
        show("  " mode " handler us/request", list)
      }
      over = ""; ratio = ""; overuser = ""
      for (r = 1; r <= rounds; r++) {
        if (!((key, "cachewise", r) in cpu) || !((key, "direct", r) in cpu)) continue
        over = over " " (cpu[key, "cachewise", r] - cpu[key, "direct", r])
        overuser = overuser " " (user[key, "cachewise", r] - user[key, "direct", r])
        ratio = ratio " " (rps[key, "cachewise", r] / rps[key, "direct", r])
      }
      show("  overhead, cachewise - direct, us/request", over)
      show("  the same in user time, us/request", overuser)
      show("  throughput cachewise / direct", ratio)
    }
  }
' "$WORK/lines"

#!/usr/bin/env bash
# The whole suite, as CI runs it: static checks, the npm build, the packed packages, then every
# test under Deno, Bun and Node. Run with `npm test`.
#
# Each step prints one line: ok or FAIL, its time, and a short summary (for a test runner, its
# counts). The full output of every step is kept in .tmp/test-logs/STEP.log; a step that fails
# prints its output. VERBOSE=1 prints everything as it runs. All steps run, and the last line
# sums the tests of the three runtimes; the exit status is 1 if any step failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
export NO_COLOR=1
LOGS=.tmp/test-logs
rm -rf "$LOGS" && mkdir -p "$LOGS"
failed=()
passed_total=0 failed_total=0 skipped_total=0

# step NAME SUMMARY-FUNCTION COMMAND...: runs COMMAND with its output in $LOGS/NAME.log.
step() {
  local name=$1 summarise=$2
  shift 2
  local log="$LOGS/${name// /_}.log" started=$SECONDS status
  if [[ -n ${VERBOSE:-} ]]; then
    printf '\n== %s\n' "$name"
    "$@" 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
  else
    "$@" >"$log" 2>&1
    status=$?
  fi
  local summary
  summary=$("$summarise" "$log")
  if [[ $status -eq 0 ]]; then
    printf 'ok    %-34s %4ss  %s\n' "$name" $((SECONDS - started)) "$summary"
  else
    failed+=("$name")
    printf 'FAIL  %-34s %4ss  %s (exit %s)\n' "$name" $((SECONDS - started)) "$summary" "$status"
    if [[ -z ${VERBOSE:-} ]]; then sed 's/^/  | /' "$log"; fi
  fi
}

# step_in_background NAME SUMMARY COMMAND...: `step` in the background, its line kept until
# `wait_for_steps` prints the lines in the order the steps were started.
background=()
step_in_background() {
  local name=$1
  (step "$@" >"$LOGS/${name// /_}.line") &
  background+=("$name:$!")
}
wait_for_steps() {
  local entry name line
  for entry in "${background[@]}"; do
    name=${entry%:*}
    wait "${entry##*:}"
    line="$LOGS/${name// /_}.line"
    cat "$line"
    if grep -q '^FAIL' "$line"; then failed+=("$name"); fi
  done
  background=()
}

# Summaries, each read from a step's log.
none() { :; }
last_line() { grep -v '^\s*$' "$1" | tail -n 1 | cut -c1-90; }
files_checked() { grep -Eo 'Checked [0-9]+ files?' "$1" | tail -n 1; }
checked_modules() { printf '%s modules type-checked' "$(grep -c '^Check ' "$1")"; }
smoke_lines() { grep -c '^ok' "$1" | sed 's/$/ checks: npm tarball on Node, Bun and Deno, JSR file set on Deno/'; }
# Test counts: "N passed, N failed, N skipped", added to the totals.
count() {
  passed_total=$((passed_total + $1)) failed_total=$((failed_total + $2))
  skipped_total=$((skipped_total + $3))
  printf '%s passed, %s failed, %s skipped' "$1" "$2" "$3"
}
deno_counts() {
  local line steps
  line=$(grep -E '^(ok|FAILED) \| ' "$1" | tail -n 1)
  count "$(grep -Eo '[0-9]+ passed' <<<"$line" | grep -Eo '[0-9]+' || echo 0)" \
    "$(grep -Eo '[0-9]+ failed' <<<"$line" | grep -Eo '[0-9]+' || echo 0)" \
    "$(grep -Eo '[0-9]+ ignored' <<<"$line" | grep -Eo '[0-9]+' || echo 0)"
  # Deno counts a describe() with its tests as one test of N steps.
  steps=$(grep -Eo 'passed \([0-9]+ steps\)' <<<"$line" | grep -Eo '[0-9]+' || true)
  if [[ -n $steps ]]; then printf ' (%s steps)' "$steps"; fi
}
bun_counts() {
  count "$(grep -Eo '^ *[0-9]+ pass$' "$1" | grep -Eo '[0-9]+' || echo 0)" \
    "$(grep -Eo '^ *[0-9]+ fail$' "$1" | grep -Eo '[0-9]+' || echo 0)" \
    "$(grep -Eo '^ *[0-9]+ skip$' "$1" | grep -Eo '[0-9]+' || echo 0)"
}
node_counts() {
  local get
  get() { grep -E "^# $1 [0-9]+$" "$2" | tail -n 1 | grep -Eo '[0-9]+' || echo 0; }
  count "$(get pass "$1")" "$(($(get fail "$1") + $(get cancelled "$1")))" "$(get skipped "$1")"
}
DOC_LINT=(mod.ts src/adapters/{hono,elysia,node,workers,debug,matrix}.ts src/generate/mod.ts src/audit/mod.ts src/purge/mod.ts cli.ts)

step "deno fmt --check" files_checked deno fmt --check
step "deno lint" files_checked deno lint
step "deno check" checked_modules deno check mod.ts cli.ts src/ tests/ examples/ bench/ scripts/
step "deno doc --lint (JSDoc on exports)" none deno doc --lint "${DOC_LINT[@]}"
step "deno publish --dry-run" last_line deno publish --dry-run --allow-dirty
step "manifests agree" last_line node scripts/check_manifests.mjs
step "npm build (tsup)" none tsup --silent
step "publint --strict" last_line publint --strict
step "arethetypeswrong" none attw --pack . --profile esm-only --format ascii
step "packed packages" smoke_lines bash scripts/smoke_packages.sh
# The three runtimes run side by side (SERIAL=1 runs them one after another): much of their time
# is spent waiting on daemons and sockets. On the 2-core development machine (2026-12-06) the three
# took 185 s side by side, against 339 s one after another (138 + 58 + 143 s).
runtimes=(
  "deno test (and JSDoc examples)|deno_counts|deno test -A --doc mod.ts cli.ts src/ tests/"
  "bun test|bun_counts|bun test --timeout 60000 tests/"
  "node --test|node_counts|node --import tsx --test --test-reporter=tap tests/*_test.ts"
)
for runtime in "${runtimes[@]}"; do
  IFS='|' read -r name summary command <<<"$runtime"
  # shellcheck disable=SC2086 # the command is split into words on purpose (tests/*_test.ts too)
  if [[ -n ${SERIAL:-} || -n ${VERBOSE:-} ]]; then step "$name" "$summary" $command
  else step_in_background "$name" "$summary" $command; fi
done
wait_for_steps

# The totals, read again from the logs: each summary above ran in a subshell.
passed_total=0 failed_total=0 skipped_total=0
deno_counts "$LOGS/deno_test_(and_JSDoc_examples).log" >/dev/null
bun_counts "$LOGS/bun_test.log" >/dev/null
node_counts "$LOGS/node_--test.log" >/dev/null
if [[ ${#failed[@]} -gt 0 ]]; then
  printf '\nfailed: %s (logs in %s/)\n' "$(IFS=,; echo "${failed[*]}")" "$LOGS"
fi
printf 'tests: %s passed, %s failed, %s skipped\n' "$passed_total" "$failed_total" "$skipped_total"
[[ ${#failed[@]} -eq 0 ]]

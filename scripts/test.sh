#!/usr/bin/env bash
# `make test`: every check, in two lanes run at once.
#
#   web lane:    the browser journeys (after the SPA's build), the SPA's lint and unit tests
#   python lane: ruff, mypy, the compose check, migrations, the backend suites, Schemathesis
#
# The browser journeys spend much of their time waiting (for the backend's polls, live
# events, animations), so the other lane's work fills the cores they leave idle. Each step's output goes to a log; a line per step
# says how it went, and a failing step's log is printed whole. TEST_LANES=1 runs the
# steps one after another (each step's output as it comes).
set -uo pipefail
cd "$(dirname "$0")/.."

# TEST_WEB_STEPS / TEST_PYTHON_STEPS: other steps (Makefile targets) for a lane.
read -ra web <<<"${TEST_WEB_STEPS:-e2e test-frontend}"
read -ra python <<<"${TEST_PYTHON_STEPS:-lint typecheck check-compose migrations-check test-backend schemathesis}"
logs="${TEST_LOGS:-$(mktemp -d -t evodash-test.XXXXXX)}"
mkdir -p "$logs"
started=$(date +%s)

if [ "${TEST_LANES:-2}" = 1 ]; then
  for step in "${python[@]}" "${web[@]}"; do
    make --no-print-directory "$step" || exit 1
  done
  echo "make test: every step passed in $(($(date +%s) - started)) s"
  exit 0
fi

# The user + system CPU of a step's processes, from the second line of bash's `times`
# ("0m41.120s 0m3.460s").
step_cpu() {
  sed -n 2p "$1" | awk '{
    total = 0
    for (i = 1; i <= 2; i++) { split($i, part, "m"); total += part[1] * 60 + part[2] }
    printf "%.0f", total
  }'
}

# Runs the steps of one lane in order; stops the lane at the first failure.
lane() {
  local name=$1 step t0 code
  shift
  for step in "$@"; do
    t0=$(date +%s)
    # In a subshell, so that `times` counts this step's processes only (those it waited
    # for): the CPU a step costs, beside its wall time, since the two lanes share the cores.
    (
      make --no-print-directory "$step" >"$logs/$step.log" 2>&1
      code=$?
      times >"$logs/$step.times"
      exit "$code"
    )
    code=$?
    if [ "$code" -ne 0 ]; then
      printf '[%s] FAILED %s after %d s; its output (%s):\n' \
        "$name" "$step" "$(($(date +%s) - t0))" "$logs/$step.log"
      cat "$logs/$step.log"
      echo "$step" >"$logs/failed-$name"
      return "$code"
    fi
    printf '[%s] ok %s (%d s, %s s of CPU)\n' "$name" "$step" "$(($(date +%s) - t0))" \
      "$(step_cpu "$logs/$step.times")"
    # A journey that failed and passed on CI's retry is a defect too: name it, even when
    # the step passed.
    if grep -qE '^ +[0-9]+ flaky$' "$logs/$step.log"; then
      printf '[%s] %s: passed only on a retry:\n' "$name" "$step"
      sed -n '/^ *[0-9]\+ flaky$/,/^ *[0-9]\+ \(skipped\|passed\)/p' "$logs/$step.log" | grep '›' || true
      sed -n '/^--- the page when /,$p' "$logs/$step.log"
    fi
  done
}

# Both lanes need the dependencies: install them once, before the lanes start. pip and npm
# at once (-j2): 37 s -> 31 s in a fresh clone.
make --no-print-directory -j2 install || exit 1
echo "make test: two lanes at once; each step's log in $logs"
lane web "${web[@]}" &
web_pid=$!
lane python "${python[@]}" &
python_pid=$!
wait "$web_pid"
web_code=$?
wait "$python_pid"
python_code=$?
elapsed=$(($(date +%s) - started))
if [ "$web_code" -ne 0 ] || [ "$python_code" -ne 0 ]; then
  # The failing tests again, last: a long log (a backend's output after Playwright's report,
  # say) must not push them out of a CI page that shows only the end.
  for failed in "$logs"/failed-*; do
    [ -e "$failed" ] || continue
    step=$(cat "$failed")
    echo "make test: what failed in $step:"
    grep -E '✘|^ +[0-9]+ (failed|flaky)$|^ +\[(desktop|phone)\] › |^(FAILED|ERROR) |^ *FAIL |Error: |error TS|^\S+:[0-9]+:[0-9]+: [A-Z]+[0-9]+ ' \
      "$logs/$step.log" | tail -n 40
  done
  echo "make test: FAILED after $elapsed s (web lane exit $web_code, python lane exit $python_code)"
  exit 1
fi
times >"$logs/all.times"
echo "make test: every step passed in $elapsed s ($(step_cpu "$logs/all.times") s of CPU)"

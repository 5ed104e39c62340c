#!/usr/bin/env bash
# Browser end-to-end tests against the real stack: a fresh SQLite database, the built SPA
# served by `evodash run`, and `evodash simulator` as the Evolution server, all on
# loopback. Extra arguments go to `playwright test`.
#
# E2E_SHARDS=N (default 1) splits the specs into N Playwright shards run at once, each
# against a stack of its own (database, backend, simulator): the journeys spend much of
# their time waiting for the backend's polls and live events, so two shards use two cores
# better than one. Each shard's output is printed when it ends.
#
# The specs get: E2E_BASE_URL, E2E_ADMIN_USER, E2E_ADMIN_PASSWORD, E2E_SIM_URL, E2E_SIM_KEY.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/.venv/bin"
work="$(mktemp -d -t evodash-e2e.XXXXXX)"
shards="${E2E_SHARDS:-1}"
[[ "$shards" =~ ^[1-9][0-9]?$ ]] || { echo "e2e: E2E_SHARDS must be 1-99" >&2; exit 2; }
sim_key="e2e-evolution-key"
password="$("$bin/python" -c 'import secrets; print(secrets.token_urlsafe(18))')"
pids=()

cleanup() {
  local code=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  # What the page showed when a journey failed, one that passed on its retry included:
  # Playwright writes it to test-results/ (emptied when a run starts), and in CI the log is
  # all that is left of a run (a page that crashed at start, say, shows as its error page).
  local context
  for context in "$root"/frontend/test-results/*/error-context.md \
    "$root"/frontend/test-results/shard-*/*/error-context.md; do
    [ -e "$context" ] || continue
    echo "--- the page when $(basename "$(dirname "$context")") failed ---"
    sed -n '/^```yaml$/,/^```$/p' "$context" | head -n 80
  done
  if [ "$code" -ne 0 ]; then
    for dir in "$work"/stack-*; do
      echo "--- $(basename "$dir"): backend log (tail) ---"; tail -n 60 "$dir/api.log" 2>/dev/null || true
      echo "--- $(basename "$dir"): simulator log (tail) ---"; tail -n 30 "$dir/sim.log" 2>/dev/null || true
    done
  fi
  rm -rf "$work"
  exit "$code"
}
trap cleanup EXIT INT TERM

# ENVIRONMENT=test: development's behaviour with argon2 at its cheapest (core/security.py).
# At production cost every login and every created user took ~0.4 s of both cores, and
# the journeys log in some 30 times; the hashing cost is measured in bench/, not here.
export ENVIRONMENT=test
export FRONTEND_DIST="$root/frontend/dist"
export BOOTSTRAP_ADMIN=false STATUS_SYNC_INTERVAL_SECONDS=0 LOG_LEVEL=WARNING
# Alert checks every second: the alerts journey sets thresholds of seconds through the API.
export ALERT_CHECK_INTERVAL_SECONDS=1
export ALLOWED_PHONE_NUMBERS=""
# Relays go to the simulator's sinks on loopback, each attempt once (no automatic retry).
export FORWARD_ALLOW_PRIVATE_NETWORKS=true FORWARD_MAX_ATTEMPTS=1

# Starts stack number $1 in $work/stack-$1 and writes its "api_port sim_port" to $work/stack-$1/ports.
start_stack() {
  local dir="$work/stack-$1" api_port sim_port
  mkdir -p "$dir"
  read -r api_port sim_port < <("$bin/python" - <<'PY'
import socket
ports = []
socks = []
for _ in range(2):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s); ports.append(s.getsockname()[1])
print(*ports)
PY
)
  # Each stack's processes inherit these when they start (stacks start one after another).
  export DATA_DIR="$dir/data" MEDIA_ROOT="$dir/data/media"
  export DATABASE_URL="sqlite+aiosqlite:///$dir/data/evodash.db"
  export PUBLIC_BASE_URL="http://127.0.0.1:$api_port"
  "$bin/evodash" migrate >/dev/null
  EVODASH_ADMIN_PASSWORD="$password" "$bin/evodash" createsuperuser \
    --username e2e --email e2e@example.com </dev/null >/dev/null
  # No short --qr-interval: the journeys rotate a QR code when they mean to
  # (/_sim/instances/<name>/qrcode); one every few seconds by itself was only traffic, and
  # could pass for the rotation the reconnect journey checks the page shows.
  "$bin/evodash" simulator --port "$sim_port" --api-key "$sim_key" \
    >"$dir/sim.log" 2>&1 &
  pids+=($!)
  "$bin/evodash" run --port "$api_port" --no-migrate >"$dir/api.log" 2>&1 &
  pids+=($!)
  echo "$api_port $sim_port" >"$dir/ports"
}

for ((i = 1; i <= shards; i++)); do start_stack "$i"; done
for ((i = 1; i <= shards; i++)); do
  read -r api_port sim_port <"$work/stack-$i/ports"
  for url in "http://127.0.0.1:$api_port/readyz" "http://127.0.0.1:$sim_port/"; do
    for _ in $(seq 1 150); do
      curl -fsS -o /dev/null "$url" 2>/dev/null && break
      sleep 0.2
    done
    curl -fsS -o /dev/null "$url" || { echo "e2e: $url did not come up" >&2; exit 1; }
  done
done

cd "$root/frontend"
# Runs Playwright against stack $1 with the remaining arguments.
playwright() {
  local api_port sim_port
  read -r api_port sim_port <"$work/stack-$1/ports"
  shift
  E2E_BASE_URL="http://127.0.0.1:$api_port" \
  E2E_ADMIN_USER=e2e E2E_ADMIN_PASSWORD="$password" \
  E2E_SIM_URL="http://127.0.0.1:$sim_port" E2E_SIM_KEY="$sim_key" \
    npx playwright test "$@"
}

if [ "$shards" -eq 1 ]; then
  playwright 1 "$@"
  exit $?
fi
runs=()
for ((i = 1; i <= shards; i++)); do
  PLAYWRIGHT_HTML_OUTPUT_DIR="playwright-report/shard-$i" \
    playwright "$i" --shard="$i/$shards" --output="test-results/shard-$i" "$@" \
    >"$work/shard-$i.log" 2>&1 &
  runs+=($!)
done
status=0
for ((i = 1; i <= shards; i++)); do
  wait "${runs[i - 1]}" || status=1
  echo "--- shard $i/$shards ---"
  cat "$work/shard-$i.log"
done
exit "$status"

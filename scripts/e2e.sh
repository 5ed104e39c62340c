#!/usr/bin/env bash
# Browser end-to-end tests against the real stack: a fresh SQLite database, the built SPA
# served by `evodash run`, and `evodash simulator` as the Evolution server, all on
# loopback. Extra arguments go to `playwright test`.
#
# The specs get: E2E_BASE_URL, E2E_ADMIN_USER, E2E_ADMIN_PASSWORD, E2E_SIM_URL, E2E_SIM_KEY.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/.venv/bin"
work="$(mktemp -d -t evodash-e2e.XXXXXX)"
read -r api_port sim_port < <("$bin/python" - <<'PY'
import socket
ports = []
socks = []
for _ in range(2):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s); ports.append(s.getsockname()[1])
print(*ports)
PY
)
sim_key="e2e-evolution-key"
password="$("$bin/python" -c 'import secrets; print(secrets.token_urlsafe(18))')"
pids=()

cleanup() {
  local code=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$code" -ne 0 ]; then
    echo "--- backend log (tail) ---"; tail -n 60 "$work/api.log" 2>/dev/null || true
    echo "--- simulator log (tail) ---"; tail -n 30 "$work/sim.log" 2>/dev/null || true
  fi
  rm -rf "$work"
  exit "$code"
}
trap cleanup EXIT INT TERM

export ENVIRONMENT=development
export DATA_DIR="$work/data" MEDIA_ROOT="$work/data/media"
export DATABASE_URL="sqlite+aiosqlite:///$work/data/evodash.db"
export PUBLIC_BASE_URL="http://127.0.0.1:$api_port"
export FRONTEND_DIST="$root/frontend/dist"
export BOOTSTRAP_ADMIN=false STATUS_SYNC_INTERVAL_SECONDS=0 LOG_LEVEL=WARNING
# Alert checks every second: the alerts journey sets thresholds of seconds through the API.
export ALERT_CHECK_INTERVAL_SECONDS=1
export ALLOWED_PHONE_NUMBERS=""
# Relays go to the simulator's sinks on loopback, each attempt once (no automatic retry).
export FORWARD_ALLOW_PRIVATE_NETWORKS=true FORWARD_MAX_ATTEMPTS=1

"$bin/evodash" migrate >/dev/null
EVODASH_ADMIN_PASSWORD="$password" "$bin/evodash" createsuperuser \
  --username e2e --email e2e@example.com </dev/null >/dev/null

"$bin/evodash" simulator --port "$sim_port" --api-key "$sim_key" --qr-interval 4 \
  >"$work/sim.log" 2>&1 &
pids+=($!)
"$bin/evodash" run --port "$api_port" --no-migrate >"$work/api.log" 2>&1 &
pids+=($!)

for url in "http://127.0.0.1:$api_port/readyz" "http://127.0.0.1:$sim_port/"; do
  for _ in $(seq 1 150); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && break
    sleep 0.2
  done
  curl -fsS -o /dev/null "$url" || { echo "e2e: $url did not come up" >&2; exit 1; }
done

cd "$root/frontend"
E2E_BASE_URL="http://127.0.0.1:$api_port" \
E2E_ADMIN_USER=e2e E2E_ADMIN_PASSWORD="$password" \
E2E_SIM_URL="http://127.0.0.1:$sim_port" E2E_SIM_KEY="$sim_key" \
  npx playwright test "$@"

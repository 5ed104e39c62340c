"""Schemathesis against the really running app: every operation, authenticated as an admin.

Starts, on loopback ports: ``evodash simulator`` (the Evolution server) and ``evodash run``
on a fresh SQLite database in a temporary folder; creates an admin; seeds a server (the
simulator), instances (one connected), messages, webhook events and a forward delivery so
that the ids schemathesis tries first (1, 2) find real rows; then runs ``schemathesis run``
with ``scripts/schemathesis.toml`` and prints how long the whole thing took.

Extra arguments go to ``schemathesis run`` (e.g. ``--include-path-regex /api/jobs``).
Exit code: schemathesis's (0: no failure).
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SIM_KEY = "schemathesis-evolution-key"
USERNAME = "fuzzer"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"schemathesis: {url} exited early:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"schemathesis: {url} did not come up:\n{log.read_text()[-3000:]}")


def _seed(api: str, sim: str, password: str) -> str:
    """Rows behind the small ids, so that positive cases reach the code behind the lookups."""
    with httpx.Client(base_url=api, timeout=30) as client:
        token = client.post(
            "/api/auth/token", data={"username": USERNAME, "password": password}
        ).raise_for_status()
        client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        other = client.post(
            "/api/users", json={"username": "outro-admin", "role": "admin"}
        ).raise_for_status()
        assert other.json()["user"]["id"] == 2, other.text
        server = client.post(
            "/api/servers", json={"name": "Simulator", "base_url": sim, "api_key": SIM_KEY}
        ).raise_for_status()
        server_id = server.json()["id"]
        instances = []
        for name in ("loja-centro", "loja-norte"):
            created = client.post(
                "/api/instances",
                json={"server_id": server_id, "name": name, "display_name": name.title()},
            ).raise_for_status()
            instances.append(created.json())
        client.post(f"/api/instances/{instances[0]['id']}/connect").raise_for_status()
        client.post(
            f"/api/instances/{instances[0]['id']}/destinations",
            # A public name (loopback is refused, SSRF guard): its attempts fail, and so
            # leave deliveries to list and retry.
            json={"name": "crm", "url": "https://hooks.example.com/evodash"},
        ).raise_for_status()
    with httpx.Client(base_url=sim, headers={"apikey": SIM_KEY}, timeout=30) as simulator:
        simulator.post(
            "/_sim/instances/loja-centro/scan",
            json={"number": "5511987654321", "profileName": "Loja Centro"},
        ).raise_for_status()
        for text in ("Oi, tudo bem?", "Segue o boleto"):
            simulator.post(
                "/_sim/instances/loja-centro/messages",
                json={"from": "5511912345678", "text": text},
            ).raise_for_status()
        simulator.post(
            "/_sim/instances/loja-centro/messages",
            json={"from": "5511912345678", "type": "image", "image": {"kind": "pix"}},
        ).raise_for_status()
        # The receiver authenticates Evolution with the instance's secret: the run sends
        # instance 1's, as the simulator has it in its webhook configuration.
        hook = simulator.get("/webhook/find/loja-centro").raise_for_status().json()
        secret: str = hook["headers"]["x-evodash-secret"]
    # Webhooks arrive asynchronously; wait until the messages are stored.
    with httpx.Client(base_url=api, timeout=30) as client:
        client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        for _ in range(100):
            # The job need not be done: a row is enough for its routes (OCR takes seconds).
            if client.get("/api/jobs").json()["items"]:
                break
            time.sleep(0.1)
    return secret


def main(argv: list[str]) -> int:
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="evodash-schemathesis-"))
    api_port, sim_port = _free_port(), _free_port()
    api, sim = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{sim_port}"
    password = secrets.token_urlsafe(18)
    env = {
        **os.environ,
        # development's behaviour with argon2 at its cheapest (core/security.py), as in the
        # browser journeys: the fuzzed logins, password changes and new users each cost a
        # production hash otherwise (back to back: 200 -> 177 s of CPU for the whole run).
        "ENVIRONMENT": "test",
        "DATA_DIR": str(work / "data"),
        "MEDIA_ROOT": str(work / "data" / "media"),
        "DATABASE_URL": f"sqlite+aiosqlite:///{work / 'data' / 'evodash.db'}",
        "PUBLIC_BASE_URL": api,
        "FRONTEND_DIST": str(work / "no-spa"),
        "BOOTSTRAP_ADMIN": "false",
        "STATUS_SYNC_INTERVAL_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        "ALLOWED_PHONE_NUMBERS": "",
        # Evolution calls to addresses nothing listens on fail fast (502), not after 15 s.
        "EVOLUTION_TIMEOUT_SECONDS": "3",
        "EVOLUTION_CONNECT_TIMEOUT_SECONDS": "1",
        "EVOLUTION_READ_RETRIES": "0",
        # The run logs in again whenever a case revoked its token (password reset, logout,
        # "log out everywhere"), from the address its fuzzed wrong logins come from too:
        # the login throttle must not lock it out (docs/security.md; tested elsewhere).
        "LOGIN_MAX_ATTEMPTS": "100000",
        "LOGIN_MAX_ATTEMPTS_PER_ADDRESS": "100000",
        # The seeded destination and alert webhooks are the simulator's sinks on loopback.
        "FORWARD_ALLOW_PRIVATE_NETWORKS": "true",
        "EVODASH_FUZZ_USER": USERNAME,
        "EVODASH_FUZZ_PASSWORD": password,
        # The admin created first below: scripts/schemathesis_hooks.py spares it.
        "EVODASH_FUZZ_USER_ID": "1",
        "EVODASH_FUZZ_OTHER_ADMIN_ID": "2",
        "PYTHONPATH": str(ROOT / "scripts"),
    }
    env.pop("TEST_DATABASE_URL", None)
    processes: list[subprocess.Popen[bytes]] = []
    code = 1
    try:
        subprocess.run([BIN / "evodash", "migrate"], env=env, check=True, capture_output=True)
        subprocess.run(
            [BIN / "evodash", "createsuperuser", "--username", USERNAME, "--email", "f@x.org"],
            env={**env, "EVODASH_ADMIN_PASSWORD": password},
            check=True,
            capture_output=True,
            stdin=subprocess.DEVNULL,
        )
        sim_log, api_log = work / "sim.log", work / "api.log"
        with sim_log.open("wb") as out:
            processes.append(
                subprocess.Popen(
                    [BIN / "evodash", "simulator", "--port", str(sim_port), "--api-key", SIM_KEY],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
        with api_log.open("wb") as out:
            processes.append(
                subprocess.Popen(
                    [BIN / "evodash", "run", "--port", str(api_port), "--no-migrate"],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
        _wait_for(f"{sim}/", processes[0], sim_log)
        _wait_for(f"{api}/readyz", processes[1], api_log)
        env["EVODASH_FUZZ_WEBHOOK_SECRET"] = _seed(api, sim, password)
        command = [
            str(BIN / "schemathesis"),
            "--config-file",
            str(ROOT / "scripts" / "schemathesis.toml"),
            "run",
            f"{api}/openapi.json",
            *argv,
        ]
        setup = time.monotonic() - started
        code = subprocess.run(command, env=env, cwd=work).returncode
        print(f"schemathesis: setup {setup:.1f} s, run {time.monotonic() - started - setup:.1f} s")
        if code != 0:
            print("--- backend log (tail) ---")
            print(api_log.read_text()[-6000:])
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)
        print(f"schemathesis: finished in {time.monotonic() - started:.1f} s (exit {code})")
    return code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Real servers on loopback for the benchmarks, each in a process of its own.

- :func:`evodash_process`: ``evodash run --no-migrate`` (uvicorn, one process, as in
  production) with settings given as environment variables;
- :func:`worker_process`: ``evodash worker`` beside it;
- :class:`DelayedEvolution`: a tiny Evolution stand-in answering every call after a fixed
  delay, served by :func:`delayed_evolution_process` (its own interpreter, so its CPU work
  never competes with the measured process for a GIL).

Both run ``sys.executable``, so the benchmarks use the project's virtualenv.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx

ROOT = Path(__file__).resolve().parents[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time used so far by process ``pid`` (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing answered on {url} after {timeout:.0f} s")


@contextmanager
def serve(
    argv: list[str], probe: str, *, env: Mapping[str, str] | None = None, cwd: Path = ROOT
) -> Iterator[int]:
    """Run ``argv`` until the block ends, once ``probe`` answers; yields the process id."""
    process = subprocess.Popen(argv, cwd=cwd, env=dict(env) if env is not None else None)
    try:
        wait_until_up(probe, process)
        yield process.pid
    finally:
        stop(process, grace=15)


def stop(process: subprocess.Popen[bytes], *, grace: float) -> None:
    """SIGTERM, then SIGKILL when ``process`` has not exited after ``grace`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def evodash_process(settings: Mapping[str, str], workdir: Path) -> Iterator[tuple[str, int]]:
    """``evodash run --no-migrate`` on a free loopback port with ``settings`` (environment
    variables such as ``DATABASE_URL``) on top of quiet benchmark defaults; yields its base
    URL and process id. Runs in ``workdir`` so no ``.env`` file is read."""
    port = free_port()
    env = {
        **os.environ,
        "ENVIRONMENT": "production",
        "DATA_DIR": str(workdir / "data"),
        "MEDIA_ROOT": str(workdir / "data" / "media"),
        "FRONTEND_DIST": str(workdir / "no-frontend"),
        "BOOTSTRAP_ADMIN": "false",
        "EMBEDDED_WORKER": "false",
        "STATUS_SYNC_INTERVAL_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        **settings,
    }
    argv = [sys.executable, "-m", "evodash.cli", "run", "--no-migrate", "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    with serve(argv, f"{url}/healthz", env=env, cwd=workdir) as pid:
        yield url, pid


@contextmanager
def worker_process(settings: Mapping[str, str], workdir: Path) -> Iterator[int]:
    """``evodash worker --no-ocr`` with ``settings`` on top of quiet benchmark defaults,
    in ``workdir``; yields its process id."""
    env = {
        **os.environ,
        "ENVIRONMENT": "production",
        "DATA_DIR": str(workdir / "data"),
        "MEDIA_ROOT": str(workdir / "data" / "media"),
        "LOG_LEVEL": "WARNING",
        **settings,
    }
    argv = [sys.executable, "-m", "evodash.cli", "worker", "--no-ocr"]
    process = subprocess.Popen(argv, cwd=workdir, env=env)
    try:
        yield process.pid
    finally:
        stop(process, grace=30)


@contextmanager
def profiled(pid: int, out: Path | None) -> Iterator[None]:
    """``py-spy record`` process ``pid`` while the block runs, into ``out`` (collapsed
    stacks, one per line); nothing when ``out`` is None. Needs ``pip install py-spy``."""
    if out is None:
        yield
        return
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    argv = [spy, "record", "--pid", str(pid), "--rate", "100", "--nonblocking"]
    argv += ["--format", "raw", "--output", str(out)]
    recorder = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        recorder.send_signal(signal.SIGINT)  # py-spy writes its output when interrupted
        recorder.wait(timeout=60)
        print(f"  profile: {out}")


class DelayedEvolution:
    """Answers ``connectionState`` (open), ``webhook/find`` (null) and ``fetchInstances``
    (``[]``) after ``delay`` seconds each, and ``GET /_stats`` at once: calls served per
    route and the most served at the same time (``DELETE /_stats`` resets them)."""

    def __init__(self, delay: float = 0.1) -> None:
        self.delay = delay
        self.calls: dict[str, int] = {}
        self.in_flight: dict[str, int] = {}
        self.max_in_flight: dict[str, int] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        if path == "/_stats":
            stats = {"calls": self.calls, "max_in_flight": self.max_in_flight}
            if scope["method"] == "DELETE":
                self.calls, self.max_in_flight = {}, {}
            await _send_json(send, 200, stats)
            return
        route, _, name = path.lstrip("/").rpartition("/")
        self.calls[route] = self.calls.get(route, 0) + 1
        self.in_flight[route] = self.in_flight.get(route, 0) + 1
        self.max_in_flight[route] = max(self.max_in_flight.get(route, 0), self.in_flight[route])
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.in_flight[route] -= 1
        if route == "instance/connectionState":
            state = {"instance": {"instanceName": unquote(name), "state": "open"}}
            await _send_json(send, 200, state)
        elif route == "webhook/find":
            await _send_json(send, 200, None)
        elif path == "/instance/fetchInstances":
            await _send_json(send, 200, [])
        else:
            missing = {"status": 404, "error": "Not Found", "response": {"message": ["nope"]}}
            await _send_json(send, 404, missing)


async def _send_json(send: Any, status: int, body: Any) -> None:
    payload = json.dumps(body).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


@contextmanager
def delayed_evolution_process(delay: float = 0.1) -> Iterator[str]:
    """Serve :class:`DelayedEvolution` from a separate process; yields its base URL."""
    port = free_port()
    code = (
        "import uvicorn\n"
        "from bench.servers import DelayedEvolution\n"
        f"uvicorn.run(DelayedEvolution({delay!r}), host='127.0.0.1', port={port}, "
        "lifespan='off', log_level='warning', access_log=False, backlog=4096)\n"
    )
    url = f"http://127.0.0.1:{port}"
    with serve([sys.executable, "-c", code], f"{url}/_stats"):
        yield url

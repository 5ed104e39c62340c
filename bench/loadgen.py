"""A lean HTTP/1.1 load generator: N keep-alive connections for T seconds (or M requests).

Runs in its own process, so it never shares a core's GIL with the server it measures.
Requests are prebuilt bytes and responses are parsed by hand (status line, headers,
``Content-Length`` body): the client costs a few microseconds a request, far below what
an HTTP library would, so the server is what the figures measure.

    python -m bench.loadgen --url http://127.0.0.1:8000/healthz --seconds 10
    python -m bench.loadgen --url http://127.0.0.1:8000/api/webhooks/evolution/1 \\
        --webhook-secret S --instance-name acme --duplicates 0.1 --seconds 15 --mix upsert

With ``--webhook-secret`` every request posts an Evolution event (bodies from
:mod:`evodash.simulator.samples`). ``--mix upsert``: text ``messages.upsert`` events with a
new message id, or (``--duplicates`` of the time) the id of one of the last few hundred
events, which may still be in flight on another connection. ``--mix mixed``: 60 % of those,
30 % ``messages.update`` receipts of messages already acknowledged, 10 %
``connection.update`` (mostly ``open`` again, sometimes ``connecting``). Prints one JSON
object: counts per status, rates, latencies, the message ids and inbox event ids answered
2xx, and when each new message id was first sent (``time.monotonic()``, comparable across
processes on Linux).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import statistics
import sys
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

ID = "__MESSAGE_ID__"
TS = 1999999999
STATUS = "__STATUS__"
STATE = "__STATE__"
CLOCK = "__DATE_TIME__"
SENDER = "5521998765432"
_EVENT_ID = re.compile(rb'"event_id":\s*(\d+)')


def templates(instance: str) -> dict[str, str]:
    """Bodies with placeholders, serialized once (the simulator's shapes and sizes)."""
    from evodash.simulator import samples

    def dump(body: dict[str, Any]) -> str:
        return json.dumps(body, ensure_ascii=False)

    return {
        "upsert": dump(
            samples.text_upsert(
                instance,
                message_id=ID,
                sender=SENDER,
                text=f"Oi! Vocês abrem amanhã? ({ID})",
                timestamp=TS,
            )
        ),
        "update": dump(
            samples.status_update(instance, message_id=ID, sender=SENDER, status=STATUS)
        ),
        "connection": dump(samples.connection_update(instance, state=STATE, date_time=CLOCK)),
    }


@dataclass
class Requests:
    """Builds the next request; remembers which message ids were sent and acknowledged."""

    host: str
    path: str
    secret: str | None
    bodies: dict[str, str] | None
    duplicates: float
    mix: str = "upsert"
    rng: random.Random = field(default_factory=lambda: random.Random(20250115))
    recent: deque[str] = field(default_factory=lambda: deque(maxlen=256))
    acked: deque[str] = field(default_factory=lambda: deque(maxlen=256))
    serial: int = 0
    clock: int = 0
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:8].upper())
    duplicates_sent: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    first_sent: dict[str, float] = field(default_factory=dict)

    def _kind(self) -> str:
        if self.mix == "upsert":
            return "upsert"
        roll = self.rng.random()
        if roll < 0.6 or not self.acked:
            return "upsert"
        return "update" if roll < 0.9 else "connection"

    def _upsert(self, template: str) -> tuple[str, str | None]:
        if self.recent and self.rng.random() < self.duplicates:
            message_id = self.rng.choice(self.recent)
            self.duplicates_sent += 1
        else:
            self.serial += 1
            message_id = f"3EB0{self.run}{self.serial:012X}"
            self.recent.append(message_id)
            self.first_sent[message_id] = time.monotonic()
        body = template.replace(ID, message_id).replace(str(TS), str(1736950000 + self.serial))
        return body, message_id

    def next(self) -> tuple[bytes, str | None, str]:
        if self.bodies is None:
            head = f"GET {self.path} HTTP/1.1\r\nHost: {self.host}\r\n\r\n"
            return head.encode(), None, "get"
        kind = self._kind()
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        template = self.bodies[kind]
        message_id = None
        if kind == "upsert":
            body, message_id = self._upsert(template)
        elif kind == "update":
            status = self.rng.choice(("DELIVERY_ACK", "READ", "PLAYED"))
            body = template.replace(ID, self.rng.choice(self.acked)).replace(STATUS, status)
        else:
            self.clock += 1
            when = datetime(2025, 1, 15, tzinfo=UTC) + timedelta(milliseconds=self.clock * 7)
            state = "connecting" if self.rng.random() < 0.2 else "open"
            stamp = when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
            body = template.replace(STATE, state).replace(CLOCK, stamp)
        data = body.encode()
        head = (
            f"POST {self.path} HTTP/1.1\r\nHost: {self.host}\r\n"
            f"Content-Type: application/json\r\nx-evodash-secret: {self.secret}\r\n"
            f"Content-Length: {len(data)}\r\n\r\n"
        )
        return head.encode() + data, message_id, kind


@dataclass
class Results:
    statuses: dict[int, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    done_at: list[float] = field(default_factory=list)  # completion times of 2xx answers
    latencies: list[float] = field(default_factory=list)
    ok_ids: set[str] = field(default_factory=set)
    event_ids: list[int] = field(default_factory=list)
    sent: int = 0


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool, bytes]:
    """The status of one response, whether the server keeps the connection, and the body
    (when it has a ``Content-Length``)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip().lower()
    body = b""
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status, headers.get("connection") != "close", body


async def connection(
    host: str, port: int, requests: Requests, results: Results, deadline: float, limit: int
) -> None:
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    try:
        while time.perf_counter() < deadline and results.sent < limit:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            assert reader is not None
            results.sent += 1
            payload, message_id, kind = requests.next()
            started = time.perf_counter()
            try:
                writer.write(payload)
                status, keep, body = await read_response(reader)
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                name = type(exc).__name__
                results.errors[name] = results.errors.get(name, 0) + 1
                writer.close()
                reader = writer = None
                continue
            finished = time.perf_counter()
            results.statuses[status] = results.statuses.get(status, 0) + 1
            if 200 <= status < 300:
                results.done_at.append(finished)
                results.latencies.append((finished - started) * 1000)
                if message_id is not None:
                    results.ok_ids.add(message_id)
                    requests.acked.append(message_id)
                if kind != "get" and (found := _EVENT_ID.search(body)):
                    results.event_ids.append(int(found.group(1)))
            if not keep:
                writer.close()
                reader = writer = None
    finally:
        if writer is not None:
            writer.close()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    urls = [urlsplit(u) for u in args.url]
    url = urls[0]
    host, port = url.hostname or "127.0.0.1", url.port or 80
    # Several --url (one per API process, same path): connections are spread over them.
    targets = [(u.hostname or "127.0.0.1", u.port or 80) for u in urls]
    if any(h not in ("127.0.0.1", "localhost", "::1") for h, _ in targets):
        raise SystemExit("bench.loadgen only talks to loopback addresses")
    requests = Requests(
        host=f"{host}:{port}",
        path=url.path or "/",
        secret=args.webhook_secret,
        bodies=templates(args.instance_name) if args.webhook_secret else None,
        duplicates=args.duplicates,
        mix=args.mix,
    )
    results = Results()
    started = time.perf_counter()
    deadline = started + args.seconds
    await asyncio.gather(
        *(
            connection(*targets[i % len(targets)], requests, results, deadline, args.max_requests)
            for i in range(args.connections)
        )
    )
    ended = time.perf_counter()
    # The sustained rate: answers after the warm-up, over the time they took.
    window_start = started + min(args.warmup, args.seconds / 2)
    in_window = [t for t in results.done_at if t >= window_start]
    window = max(1e-9, (max(in_window) if in_window else ended) - window_start)
    lat = sorted(results.latencies or [0.0])
    return {
        "sent": results.sent,
        "statuses": {str(k): v for k, v in sorted(results.statuses.items())},
        "errors": results.errors,
        "ok": len(results.done_at),
        "seconds": round(ended - started, 3),
        "rate": len(in_window) / window,
        "overall_rate": len(results.done_at) / max(1e-9, ended - started),
        "p50_ms": statistics.median(lat),
        "p95_ms": lat[int(0.95 * (len(lat) - 1))],
        "p99_ms": lat[int(0.99 * (len(lat) - 1))],
        "max_ms": lat[-1],
        "duplicates_sent": requests.duplicates_sent,
        "kinds": requests.kinds,
        "ok_ids": sorted(results.ok_ids),
        "event_ids": results.event_ids,
        "first_sent": {k: v for k, v in requests.first_sent.items() if k in results.ok_ids},
        "ended_at": time.monotonic(),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--url",
        required=True,
        action="append",
        help="a loopback http:// URL; repeat it (same path) to spread the connections",
    )
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections")
    parser.add_argument("--seconds", type=float, default=10.0, help="stop sending after this")
    parser.add_argument("--max-requests", type=int, default=1_000_000, help="or after this many")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds left out of the rate")
    parser.add_argument("--webhook-secret", help="post text messages.upsert events")
    parser.add_argument("--instance-name", default="bench")
    parser.add_argument("--duplicates", type=float, default=0.1, help="share of repeated ids")
    parser.add_argument("--mix", choices=["upsert", "mixed"], default="upsert", help="events")
    return parser.parse_args(argv)


def main() -> None:
    args = parse_args()
    try:
        import uvloop
    except ImportError:  # uvloop comes with uvicorn[standard]; plain asyncio works too
        result = asyncio.run(run(args))
    else:
        result = uvloop.run(run(args))
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()

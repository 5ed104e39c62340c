"""A lean HTTP/1.1 load generator: N keep-alive connections for T seconds (or M requests).

Runs in its own process, so it never shares a core's GIL with the server it measures.
Requests are prebuilt bytes and responses are parsed by hand (status line, headers,
``Content-Length`` body): the client costs a few microseconds a request, far below what
an HTTP library would, so the server is what the figures measure.

    python -m bench.loadgen --url http://127.0.0.1:8000/healthz --seconds 10
    python -m bench.loadgen --url http://127.0.0.1:8000/api/webhooks/evolution/1 \\
        --webhook-secret S --instance-name acme --duplicates 0.1 --seconds 15

With ``--webhook-secret`` every request posts a text ``messages.upsert`` event with a new
message id, or (``--duplicates`` of the time) the id of one of the last few hundred
events, which may still be in flight on another connection. Prints one JSON object:
counts per status, rates, latencies and the ids answered 2xx.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

ID_PLACEHOLDER = "__MESSAGE_ID__"
TS_PLACEHOLDER = 1999999999


def text_event(instance_name: str) -> str:
    """A text ``messages.upsert`` as Evolution v2 posts it (shape and size of
    ``evolution-api/webhooks/messages-upsert-text.json``), with placeholders."""
    key_hash = {str(i): (i * 37) % 256 for i in range(10)}
    body = {
        "event": "messages.upsert",
        "instance": instance_name,
        "data": {
            "key": {
                "remoteJid": "5521998765432@s.whatsapp.net",
                "fromMe": False,
                "id": ID_PLACEHOLDER,
                "participant": "",
                "addressingMode": "pn",
            },
            "pushName": "Maria Souza",
            "status": "DELIVERY_ACK",
            "message": {
                "conversation": f"Oi! Vocês abrem amanhã? ({ID_PLACEHOLDER})",
                "messageContextInfo": {
                    "deviceListMetadata": {
                        "senderKeyIndexes": [],
                        "recipientKeyIndexes": [],
                        "senderKeyHash": key_hash,
                        "senderTimestamp": {"low": 1736012345, "high": 0, "unsigned": True},
                        "recipientKeyHash": key_hash,
                        "recipientTimestamp": {"low": 1736543210, "high": 0, "unsigned": True},
                    },
                    "deviceListMetadataVersion": 2,
                    "messageSecret": {str(i): (i * 53) % 256 for i in range(32)},
                },
            },
            "messageType": "conversation",
            "messageTimestamp": TS_PLACEHOLDER,
            "instanceId": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
            "source": "android",
        },
        "destination": "http://127.0.0.1/api/webhooks/evolution",
        "date_time": "2025-01-15T11:10:12.611Z",
        "sender": "5511987654321@s.whatsapp.net",
        "server_url": "http://127.0.0.1:8080",
        "apikey": "E3B0C442-98FC-4C14-9AFB-F4C8996FB924",
    }
    return json.dumps(body, ensure_ascii=False)


@dataclass
class Requests:
    """Builds the next request; remembers which message ids were sent."""

    host: str
    path: str
    secret: str | None
    template: str | None
    duplicates: float
    rng: random.Random = field(default_factory=lambda: random.Random(20250115))
    recent: deque[str] = field(default_factory=lambda: deque(maxlen=256))
    serial: int = 0
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:8].upper())
    duplicates_sent: int = 0

    def next(self) -> tuple[bytes, str | None]:
        if self.template is None:
            head = f"GET {self.path} HTTP/1.1\r\nHost: {self.host}\r\n\r\n"
            return head.encode(), None
        if self.recent and self.rng.random() < self.duplicates:
            message_id = self.rng.choice(self.recent)
            self.duplicates_sent += 1
        else:
            self.serial += 1
            message_id = f"3EB0{self.run}{self.serial:012X}"
            self.recent.append(message_id)
        body = (
            self.template.replace(ID_PLACEHOLDER, message_id)
            .replace(str(TS_PLACEHOLDER), str(1736950000 + self.serial))
            .encode()
        )
        head = (
            f"POST {self.path} HTTP/1.1\r\nHost: {self.host}\r\n"
            f"Content-Type: application/json\r\nx-evodash-secret: {self.secret}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body, message_id


@dataclass
class Results:
    statuses: dict[int, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    done_at: list[float] = field(default_factory=list)  # completion times of 2xx answers
    latencies: list[float] = field(default_factory=list)
    ok_ids: set[str] = field(default_factory=set)
    sent: int = 0


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """The status of one response, and whether the server keeps the connection."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip().lower()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status, headers.get("connection") != "close"


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
            payload, message_id = requests.next()
            started = time.perf_counter()
            try:
                writer.write(payload)
                status, keep = await read_response(reader)
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
            if not keep:
                writer.close()
                reader = writer = None
    finally:
        if writer is not None:
            writer.close()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    url = urlsplit(args.url)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("bench.loadgen only talks to loopback addresses")
    requests = Requests(
        host=f"{host}:{port}",
        path=url.path or "/",
        secret=args.webhook_secret,
        template=text_event(args.instance_name) if args.webhook_secret else None,
        duplicates=args.duplicates,
    )
    results = Results()
    started = time.perf_counter()
    deadline = started + args.seconds
    await asyncio.gather(
        *(
            connection(host, port, requests, results, deadline, args.max_requests)
            for _ in range(args.connections)
        )
    )
    ended = time.perf_counter()
    # The sustained rate: answers after the warm-up, over the time they took.
    window_start = started + min(args.warmup, args.seconds / 2)
    in_window = [t for t in results.done_at if t >= window_start]
    window = max(1e-9, (max(in_window) if in_window else ended) - window_start)
    lat = results.latencies or [0.0]
    return {
        "sent": results.sent,
        "statuses": {str(k): v for k, v in sorted(results.statuses.items())},
        "errors": results.errors,
        "ok": len(results.done_at),
        "seconds": round(ended - started, 3),
        "rate": len(in_window) / window,
        "overall_rate": len(results.done_at) / max(1e-9, ended - started),
        "p50_ms": statistics.median(lat),
        "p95_ms": sorted(lat)[int(0.95 * (len(lat) - 1))],
        "duplicates_sent": requests.duplicates_sent,
        "ok_ids": sorted(results.ok_ids),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", required=True, help="a loopback http:// URL")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections")
    parser.add_argument("--seconds", type=float, default=10.0, help="stop sending after this")
    parser.add_argument("--max-requests", type=int, default=1_000_000, help="or after this many")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds left out of the rate")
    parser.add_argument("--webhook-secret", help="post text messages.upsert events")
    parser.add_argument("--instance-name", default="bench")
    parser.add_argument("--duplicates", type=float, default=0.1, help="share of repeated ids")
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

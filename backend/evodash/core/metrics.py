"""Prometheus metrics: what each process counts, and the text exposition of ``/metrics``.

Counters and histograms are prometheus-client's own, declared once here and updated where
things happen (HTTP requests, webhook receipt and application, jobs, Evolution calls).
They are process-wide by nature, like the process's log: they are instruments, not
resources, and hold no settings.

Several processes (``evodash run`` behind a load balancer, ``evodash worker``) each count
their own work. To expose one sum for all of them, start every process with the same
empty folder in ``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multiprocess mode: each
process writes its values to memory-mapped files there, and whichever process answers
``/metrics`` adds them up). The folder must be emptied when the whole deployment starts.
Without it each process answers with its own figures, and Prometheus must scrape every
process (see ``docs/operations.md``).

Figures that describe the fleet rather than one process's work (instances per status,
the inbox backlog) are read from the database at each scrape, so every process gives the
same answer.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

__all__ = ["CONTENT_TYPE_LATEST", "render"]

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# Request durations: a lean JSON answer takes milliseconds, a remote Evolution call up to
# its timeout.
_HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# The webhook acknowledgement is meant to take a few milliseconds.
_INGEST_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
# An image job: decoding, barcode search and OCR, seconds.
_JOB_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)

HTTP_REQUESTS = Counter(
    "evodash_http_requests",
    "HTTP requests answered, by method, route template and status code.",
    ["method", "route", "status"],
)
HTTP_DURATION = Histogram(
    "evodash_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template.",
    ["route"],
    buckets=_HTTP_BUCKETS,
)
WEBHOOK_EVENTS = Counter(
    "evodash_webhook_events",
    "Evolution webhook events by event name and result: received (stored and "
    "acknowledged), unauthorized, invalid; then, once applied: processed, ignored, "
    "deferred, failed.",
    ["event", "result"],
)
WEBHOOK_INGEST = Histogram(
    "evodash_webhook_ingest_seconds",
    "Time from a webhook request to its acknowledgement (the event stored).",
    buckets=_INGEST_BUCKETS,
)
JOBS = Counter(
    "evodash_jobs",
    "Job attempts finished, by kind and outcome: succeeded, failed (given up), retry "
    "(to be tried again), discarded (the lease was lost).",
    ["kind", "status"],
)
JOB_DURATION = Histogram(
    "evodash_job_duration_seconds",
    "Time a job attempt ran, by kind.",
    ["kind"],
    buckets=_JOB_BUCKETS,
)
EVOLUTION_REQUESTS = Counter(
    "evodash_evolution_requests",
    "Calls to Evolution servers by server (its base URL) and outcome: ok (2xx), "
    "client_error (4xx), server_error (5xx), timeout, unreachable, too_large.",
    ["server", "outcome"],
)

#: Route label of a request no route matched (bounded: never the raw path).
UNMATCHED = "unmatched"


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    HTTP_REQUESTS.labels(method, route, str(status)).inc()
    HTTP_DURATION.labels(route).observe(seconds)


def count_webhook(event: str, result: str, amount: int = 1) -> None:
    """``event``: a known Evolution event name or ``other`` (bounded by the caller)."""
    WEBHOOK_EVENTS.labels(event, result).inc(amount)


def count_job(kind: str, status: str, seconds: float | None = None) -> None:
    JOBS.labels(kind, status).inc()
    if seconds is not None:
        JOB_DURATION.labels(kind).observe(seconds)


def evolution_outcome(status: int) -> str:
    if status < 400:
        return "ok"
    return "client_error" if status < 500 else "server_error"


def count_evolution(server: str, outcome: str) -> None:
    EVOLUTION_REQUESTS.labels(server, outcome).inc()


class Snapshot(Collector):
    """Gauges read at scrape time (from the database), for one exposition."""

    def __init__(self, families: Sequence[GaugeMetricFamily]) -> None:
        self.families = families

    def collect(self) -> Iterable[GaugeMetricFamily]:
        return self.families


def multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROC_ENV))


def render(families: Sequence[GaugeMetricFamily] = ()) -> bytes:
    """The text exposition: this process's (or, in multiprocess mode, every process's)
    counters and histograms, plus ``families`` read for this scrape."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess():
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_Forward(REGISTRY))
    registry.register(Snapshot(families))
    return generate_latest(registry)


class _Forward(Collector):
    """The process's default registry (its counters, and the process and platform
    collectors prometheus-client installs), inside a per-scrape registry."""

    def __init__(self, source: CollectorRegistry) -> None:
        self.source = source

    def collect(self) -> Iterable[object]:  # type: ignore[override]
        return self.source.collect()

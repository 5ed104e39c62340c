"""``python -m tests.jobs.worker_main [worker options]``: ``evodash worker`` plus the probe
job kind, for the multi-process tests."""

from __future__ import annotations

import sys

from evodash.cli import main
from evodash.jobs.worker import register_handler
from tests.jobs.probe import PROBE_KIND, probe_handler

if __name__ == "__main__":
    register_handler(PROBE_KIND, probe_handler)
    raise SystemExit(main(["worker", *sys.argv[1:]]))

"""`python -m evodash.core.migrate_check`: migrate a scratch database and compare it with
the models, on SQLite and (when TEST_DATABASE_URL is set) PostgreSQL. Exits non-zero on
drift."""

from __future__ import annotations

import os
import sys
import tempfile

from evodash.core.migrate import check, upgrade


def main() -> int:
    urls: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        urls.append(f"sqlite+aiosqlite:///{tmp}/check.db")
        if pg := os.environ.get("TEST_DATABASE_URL"):
            urls.append(pg)
        for url in urls:
            kind = url.split(":", 1)[0]
            upgrade(url)
            check(url)
            sys.stdout.write(f"migrations: upgrade head + check OK on {kind}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

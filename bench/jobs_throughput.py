"""Image jobs: images per second per worker for a 1600x1200 invoice photo.

Each image is a distinct printed invoice (PIX QR, boleto barcode, totals; drawn by
``render_invoice_image``, JPEG) stored as a webhook would store it; one worker slot
(``concurrency=1``) claims and processes the jobs one after the other through the real
queue: claim, lease and heartbeat, check, store and thumbnail, decode, OCR, result.
The same images are also run through the CPU part alone (no queue, no database) to
show what the queue costs. Run without OCR and with OCR (Tesseract por+eng).

    .venv/bin/python -m bench.jobs_throughput                 # SQLite in a temp dir
    BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1/evodash_bench \\
        .venv/bin/python -m bench.jobs_throughput             # PostgreSQL (jobs are added)
    .venv/bin/python -m bench.jobs_throughput --images 40 --ocr-images 10 --write
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import threading
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx

from bench.common import write_section
from evodash.core.config import Settings
from evodash.core.db import create_engine, create_sessionmaker
from evodash.core.logging import configure_logging
from evodash.core.migrate import upgrade
from evodash.invoices.boleto import build_barcode
from evodash.invoices.extract import extract_from_image
from evodash.invoices.imaging import load_checked_image, make_thumbnail
from evodash.invoices.ocr import tesseract_status
from evodash.invoices.pix import build_pix_payload
from evodash.invoices.render import render_invoice_image
from evodash.jobs import media
from evodash.jobs.models import ImageProcessingJob, JobStatus
from evodash.jobs.worker import Worker

TITLE = "Image jobs throughput"


def invoices(n: int) -> list[bytes]:
    """``n`` different 1600x1200 invoice JPEGs (different txid, amount and barcode)."""
    images = []
    for i in range(n):
        total = Decimal("1234.56") + i
        due = date(2026, 12, 10)
        images.append(
            render_invoice_image(
                pix_payload=build_pix_payload(
                    "11222333000181", "Companhia Exemplo", "Sao Paulo", total, f"BENCH{i:05d}"
                ),
                boleto_barcode=build_barcode("237", total, due, f"{i:025d}"),
                total=total,
                due_date=due,
                cnpj="11222333000181",
                size=(1600, 1200),
                fmt="JPEG",
            )
        )
    return images


def cpu_only(images: list[bytes], settings: Settings, *, ocr: bool) -> float:
    """Images per second of check + thumbnail + extraction, in this thread."""
    started = time.perf_counter()
    for data in images:
        checked = load_checked_image(
            data, max_bytes=settings.max_image_bytes, max_pixels=settings.max_image_pixels
        )
        make_thumbnail(checked.image)
        extract_from_image(checked, ocr=ocr)
    return len(images) / (time.perf_counter() - started)


async def through_the_queue(
    images: list[bytes], settings: Settings, *, ocr: bool, slots: int = 1
) -> float:
    """Images per second of one worker (``slots`` jobs at once) taking jobs from the DB."""
    engine = create_engine(settings.database_url)
    sessionmaker = create_sessionmaker(engine)
    try:
        async with sessionmaker() as session:
            jobs = []
            for data in images:
                relpath, digest = await media.store_original(settings.media_root, data)
                jobs.append(
                    ImageProcessingJob(kind="invoice", media_path=relpath, media_sha256=digest)
                )
            session.add_all(jobs)
            await session.commit()
        async with httpx.AsyncClient() as http:
            worker = Worker(
                sessionmaker, settings, http, concurrency=slots, ocr=ocr, poll_interval=0.01
            )
            started = time.perf_counter()
            await worker.start()
            while worker.finished < len(images):  # noqa: ASYNC110 - a benchmark's busy wait
                await asyncio.sleep(0.005)
            elapsed = time.perf_counter() - started
            await worker.stop()
        async with sessionmaker() as session:
            for job_id in (job.id for job in jobs):
                done = await session.get(ImageProcessingJob, job_id)
                assert done is not None and done.status == JobStatus.succeeded, done
                assert (done.result or {})["summary"]["amount"] is not None
        return len(images) / elapsed
    finally:
        await engine.dispose()


def _migrate(url: str) -> None:
    # Alembic's env.py calls asyncio.run(): keep it off this thread's event loop.
    thread = threading.Thread(target=upgrade, args=(url,))
    thread.start()
    thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--images", type=int, default=30, help="images without OCR")
    parser.add_argument("--ocr-images", type=int, default=8, help="images with OCR")
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="evodash-bench-jobs-"))
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite+aiosqlite:///{tmp / 'bench.db'}"
    settings = Settings(
        _env_file=None,
        environment="test",
        database_url=url,
        data_dir=tmp / "data",
        media_root=tmp / "media",
        secret_key="bench-secret-key-that-is-long-enough-0123456789",
        log_level="WARNING",
    )
    configure_logging("console", "WARNING")
    _migrate(url)
    status = tesseract_status()
    ocr_label = (
        f"Tesseract {status.version} ({'+'.join(status.languages)})"
        if status.available
        else f"OCR unavailable: {status.reason}"
    )
    print(f"database: {url.split(':', 1)[0]}  cpus: {os.cpu_count()}  {ocr_label}")
    load_before = os.getloadavg()[0]
    print("rendering images…")
    plain, with_ocr = invoices(args.images), invoices(args.ocr_images)
    print(f"JPEG size: {sum(map(len, plain)) // len(plain) // 1024} KiB on average")

    cores = os.cpu_count() or 1
    rows = []
    for label, images, ocr in (("without OCR", plain, False), ("with OCR", with_ocr, True)):
        cpu = cpu_only(images, settings, ocr=ocr)
        queued = asyncio.run(through_the_queue(images, settings, ocr=ocr))
        wide = asyncio.run(through_the_queue(images, settings, ocr=ocr, slots=cores))
        rows.append((label, len(images), queued, cpu, wide))
        print(
            f"{label:12} {len(images):3} images: {queued:6.2f} images/s per worker "
            f"(queue + pipeline), {cpu:6.2f} images/s CPU part alone, "
            f"{wide:6.2f} images/s with {cores} slots"
        )

    table = "\n".join(
        [
            "| run | images | images/s per worker (1 slot, queue) | images/s (CPU part "
            f"alone) | images/s, one worker with {cores} slots |",
            "| --- | ---: | ---: | ---: | ---: |",
            *(f"| {r[0]} | {r[1]} | {r[2]:.2f} | {r[3]:.2f} | {r[4]:.2f} |" for r in rows),
        ]
    )
    if args.write:
        write_section(
            TITLE,
            f"`python -m bench.jobs_throughput` — one worker slot (`concurrency=1`) on "
            f"{url.split(':', 1)[0]}, {os.cpu_count()} CPUs, {ocr_label}. Each image is a "
            "distinct 1600x1200 JPEG invoice (PIX QR, boleto barcode, printed totals) "
            f"drawn by `render_invoice_image`; load average {load_before:.1f} at the start "
            f"and {os.getloadavg()[0]:.1f} at the end of the run. Every job goes through "
            "claim, lease and "
            "heartbeat, check, storage and thumbnail, code decoding, OCR and the result "
            "write. The CPU column is the same work without the queue and the database.\n\n"
            + table
            + (
                "\n\nThe machine was busy with other work (load average above its "
                f"{cores} cores), so these figures move by tens of percent between runs; "
                "compare columns within one run."
                if max(load_before, os.getloadavg()[0]) > cores
                else ""
            )
            + f"\n\nThe last column is one worker process with `--concurrency {cores}` "
            "(one slot per core): CPU work runs in threads, off the event loop, so slots "
            "overlap as far as the GIL lets them (Tesseract runs as a separate process).",
        )
        print("docs/benchmarks.md updated")


if __name__ == "__main__":
    main()

"""The invoice pipeline of an image job, step by step, each step reporting progress.

1. media: the bytes stored from the webhook's base64, else downloaded from Evolution
   (``getBase64FromMediaMessage``: with the message from the webhook payload when we have
   it, which needs no Evolution database, else by its key id);
2. checked: Pillow opens it; byte and pixel limits (decompression bombs refused); the
   type comes from the content, not from the claimed mimetype;
3. stored under ``MEDIA_ROOT`` by content hash, with a thumbnail;
4. codes decoded (PIX with its CRC checked, boleto barcodes) and
5. OCR when Tesseract is installed (the result says when it was skipped), both by
   :mod:`evodash.invoices` in a worker thread;
6. the result returned to the worker (which stores it, linked to the message, and pushes
   it live), and, when the instance opts in, a short summary answered to the sender.

An image that cannot be processed fails at once (:class:`PermanentJobFailure`); a
failure outside the job (Evolution down) is retried (:class:`TransientJobFailure`).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread
import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.config import Settings
from evodash.core.security import decrypt
from evodash.evolution import (
    EvolutionClient,
    EvolutionError,
    EvolutionNotFound,
    EvolutionRejected,
)
from evodash.evolution.messages import media_request
from evodash.instances.models import EvolutionInstance
from evodash.invoices.errors import InvalidImage
from evodash.invoices.extract import InvoiceResult, extract_from_image, summary_text
from evodash.invoices.imaging import CheckedImage, load_checked_image, make_thumbnail
from evodash.jobs import media, repository
from evodash.jobs.errors import PermanentJobFailure, TransientJobFailure
from evodash.jobs.models import ImageProcessingJob
from evodash.messages.models import Direction, WhatsAppMessage
from evodash.servers.models import EvolutionServer

log = structlog.get_logger(__name__)

Report = Callable[[int, str], None]
Source = tuple[WhatsAppMessage, EvolutionInstance, EvolutionServer]
# Evolution answers these when the media can never be had; anything else may pass.
_PERMANENT_EVOLUTION_MESSAGES = (
    "message not found",
    "not of the media type",
    "messagecontextinfo",
)


@dataclass
class JobContext:
    """What a job handler gets from the worker."""

    job: ImageProcessingJob  # as claimed (detached; do not modify)
    owner: str
    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    http: httpx.AsyncClient
    #: ``report(percent, step)``: thread-safe; the worker saves it, throttled.
    report: Report
    #: Save columns of the job now (compare-and-set on the lease; raises if it is lost).
    save: Callable[[dict[str, Any]], Awaitable[None]]
    ocr: bool = True
    timings_ms: dict[str, int] = field(default_factory=dict)


def _since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


async def run_invoice_job(ctx: JobContext) -> dict[str, Any]:
    """The handler of ``invoice`` jobs: returns the result to store on the job."""
    source = await _load_source(ctx)
    started = time.perf_counter()
    data, stored = await _media(ctx, source)
    ctx.timings_ms["media"] = _since(started)

    ctx.report(12, "checking the image")
    started = time.perf_counter()
    checked, thumbnail = await _check(ctx, data)
    ctx.timings_ms["check"] = _since(started)

    ctx.report(20, "storing the image")
    await _store(ctx, data, checked, thumbnail, already_stored=stored)

    def progress(pct: int, stage: str) -> None:  # extract's 0-100 mapped onto 25-90
        ctx.report(25 + pct * 65 // 100, stage)

    result: InvoiceResult = await anyio.to_thread.run_sync(
        lambda: extract_from_image(checked, ocr=ctx.ocr, progress=progress),
        abandon_on_cancel=True,
    )
    ctx.report(92, "result ready")
    payload = result.model_dump(mode="json")
    payload["timings_ms"] = {**ctx.timings_ms, **result.timings_ms}
    payload["summary_text"] = summary_text(result)
    payload["ocr_skipped"] = not result.ocr.performed
    payload["reply"] = await _reply(ctx, source, payload["summary_text"])
    return payload


async def _load_source(ctx: JobContext) -> Source | None:
    if ctx.job.message_id is None:
        return None
    async with ctx.sessionmaker() as session:
        return await repository.load_source(session, ctx.job.message_id)


def _client(ctx: JobContext, server: EvolutionServer) -> EvolutionClient:
    try:
        key = decrypt(server.api_key_encrypted, secret=ctx.settings.secret())
    except ValueError as exc:
        raise PermanentJobFailure(f"cannot use Evolution server {server.name!r}: {exc}") from exc
    return EvolutionClient(
        ctx.http,
        server.base_url,
        key,
        timeout=ctx.settings.evolution_timeout_seconds,
        connect_timeout=ctx.settings.evolution_connect_timeout_seconds,
        read_retries=ctx.settings.evolution_read_retries,
        max_media_bytes=ctx.settings.max_image_bytes,
    )


def _evolution_failure(exc: EvolutionError) -> TransientJobFailure | PermanentJobFailure:
    text = f"could not download the image from Evolution: {exc.detail}"
    if exc.evolution_message:
        text += f" ({exc.evolution_message})"
    detail = (exc.evolution_message or "").lower()
    if isinstance(exc, EvolutionNotFound) or (
        isinstance(exc, EvolutionRejected)
        and any(m in detail for m in _PERMANENT_EVOLUTION_MESSAGES)
    ):
        return PermanentJobFailure(text)
    return TransientJobFailure(text)


async def _media(ctx: JobContext, source: Source | None) -> tuple[bytes, bool]:
    """The image bytes, and whether they came from our own storage."""
    ctx.report(2, "getting the image")
    root = ctx.settings.media_root
    if ctx.job.media_path:
        data = await media.read(root, ctx.job.media_path)
        if data is not None:
            return data, True
        log.warning("job.media_missing", job_id=ctx.job.id, path=ctx.job.media_path)
    if source is None:
        raise PermanentJobFailure(
            "no image: nothing was stored for this job and its message no longer exists"
        )
    message, instance, server = source
    ctx.report(5, "downloading the image from Evolution")
    try:
        answer = await _client(ctx, server).get_base64_from_media_message(
            instance.name, **media_request(message.raw, message.message_id)
        )
    except EvolutionError as exc:
        raise _evolution_failure(exc) from exc
    try:
        return await anyio.to_thread.run_sync(media.decode_base64, answer.base64), False
    except ValueError as exc:
        raise PermanentJobFailure(f"invalid image: {exc}") from exc


async def _check(ctx: JobContext, data: bytes) -> tuple[CheckedImage, bytes]:
    limits = ctx.settings

    def work() -> tuple[CheckedImage, bytes]:
        checked = load_checked_image(
            data, max_bytes=limits.max_image_bytes, max_pixels=limits.max_image_pixels
        )
        return checked, make_thumbnail(checked.image)

    try:
        return await anyio.to_thread.run_sync(work, abandon_on_cancel=True)
    except InvalidImage as exc:
        raise PermanentJobFailure(f"invalid image: {exc}") from exc


async def _store(
    ctx: JobContext,
    data: bytes,
    checked: CheckedImage,
    thumbnail: bytes,
    *,
    already_stored: bool,
) -> None:
    root = ctx.settings.media_root
    relpath = media.original_relpath(checked.sha256)
    if not (already_stored and ctx.job.media_path == relpath):
        await media.store_file(root, relpath, data)
    thumb = media.thumbnail_relpath(checked.sha256)
    await media.store_file(root, thumb, thumbnail)
    await ctx.save(
        {
            "media_path": relpath,
            "media_sha256": checked.sha256,
            "media_mimetype": checked.mime_type,
            "thumbnail_path": thumb,
        }
    )


async def _reply(ctx: JobContext, source: Source | None, text: str) -> dict[str, Any] | None:
    """Answer the summary to the sender when the instance opted in.

    A failed reply does not fail the job (the extraction is done and stored); the
    outcome is kept in the result instead.
    """
    if source is None:
        return None
    message, instance, server = source
    if not instance.reply_with_summary:
        return None
    if message.from_me or message.direction != Direction.incoming.value:
        return None
    ctx.report(95, "answering the sender")
    try:
        sent = await _client(ctx, server).send_text(
            instance.name, message.remote_jid, text, quoted_id=message.message_id
        )
    except (EvolutionError, PermanentJobFailure) as exc:
        log.warning("job.reply_failed", job_id=ctx.job.id, error=str(exc))
        return {"sent": False, "to": message.remote_jid, "error": str(exc)}
    return {"sent": True, "to": message.remote_jid, "message_id": sent.key.id}

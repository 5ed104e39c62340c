"""The invoice pipeline run by a real worker on images the tests draw themselves."""

from __future__ import annotations

import base64
import io
import json
import struct
import zlib
from datetime import date
from decimal import Decimal

import httpx
import pytest
import respx
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.config import Settings
from evodash.invoices.boleto import (
    build_barcode,
    build_collection_barcode,
    format_typeable_line,
    typeable_line,
)
from evodash.invoices.ocr import tesseract_available
from evodash.invoices.pix import build_pix_payload
from evodash.invoices.render import render_invoice_image
from evodash.jobs import media, service
from evodash.jobs.models import ImageProcessingJob, JobStatus
from evodash.messages.models import WhatsAppMessage

from .conftest import EVOLUTION_KEY, MakeWorker, Sources, reload

# A worker saves progress from a heartbeat while its handler runs: concurrent sessions.
pytestmark = pytest.mark.commits

Maker = async_sessionmaker[AsyncSession]
PIX = build_pix_payload(
    "11222333000181", "Companhia Exemplo", "Sao Paulo", Decimal("1234.56"), "FAT2025001"
)
TOTAL = Decimal("1234.56")
DUE = date(2026, 12, 10)
BANK_BARCODE = build_barcode("237", TOTAL, DUE, "3381286000000000123456780")
COLLECTION_BARCODE = build_collection_barcode("6", Decimal("87.65"), "00010001", "2" * 21)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width``x``height``: a decompression bomb."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


async def enqueue(
    db: Maker, message: WhatsAppMessage, settings: Settings, data: bytes | None
) -> ImageProcessingJob:
    async with db() as session:
        job = await service.enqueue_image_job(
            session,
            message=message,
            media_base64=None if data is None else b64(data),
            settings=settings,
        )
        await session.commit()
    return job


async def process(
    db: Maker,
    sources: Sources,
    settings: Settings,
    make_worker: MakeWorker,
    data: bytes | None,
    *,
    ocr: bool = False,
) -> ImageProcessingJob:
    instance = await sources.make_instance()
    message = await sources.make_message(instance)
    job = await enqueue(db, message, settings, data)
    assert await make_worker(ocr=ocr).run_once()
    return await reload(db, job.id)


@pytest.fixture(scope="module")
def printed_invoice() -> bytes:
    return render_invoice_image(
        pix_payload=PIX,
        boleto_barcode=BANK_BARCODE,
        total=TOTAL,
        due_date=DUE,
        cnpj="11222333000181",
        size=(1600, 1200),
        fmt="JPEG",
    )


class TestEnqueue:
    async def test_base64_is_stored_by_content_hash(
        self, db: Maker, sources: Sources, settings: Settings
    ) -> None:
        data = render_invoice_image(pix_payload=PIX, size=(400, 300), fmt="PNG")
        message = await sources.make_message(await sources.make_instance())
        job = await enqueue(db, message, settings, data)
        digest = media.sha256_hex(data)
        assert job.status == JobStatus.pending
        assert job.media_sha256 == digest
        assert job.media_path == f"{digest[:2]}/{digest[2:4]}/{digest}"
        assert (settings.media_root / job.media_path).read_bytes() == data
        assert job.message_id == message.id and job.instance_id == message.instance_id
        assert job.max_attempts == settings.job_max_attempts

    async def test_a_message_gets_one_job(
        self, db: Maker, sources: Sources, settings: Settings
    ) -> None:
        message = await sources.make_message(await sources.make_instance())
        first = await enqueue(db, message, settings, None)
        again = await enqueue(db, message, settings, None)
        assert again.id == first.id

    async def test_media_over_the_byte_limit_fails_at_once(
        self, db: Maker, sources: Sources, settings: Settings
    ) -> None:
        small = settings.model_copy(update={"max_image_bytes": 2048})
        message = await sources.make_message(await sources.make_instance())
        job = await enqueue(db, message, small, b"\xff" * 5000)
        assert job.status == JobStatus.failed
        assert job.error == "invalid image: the image is about 5,001 bytes, the limit is 2,048"
        assert job.media_path is None


class TestCodes:
    async def test_pix_qr_with_a_known_payload(
        self, db: Maker, sources: Sources, settings: Settings, make_worker: MakeWorker
    ) -> None:
        data = render_invoice_image(pix_payload=PIX, size=(800, 600), fmt="PNG")
        job = await process(db, sources, settings, make_worker, data)
        assert job.status == JobStatus.succeeded, job.error
        assert job.attempts == 1 and job.progress == 100
        result = job.result or {}
        pix = result["pix"]
        assert pix["payload"] == PIX
        assert pix["key"] == "11222333000181"
        assert pix["merchant_name"] == "Companhia Exemplo"
        assert pix["merchant_city"] == "Sao Paulo"
        assert pix["amount"] == "1234.56"
        assert pix["txid"] == "FAT2025001"
        assert pix["crc"] == PIX[-4:]
        assert result["summary"]["amount"] == "1234.56"
        assert result["summary"]["cnpj"] == "11.222.333/0001-81"
        assert result["ocr_skipped"] is True
        assert result["ocr"]["skipped_reason"] == "OCR disabled for this job"
        assert "Chave PIX: 11222333000181" in result["summary_text"]
        assert job.media_mimetype == "image/png"

    async def test_bank_boleto_barcode(
        self, db: Maker, sources: Sources, settings: Settings, make_worker: MakeWorker
    ) -> None:
        data = render_invoice_image(boleto_barcode=BANK_BARCODE, size=(1600, 1200), fmt="PNG")
        job = await process(db, sources, settings, make_worker, data)
        assert job.status == JobStatus.succeeded, job.error
        boleto = (job.result or {})["boleto"]
        assert boleto["kind"] == "bank"
        assert boleto["barcode"] == BANK_BARCODE
        assert boleto["typeable_line"] == typeable_line(BANK_BARCODE)
        assert len(boleto["typeable_line"]) == 47
        assert boleto["amount"] == "1234.56"
        assert boleto["due_date"] == "2026-12-10"
        assert boleto["bank_code"] == "237"

    async def test_collection_boleto_barcode(
        self, db: Maker, sources: Sources, settings: Settings, make_worker: MakeWorker
    ) -> None:
        data = render_invoice_image(boleto_barcode=COLLECTION_BARCODE, size=(1600, 1200), fmt="PNG")
        job = await process(db, sources, settings, make_worker, data)
        assert job.status == JobStatus.succeeded, job.error
        boleto = (job.result or {})["boleto"]
        assert boleto["kind"] == "collection"
        assert boleto["barcode"] == COLLECTION_BARCODE
        assert len(boleto["typeable_line"]) == 48
        assert boleto["typeable_line"] == typeable_line(COLLECTION_BARCODE)
        assert boleto["amount"] == "87.65"
        assert boleto["segment"] == "6"

    async def test_printed_invoice_gives_exact_fields(
        self,
        db: Maker,
        sources: Sources,
        settings: Settings,
        make_worker: MakeWorker,
        printed_invoice: bytes,
    ) -> None:
        job = await process(db, sources, settings, make_worker, printed_invoice, ocr=True)
        assert job.status == JobStatus.succeeded, job.error
        result = job.result or {}
        summary = result["summary"]
        assert summary["amount"] == "1234.56"
        assert summary["due_date"] == "2026-12-10"
        assert summary["pix_key"] == "11222333000181"
        assert summary["cnpj"] == "11.222.333/0001-81"
        assert summary["typeable_line"] == format_typeable_line(typeable_line(BANK_BARCODE))
        assert summary["sources"]["amount"] == "boleto_barcode"
        assert job.media_mimetype == "image/jpeg"
        assert job.thumbnail_path is not None
        thumb = Image.open(io.BytesIO((settings.media_root / job.thumbnail_path).read_bytes()))
        assert thumb.format == "JPEG" and max(thumb.size) == 320
        if tesseract_available():
            ocr = result["ocr"]
            assert ocr["performed"] is True and result["ocr_skipped"] is False
            assert ocr["amount"] == "1234.56"
            assert ocr["due_date"] == "2026-12-10"
            assert ocr["cnpj"] == "11.222.333/0001-81"
        else:
            assert result["ocr_skipped"] is True
            assert result["ocr"]["skipped_reason"]


class TestBadImages:
    @pytest.mark.parametrize(
        ("data", "reason"),
        [
            (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", "the content is a PDF"),
            (b"just some text, not an image at all", "the content is text"),
            (png_declaring(30000, 30000), "decompression bomb"),
            (png_declaring(8000, 8000), "decompression bomb"),
        ],
        ids=["pdf", "text", "bomb-huge", "bomb-over-limit"],
    )
    async def test_fails_cleanly_without_retries(
        self,
        db: Maker,
        sources: Sources,
        settings: Settings,
        make_worker: MakeWorker,
        data: bytes,
        reason: str,
    ) -> None:
        job = await process(db, sources, settings, make_worker, data)
        assert job.status == JobStatus.failed
        assert job.attempts == 1
        assert job.error is not None
        assert job.error.startswith("invalid image: ")
        assert reason in job.error
        assert job.media_mimetype is None  # never served as an image
        assert job.lease_owner is None and job.finished_at is not None

    async def test_corrupted_jpeg(
        self,
        db: Maker,
        sources: Sources,
        settings: Settings,
        make_worker: MakeWorker,
        printed_invoice: bytes,
    ) -> None:
        job = await process(db, sources, settings, make_worker, printed_invoice[:20000])
        assert (job.status, job.attempts) == (JobStatus.failed, 1)
        assert job.error is not None
        assert job.error.startswith("invalid image: corrupt or truncated JPEG image")
        assert not await make_worker().run_once()  # nothing left to retry


def media_answer(data: bytes) -> httpx.Response:
    return httpx.Response(
        201,
        json={
            "mediaType": "imageMessage",
            "fileName": "x.jpeg",
            "mimetype": "image/jpeg",
            "base64": b64(data),
            "buffer": None,
        },
    )


SENT = {
    "key": {"remoteJid": "5511987654321@s.whatsapp.net", "fromMe": True, "id": "3EB0REPLY"},
    "status": "PENDING",
    "messageType": "conversation",
}


class TestEvolution:
    async def test_media_is_downloaded_with_the_webhook_message(
        self, db: Maker, sources: Sources, settings: Settings, make_worker: MakeWorker
    ) -> None:
        instance = await sources.make_instance()
        raw = {
            "key": {"id": "3EB0AA", "remoteJid": "5511987654321@s.whatsapp.net"},
            "message": {"imageMessage": {"mimetype": "image/jpeg", "mediaKey": "k"}},
        }
        message = await sources.make_message(instance, raw=raw)
        data = render_invoice_image(pix_payload=PIX, size=(800, 600), fmt="PNG")
        with respx.mock:
            route = respx.post(sources.url(instance, "/chat/getBase64FromMediaMessage")).mock(
                return_value=media_answer(data)
            )
            job = await enqueue(db, message, settings, None)
            assert await make_worker(ocr=False).run_once()
        sent = json.loads(route.calls.last.request.content)
        assert route.calls.last.request.headers["apikey"] == EVOLUTION_KEY
        assert sent["message"] == raw
        done = await reload(db, job.id)
        assert done.status == JobStatus.succeeded, done.error
        assert done.media_sha256 == media.sha256_hex(data)
        assert (settings.media_root / (done.media_path or "")).read_bytes() == data

    async def test_media_is_downloaded_by_key_id_without_the_message(
        self, db: Maker, sources: Sources, settings: Settings, make_worker: MakeWorker
    ) -> None:
        instance = await sources.make_instance()
        message = await sources.make_message(instance, raw={})
        data = render_invoice_image(pix_payload=PIX, size=(800, 600), fmt="PNG")
        with respx.mock:
            route = respx.post(sources.url(instance, "/chat/getBase64FromMediaMessage")).mock(
                return_value=media_answer(data)
            )
            job = await enqueue(db, message, settings, None)
            assert await make_worker(ocr=False).run_once()
        body = json.loads(route.calls.last.request.content)
        assert body["message"] == {"key": {"id": message.message_id}}
        assert (await reload(db, job.id)).status == JobStatus.succeeded

    async def test_a_lost_media_file_is_downloaded_and_stored_again(
        self, db: Maker, sources: Sources, settings: Settings, make_worker: MakeWorker
    ) -> None:
        instance = await sources.make_instance()
        message = await sources.make_message(instance)
        data = render_invoice_image(pix_payload=PIX, size=(800, 600), fmt="PNG")
        job = await enqueue(db, message, settings, data)
        stored = settings.media_root / (job.media_path or "-")
        stored.unlink()
        with respx.mock:
            route = respx.post(sources.url(instance, "/chat/getBase64FromMediaMessage")).mock(
                return_value=media_answer(data)
            )
            assert await make_worker(ocr=False).run_once()
        assert route.called
        assert (await reload(db, job.id)).status == JobStatus.succeeded
        assert stored.read_bytes() == data

    async def test_evolution_down_is_retried_later(
        self, db: Maker, sources: Sources, settings: Settings, make_worker: MakeWorker
    ) -> None:
        instance = await sources.make_instance()
        message = await sources.make_message(instance)
        with respx.mock:
            respx.post(sources.url(instance, "/chat/getBase64FromMediaMessage")).mock(
                side_effect=httpx.ConnectError("connection refused")
            )
            job = await enqueue(db, message, settings, None)
            assert await make_worker().run_once()
        after = await reload(db, job.id)
        assert after.status == JobStatus.pending
        assert after.attempts == 1
        assert after.error is not None
        assert after.error.startswith("could not download the image from Evolution")

    async def test_a_message_evolution_does_not_know_fails_at_once(
        self, db: Maker, sources: Sources, settings: Settings, make_worker: MakeWorker
    ) -> None:
        instance = await sources.make_instance()
        message = await sources.make_message(instance)
        answer = {
            "status": 400,
            "error": "Bad Request",
            "response": {"message": ["Message not found"]},
        }
        with respx.mock:
            respx.post(sources.url(instance, "/chat/getBase64FromMediaMessage")).mock(
                return_value=httpx.Response(400, json=answer)
            )
            job = await enqueue(db, message, settings, None)
            assert await make_worker().run_once()
        after = await reload(db, job.id)
        assert (after.status, after.attempts) == (JobStatus.failed, 1)
        assert after.error is not None and "Message not found" in after.error

    async def test_summary_is_answered_when_the_instance_opts_in(
        self, db: Maker, sources: Sources, settings: Settings, make_worker: MakeWorker
    ) -> None:
        instance = await sources.make_instance(reply_with_summary=True)
        message = await sources.make_message(instance)
        data = render_invoice_image(pix_payload=PIX, size=(800, 600), fmt="PNG")
        with respx.mock:
            route = respx.post(sources.url(instance, "/message/sendText")).mock(
                return_value=httpx.Response(201, json=SENT)
            )
            job = await enqueue(db, message, settings, data)
            assert await make_worker(ocr=False).run_once()
        body = json.loads(route.calls.last.request.content)
        assert body["number"] == message.remote_jid
        assert body["quoted"]["key"]["id"] == message.message_id
        assert "Valor: R$ 1.234,56" in body["text"]
        done = await reload(db, job.id)
        assert done.status == JobStatus.succeeded
        assert (done.result or {})["reply"] == {
            "sent": True,
            "to": message.remote_jid,
            "message_id": "3EB0REPLY",
        }

    async def test_a_failed_answer_does_not_fail_the_job(
        self, db: Maker, sources: Sources, settings: Settings, make_worker: MakeWorker
    ) -> None:
        instance = await sources.make_instance(reply_with_summary=True)
        message = await sources.make_message(instance)
        data = render_invoice_image(pix_payload=PIX, size=(800, 600), fmt="PNG")
        with respx.mock:
            respx.post(sources.url(instance, "/message/sendText")).mock(
                side_effect=httpx.ConnectError("down")
            )
            job = await enqueue(db, message, settings, data)
            assert await make_worker(ocr=False).run_once()
        done = await reload(db, job.id)
        assert done.status == JobStatus.succeeded
        reply = (done.result or {})["reply"]
        assert reply["sent"] is False and reply["error"]

    async def test_no_answer_without_opting_in(
        self, db: Maker, sources: Sources, settings: Settings, make_worker: MakeWorker
    ) -> None:
        data = render_invoice_image(pix_payload=PIX, size=(800, 600), fmt="PNG")
        with respx.mock(assert_all_called=False) as mock:
            job = await process(db, sources, settings, make_worker, data)
            assert mock.calls.call_count == 0
        assert (job.result or {})["reply"] is None

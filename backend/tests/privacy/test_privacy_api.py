"""LGPD requests: everything about one number exported as a ZIP, then erased; other
people's data untouched; both audited without the full number."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.jobs.models import ImageProcessingJob
from evodash.ledger.models import Invoice
from evodash.ledger.service import record_from_job
from evodash.messages.models import WhatsAppMessage
from evodash.reports.models import SenderDaily
from evodash.users.models import AuditLog
from evodash.webhooks.models import WebhookEvent
from tests.factories import UserFactory, add_instance

AsUser = Callable[[Any], Awaitable[dict[str, str]]]
PHONE = "+55 11 98765-4321"


async def seed(db: async_sessionmaker[AsyncSession], settings: Settings) -> None:
    (settings.media_root / "cd").mkdir(parents=True)
    (settings.media_root / "cd" / "boleto.jpg").write_bytes(b"jpeg bytes")
    now = utcnow()
    async with db() as s:
        inst = await add_instance(s, "loja", display_name="Loja")
        rows = [
            # (id, sender_phone, remote_jid, direction, text)
            ("M1", "+5511987654321", "5511987654321@s.whatsapp.net", "in", "Olá, segue boleto"),
            # Outgoing, in the chat written without the ninth digit.
            ("M2", None, "551187654321@s.whatsapp.net", "out", "Recebido, obrigado"),
            ("M3", "+5521999998888", "5521999998888@s.whatsapp.net", "in", "Outra pessoa"),
        ]
        stored = {}
        for mid, sender, jid, direction, text in rows:
            m = WhatsAppMessage(
                instance_id=inst.id,
                message_id=mid,
                remote_jid=jid,
                sender_phone=sender,
                direction=direction,
                message_type="conversation",
                text=text,
                wa_timestamp=now,
                raw={},
            )
            s.add(m)
            await s.flush()
            stored[mid] = m.id
        boleto = ImageProcessingJob(
            message_id=stored["M1"],
            instance_id=inst.id,
            status="succeeded",
            media_path="cd/boleto.jpg",
            result={"summary": {"amount": "1234.56", "beneficiary": "Água Ltda"}},
        )
        # An invoice it sent long ago: retention purged the message, the ledger kept
        # the sender (and who marked it paid).
        purged = ImageProcessingJob(
            message_id=None,
            instance_id=inst.id,
            status="succeeded",
            result={"summary": {"amount": "80.00", "beneficiary": "Luz SA"}},
        )
        # Someone else's invoice, whose message is gone too: untouched.
        other = ImageProcessingJob(
            message_id=None,
            instance_id=inst.id,
            status="succeeded",
            result={"summary": {"amount": "15.00", "beneficiary": "Gás SA"}},
        )
        s.add_all([boleto, purged, other])
        await s.flush()
        for job in (boleto, purged, other):
            await record_from_job(s, job)
        await s.flush()
        for job, sender in ((purged, "+5511987654321"), (other, "+5521999998888")):
            invoice = await s.scalar(select(Invoice).where(Invoice.job_id == job.id))
            assert invoice is not None
            invoice.sender_phone = sender
            invoice.status, invoice.status_by, invoice.status_at = "paid", "caixa", now
        s.add(ImageProcessingJob(message_id=stored["M3"], instance_id=inst.id, status="failed"))
        s.add(
            WebhookEvent(
                instance_id=inst.id,
                event="messages.upsert",
                body={"data": {"key": {"remoteJid": "5511987654321@s.whatsapp.net"}}},
            )
        )
        s.add(
            WebhookEvent(
                instance_id=inst.id,
                event="messages.upsert",
                body={"data": {"key": {"remoteJid": "5521999998888@s.whatsapp.net"}}},
            )
        )
        await s.commit()


async def count(db: async_sessionmaker[AsyncSession], model: Any) -> int:
    async with db() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


class TestDataSubject:
    async def test_export_then_erase(
        self,
        client: httpx.AsyncClient,
        users: UserFactory,
        as_user: AsUser,
        db: async_sessionmaker[AsyncSession],
        settings: Settings,
    ) -> None:
        await seed(db, settings)
        headers = await as_user(await users.admin())
        r = await client.post("/api/privacy/export", json={"phone": PHONE}, headers=headers)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "application/zip"
        with zipfile.ZipFile(io.BytesIO(r.content)) as z:
            messages = json.loads(z.read("messages.json"))
            jobs = json.loads(z.read("jobs.json"))
            invoices = json.loads(z.read("invoices.json"))
            assert z.read("media/cd/boleto.jpg") == b"jpeg bytes"
        assert sorted(m["message_id"] for m in messages) == ["M1", "M2"]
        assert [j["result"]["summary"]["beneficiary"] for j in jobs] == ["Água Ltda", "Luz SA"]
        assert [
            (i["amount"], i["beneficiary"], i["sender_phone"], i["status"], i["status_by"])
            for i in invoices
        ] == [
            ("1234.56", "Água Ltda", "+5511987654321", "open", None),
            ("80.00", "Luz SA", "+5511987654321", "paid", "caixa"),
        ]

        refused = await client.post(
            "/api/privacy/erase", json={"phone": PHONE, "confirm": False}, headers=headers
        )
        assert refused.status_code == 422
        r = await client.post(
            "/api/privacy/erase", json={"phone": PHONE, "confirm": True}, headers=headers
        )
        assert r.status_code == 200, r.text
        assert r.json() == {
            "phone": "+5511987654321",
            "messages": 2,
            "jobs": 2,
            "invoices": 2,
            "media_files": 1,
            "sender_days": 1,
            "webhook_events": 1,
        }
        async with db() as s:
            left = (await s.execute(select(WhatsAppMessage.message_id))).scalars().all()
            senders = (await s.execute(select(SenderDaily.sender_phone))).scalars().all()
            audit = (
                await s.execute(
                    select(AuditLog.action, AuditLog.object_id).where(
                        AuditLog.action.like("privacy.%")
                    )
                )
            ).all()
        assert left == ["M3"] and senders == ["+5521999998888"]
        assert await count(db, ImageProcessingJob) == 2  # M3's, and the other sender's
        async with db() as s:
            kept = (await s.execute(select(Invoice.beneficiary))).scalars().all()
        assert kept == ["Gás SA"]
        assert await count(db, WebhookEvent) == 1
        assert not (settings.media_root / "cd" / "boleto.jpg").exists()
        assert sorted(audit) == [("privacy.erased", "…4321"), ("privacy.exported", "…4321")]
        async with db() as s:
            details = (await s.execute(select(AuditLog.detail))).scalars().all()
        assert "98765" not in json.dumps(details)

    async def test_admins_only_and_bad_numbers(
        self, client: httpx.AsyncClient, users: UserFactory, as_user: AsUser
    ) -> None:
        operator = await as_user(await users.operator())
        r = await client.post("/api/privacy/export", json={"phone": PHONE}, headers=operator)
        assert r.status_code == 403
        admin = await as_user(await users.admin())
        r = await client.post("/api/privacy/export", json={"phone": "abc"}, headers=admin)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "phone"

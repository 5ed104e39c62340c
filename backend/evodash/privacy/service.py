"""Data-subject requests (LGPD arts. 18 and 19): for one phone number, export everything
evodash holds about it as a ZIP, or erase it. Both are recorded in the audit log with the
number's last four digits only (the log must not keep what was erased).

A number matches in every form WhatsApp writes it (with or without Brazil's ninth
digit): messages it sent (``sender_phone``), messages in its chat or sent by it in a
group (``remote_jid``/``participant``), the image jobs and invoices read from those
messages and their media files (an invoice it sent stays its own after retention purged
the message: the ledger keeps the sender), its per-day sender counts, and the webhook
events whose body names it.
"""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, String, cast, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.core.errors import Unprocessable
from evodash.jobs import media
from evodash.jobs.models import ImageProcessingJob
from evodash.ledger.models import Invoice
from evodash.messages import allowlist
from evodash.messages.models import WhatsAppMessage
from evodash.messages.schemas import MessageRead
from evodash.reports.models import SenderDaily
from evodash.retention.repository import RetentionRepository
from evodash.users import audit
from evodash.users.models import User
from evodash.webhooks.models import WebhookEvent

#: A request covers at most this many messages (the ZIP is built in memory).
MAX_MESSAGES = 100_000


class ErasureReport(BaseModel):
    phone: str = Field(description="The number, as E.164")
    messages: int
    jobs: int
    invoices: int = Field(description="Invoices in the ledger read from its images")
    media_files: int
    sender_days: int
    webhook_events: int


@dataclass(frozen=True)
class Subject:
    e164: str
    phones: list[str]  # +digits, as stored in sender_phone
    jids: list[str]
    digits: list[str]

    @property
    def masked(self) -> str:
        return "…" + self.e164[-4:]


def subject(phone: str, settings: Settings) -> Subject:
    e164 = allowlist.normalize_number(phone, settings.default_phone_region)
    if e164 is None:
        raise Unprocessable(
            f"{phone!r} is not a phone number.",
            extra={"errors": [{"field": "phone", "message": "not a phone number"}]},
        )
    digits = sorted(allowlist.variants(e164))
    return Subject(
        e164=e164,
        phones=["+" + d for d in digits],
        jids=[d + "@s.whatsapp.net" for d in digits],
        digits=digits,
    )


def _messages_of(who: Subject) -> Any:
    m = WhatsAppMessage
    return or_(
        m.sender_phone.in_(who.phones), m.remote_jid.in_(who.jids), m.participant.in_(who.jids)
    )


def _events_of(who: Subject) -> Any:
    body = cast(WebhookEvent.body, String)
    return or_(*(body.contains(d, autoescape=True) for d in who.digits))


async def _rows(
    session: AsyncSession, who: Subject
) -> tuple[list[WhatsAppMessage], list[ImageProcessingJob], list[Invoice]]:
    messages = (
        await session.scalars(
            select(WhatsAppMessage)
            .where(_messages_of(who))
            .order_by(WhatsAppMessage.wa_timestamp, WhatsAppMessage.id)
            .limit(MAX_MESSAGES + 1)
        )
    ).all()
    if len(messages) > MAX_MESSAGES:
        raise Unprocessable(
            f"More than {MAX_MESSAGES:,} messages match this number: purge old data first.",
            extra={"errors": [{"field": "phone", "message": "too many messages"}]},
        )
    ids = [m.id for m in messages]
    # The jobs of its messages, and those of the invoices it sent whose message is gone.
    sent = select(Invoice.job_id).where(Invoice.sender_phone.in_(who.phones))
    of_jobs: ColumnElement[bool] = ImageProcessingJob.id.in_(sent)
    if ids:
        of_jobs = or_(ImageProcessingJob.message_id.in_(ids), of_jobs)
    jobs = (
        await session.scalars(
            select(ImageProcessingJob).where(of_jobs).order_by(ImageProcessingJob.id)
        )
    ).all()
    job_ids = [j.id for j in jobs]
    invoices = (
        (
            await session.scalars(
                select(Invoice).where(Invoice.job_id.in_(job_ids)).order_by(Invoice.id)
            )
        ).all()
        if job_ids
        else []
    )
    return list(messages), list(jobs), list(invoices)


def _invoice_json(invoice: Invoice) -> dict[str, Any]:
    """The ledger's row: what was read, and who marked it paid or ignored, and when."""
    return {
        "id": invoice.id,
        "job_id": invoice.job_id,
        "message_id": invoice.message_id,
        "instance_id": invoice.instance_id,
        "sender_phone": invoice.sender_phone,
        "amount": None if invoice.amount is None else str(invoice.amount),
        "due_date": None if invoice.due_date is None else invoice.due_date.isoformat(),
        "beneficiary": invoice.beneficiary,
        "cnpj": invoice.cnpj,
        "pix_key": invoice.pix_key,
        "pix_txid": invoice.pix_txid,
        "typeable_line": invoice.typeable_line,
        "status": invoice.status,
        "status_by": invoice.status_by,
        "status_at": None if invoice.status_at is None else invoice.status_at.isoformat(),
        "created_at": invoice.created_at.isoformat(),
    }


def _job_json(job: ImageProcessingJob) -> dict[str, Any]:
    return {
        "id": job.id,
        "message_id": job.message_id,
        "instance_id": job.instance_id,
        "kind": job.kind,
        "status": job.status,
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "media_file": job.media_path,
        "result": job.result,  # the invoice read from the image
    }


def _build_zip(
    who: Subject,
    messages: list[dict[str, Any]],
    jobs: list[dict[str, Any]],
    invoices: list[dict[str, Any]],
    root: Path,
) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "README.txt",
            f"Data held by evodash about {who.e164}, exported {utcnow().isoformat()}.\n"
            "messages.json: the messages it sent or received; jobs.json: the images "
            "processed from them and what was read (result); invoices.json: the invoices "
            "in the ledger (with who marked them paid or ignored); media/: those images.\n",
        )
        z.writestr("messages.json", json.dumps(messages, ensure_ascii=False, indent=1))
        z.writestr("jobs.json", json.dumps(jobs, ensure_ascii=False, indent=1))
        z.writestr("invoices.json", json.dumps(invoices, ensure_ascii=False, indent=1))
        for job in jobs:
            path = media.resolve(root, job["media_file"])
            if path is not None and path.is_file():
                z.write(path, f"media/{job['media_file']}")
    return out.getvalue()


async def export_subject(
    session: AsyncSession, settings: Settings, phone: str, *, actor: User, ip: str | None
) -> tuple[str, bytes]:
    who = subject(phone, settings)
    messages, jobs, invoices = await _rows(session, who)
    message_json = [MessageRead.model_validate(m).model_dump(mode="json") for m in messages]
    job_json = [_job_json(j) for j in jobs]
    invoice_json = [_invoice_json(i) for i in invoices]
    data = await asyncio.to_thread(
        _build_zip, who, message_json, job_json, invoice_json, settings.media_root
    )
    audit.record(
        session,
        actor,
        "privacy.exported",
        object_type="phone",
        object_id=who.masked,
        detail={"messages": len(messages), "jobs": len(jobs), "invoices": len(invoices)},
        ip=ip,
    )
    return f"evodash-data-{who.e164.lstrip('+')}.zip", data


async def erase_subject(
    session: AsyncSession, settings: Settings, phone: str, *, actor: User, ip: str | None
) -> ErasureReport:
    who = subject(phone, settings)
    messages, jobs, invoices = await _rows(session, who)
    job_ids = [j.id for j in jobs]
    repo = RetentionRepository(session)
    paths = await repo.paths_of(job_ids) if job_ids else set()
    if job_ids:
        # The ledger's rows go with their jobs (ON DELETE CASCADE); said outright all the
        # same, so that erasure never depends on the database enforcing foreign keys.
        await session.execute(
            delete(Invoice)
            .where(Invoice.job_id.in_(job_ids))
            .execution_options(synchronize_session=False)
        )
        await repo.delete_jobs(job_ids)
    ids = [m.id for m in messages]
    for n in range(0, len(ids), 1000):
        await session.execute(
            delete(WhatsAppMessage)
            .where(WhatsAppMessage.id.in_(ids[n : n + 1000]))
            .execution_options(synchronize_session=False)
        )
    senders = await session.execute(
        delete(SenderDaily)
        .where(SenderDaily.sender_phone.in_(who.phones))
        .execution_options(synchronize_session=False)
    )
    events = await session.execute(
        delete(WebhookEvent).where(_events_of(who)).execution_options(synchronize_session=False)
    )
    unused = paths - await repo.still_used(paths)
    await session.flush()
    report = ErasureReport(
        phone=who.e164,
        messages=len(ids),
        jobs=len(job_ids),
        invoices=len(invoices),
        media_files=len(unused),
        sender_days=int(getattr(senders, "rowcount", 0) or 0),
        webhook_events=int(getattr(events, "rowcount", 0) or 0),
    )
    audit.record(
        session,
        actor,
        "privacy.erased",
        object_type="phone",
        object_id=who.masked,
        detail=report.model_dump(exclude={"phone"}),
        ip=ip,
    )
    # Files last: they cannot be rolled back, so only once everything else is written.
    await asyncio.to_thread(_unlink_all, settings.media_root, unused)
    return report


def _unlink_all(root: Path, relpaths: set[str]) -> None:
    for relpath in relpaths:
        path = media.resolve(root, relpath)
        if path is not None:
            path.unlink(missing_ok=True)

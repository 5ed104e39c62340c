"""The jobs API: list, counts, detail, files, retry and cancel; and the embedded worker."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.invoices.pix import build_pix_payload
from evodash.invoices.render import render_invoice_image
from evodash.jobs import media, service
from evodash.jobs.models import JobStatus
from evodash.users.models import AuditLog
from tests.conftest import AppRunner
from tests.factories import UserFactory

from .conftest import MakeJob, Sources, reload

Maker = async_sessionmaker[AsyncSession]
AsUser = Callable[[Any], Awaitable[dict[str, str]]]


@pytest.fixture
async def viewer(users: UserFactory, as_user: AsUser) -> dict[str, str]:
    return await as_user(await users.viewer())


@pytest.fixture
async def operator(users: UserFactory, as_user: AsUser) -> dict[str, str]:
    return await as_user(await users.operator())


class TestList:
    async def test_filters_and_pages(
        self, client: httpx.AsyncClient, viewer: dict[str, str], make_job: MakeJob, sources: Sources
    ) -> None:
        one = await sources.make_instance()
        two = await sources.make_instance()
        old = utcnow() - timedelta(days=3)
        await make_job(instance_id=one.id, status="failed", created_at=old)
        for _ in range(3):
            await make_job(instance_id=one.id, status="succeeded")
        newest = await make_job(instance_id=two.id)

        page = (await client.get("/api/jobs", headers=viewer)).json()
        assert page["total"] == 5
        assert page["items"][0]["id"] == newest.id  # newest first
        assert page["items"][0]["status"] == "pending"

        r = await client.get("/api/jobs", params={"status": ["failed", "pending"]}, headers=viewer)
        assert {j["status"] for j in r.json()["items"]} == {"failed", "pending"}

        r = await client.get("/api/jobs", params={"instance_id": two.id}, headers=viewer)
        assert [j["id"] for j in r.json()["items"]] == [newest.id]

        since = (utcnow() - timedelta(days=1)).isoformat()
        r = await client.get("/api/jobs", params={"created_from": since}, headers=viewer)
        assert r.json()["total"] == 4
        r = await client.get("/api/jobs", params={"created_to": since}, headers=viewer)
        assert [j["status"] for j in r.json()["items"]] == ["failed"]

        r = await client.get("/api/jobs", params={"page": 2, "page_size": 2}, headers=viewer)
        body = r.json()
        assert (body["total"], body["page"], len(body["items"])) == (5, 2, 2)

    async def test_bad_status_is_a_422(
        self, client: httpx.AsyncClient, viewer: dict[str, str]
    ) -> None:
        r = await client.get("/api/jobs", params={"status": "exploded"}, headers=viewer)
        assert r.status_code == 422
        assert r.json()["error"] == "validation_error"

    async def test_counts_per_status(
        self, client: httpx.AsyncClient, viewer: dict[str, str], make_job: MakeJob
    ) -> None:
        for status in ["pending", "pending", "running", "failed", "succeeded", "succeeded"]:
            await make_job(status=status)
        r = await client.get("/api/jobs/counts", headers=viewer)
        assert r.json() == {
            "pending": 2,
            "running": 1,
            "succeeded": 2,
            "failed": 1,
            "cancelled": 0,
            "total": 6,
        }


class TestDetail:
    async def test_shows_the_result(
        self, client: httpx.AsyncClient, viewer: dict[str, str], make_job: MakeJob
    ) -> None:
        result = {"summary": {"amount": "10.00"}, "summary_text": "Valor: R$ 10,00"}
        job = await make_job(status="succeeded", result=result, progress=100)
        r = await client.get(f"/api/jobs/{job.id}", headers=viewer)
        assert r.status_code == 200
        body = r.json()
        assert body["result"] == result
        assert body["summary"] == "Valor: R$ 10,00"
        assert body["image_url"] is None

    async def test_unknown_job_is_a_404(
        self, client: httpx.AsyncClient, viewer: dict[str, str]
    ) -> None:
        r = await client.get("/api/jobs/999", headers=viewer)
        assert r.status_code == 404
        assert r.json()["error"] == "job_not_found"


class TestFiles:
    async def test_image_and_thumbnail_with_their_content_type(
        self,
        client: httpx.AsyncClient,
        viewer: dict[str, str],
        make_job: MakeJob,
        settings: Settings,
    ) -> None:
        png = render_invoice_image(size=(200, 150), fmt="PNG")
        relpath, digest = await media.store_original(settings.media_root, png)
        await media.store_file(settings.media_root, media.thumbnail_relpath(digest), b"\xff\xd8x")
        job = await make_job(
            media_path=relpath,
            media_sha256=digest,
            media_mimetype="image/png",
            thumbnail_path=media.thumbnail_relpath(digest),
        )
        detail = (await client.get(f"/api/jobs/{job.id}", headers=viewer)).json()
        assert detail["image_url"] == f"/api/jobs/{job.id}/image"

        r = await client.get(detail["image_url"], headers=viewer)
        assert r.status_code == 200
        assert r.headers["content-type"] == "image/png"
        assert r.content == png
        r = await client.get(detail["thumbnail_url"], headers=viewer)
        assert (r.status_code, r.headers["content-type"]) == (200, "image/jpeg")

        assert (await client.get(detail["image_url"])).status_code == 401

    async def test_unchecked_media_is_not_served(
        self,
        client: httpx.AsyncClient,
        viewer: dict[str, str],
        make_job: MakeJob,
        settings: Settings,
    ) -> None:
        relpath, digest = await media.store_original(settings.media_root, b"%PDF-1.7 not an image")
        job = await make_job(media_path=relpath, media_sha256=digest, status="failed")
        r = await client.get(f"/api/jobs/{job.id}/image", headers=viewer)
        assert r.status_code == 404
        assert r.json()["error"] == "job_file_not_found"
        r = await client.get(f"/api/jobs/{job.id}/thumbnail", headers=viewer)
        assert r.status_code == 404

    async def test_a_path_outside_media_root_is_never_served(
        self,
        client: httpx.AsyncClient,
        viewer: dict[str, str],
        make_job: MakeJob,
    ) -> None:
        job = await make_job(media_path="../../../etc/passwd", media_mimetype="image/png")
        r = await client.get(f"/api/jobs/{job.id}/image", headers=viewer)
        assert r.status_code == 404


class TestRetry:
    async def test_a_failed_job_runs_again_with_fresh_attempts(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        make_job: MakeJob,
        db: Maker,
    ) -> None:
        job = await make_job(
            status="failed", attempts=3, error="invalid image", finished_at=utcnow()
        )
        r = await client.post(f"/api/jobs/{job.id}/retry", headers=operator)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "pending"
        after = await reload(db, job.id)
        assert (after.status, after.attempts, after.error) == (JobStatus.pending, 0, None)
        assert after.run_after <= utcnow()
        async with db() as session:
            actions = (await session.execute(select(AuditLog.action))).scalars().all()
        assert "job.retry" in actions

    async def test_a_pending_job_cannot_be_retried(
        self, client: httpx.AsyncClient, operator: dict[str, str], make_job: MakeJob
    ) -> None:
        job = await make_job()
        r = await client.post(f"/api/jobs/{job.id}/retry", headers=operator)
        assert r.status_code == 409
        assert r.json()["detail"] == "Cannot retry a job that is pending."

    async def test_viewers_cannot_retry(
        self, client: httpx.AsyncClient, viewer: dict[str, str], make_job: MakeJob
    ) -> None:
        job = await make_job(status="failed")
        r = await client.post(f"/api/jobs/{job.id}/retry", headers=viewer)
        assert r.status_code == 403


class TestCancel:
    @pytest.mark.parametrize("status", ["pending", "running"])
    async def test_queued_or_running_jobs_are_cancelled(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        make_job: MakeJob,
        db: Maker,
        status: str,
    ) -> None:
        job = await make_job(status=status, lease_owner="w" if status == "running" else None)
        r = await client.post(f"/api/jobs/{job.id}/cancel", headers=operator)
        assert r.status_code == 200
        after = await reload(db, job.id)
        assert (after.status, after.lease_owner) == (JobStatus.cancelled, None)
        assert after.error is not None and after.error.startswith("cancelled by ")

    async def test_a_finished_job_cannot_be_cancelled(
        self, client: httpx.AsyncClient, operator: dict[str, str], make_job: MakeJob
    ) -> None:
        job = await make_job(status="succeeded")
        r = await client.post(f"/api/jobs/{job.id}/cancel", headers=operator)
        assert r.status_code == 409

    async def test_unknown_job(self, client: httpx.AsyncClient, operator: dict[str, str]) -> None:
        assert (await client.post("/api/jobs/12345/cancel", headers=operator)).status_code == 404


class TestEmbeddedWorker:
    @pytest.mark.commits
    async def test_the_api_process_runs_jobs_and_pushes_updates(
        self, settings: Settings, db: Maker, sources: Sources, run_app: AppRunner
    ) -> None:
        pix = build_pix_payload("11222333000181", "Companhia Exemplo", "Sao Paulo", None, "T1")
        data = render_invoice_image(pix_payload=pix, size=(800, 600), fmt="PNG")
        message = await sources.make_message(await sources.make_instance())
        events: list[dict[str, Any]] = []
        async with run_app(settings.model_copy(update={"embedded_worker": True})) as app:
            assert app.state.jobs_worker is not None

            async def listen() -> None:
                async for event in app.state.bus.subscribe():
                    if event["type"] == "job.updated":
                        events.append(event["data"])

            listener = asyncio.create_task(listen())
            await asyncio.sleep(0)
            async with app.state.sessionmaker() as session:
                job = await service.enqueue_image_job(
                    session,
                    message=message,
                    media_base64=base64.b64encode(data).decode(),
                    settings=app.state.settings,
                )
                await session.commit()
            for _ in range(300):
                if (await reload(db, job.id)).status == JobStatus.succeeded:
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.1)
            listener.cancel()
        done = await reload(db, job.id)
        assert done.status == JobStatus.succeeded, done.error
        assert (settings.media_root / (done.media_path or "-")).is_file()
        statuses = [e["status"] for e in events if e["id"] == job.id]
        assert statuses[0] == "pending" and statuses[-1] == "succeeded"
        assert "running" in statuses
        assert events[-1]["image_url"] == f"/api/jobs/{job.id}/image"

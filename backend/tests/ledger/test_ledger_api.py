"""The invoice ledger against hand-computed figures: filters, totals per due month,
duplicates, paid/ignored marks, and a CSV parsed back with pt-BR numbers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.db import utcnow
from evodash.instances.models import EvolutionInstance
from evodash.jobs import service as jobs
from evodash.jobs.models import ImageProcessingJob
from evodash.ledger.service import record_from_job
from evodash.messages.models import WhatsAppMessage
from evodash.servers.models import EvolutionServer
from evodash.users.models import AuditLog
from tests.factories import UserFactory, add_instance
from tests.reports.test_reports_api import parse_csv

AsUser = Callable[[Any], Awaitable[dict[str, str]]]
LINE = "23790.12345 60000.000003 00000.000000 1 99990000123456"


def result(amount: str | None, due: str | None, **summary: Any) -> dict[str, Any]:
    pix = {"txid": summary.pop("txid")} if "txid" in summary else None
    return {"summary": {"amount": amount, "due_date": due, **summary}, "pix": pix}


@pytest.fixture
async def seeded(db: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with db() as s:
        inst = await add_instance(s, "loja", display_name="Loja Centro")
        message = WhatsAppMessage(
            instance_id=inst.id,
            message_id="IMG1",
            remote_jid="5511987654321@s.whatsapp.net",
            sender_phone="+5511987654321",
            direction="in",
            message_type="imageMessage",
            wa_timestamp=utcnow(),
            raw={},
        )
        s.add(message)
        await s.flush()
        specs = [
            (
                message.id,
                result("1234.56", "2026-11-10", typeable_line=LINE, beneficiary="Água SA"),
            ),
            (None, result("100.00", "2026-11-20", pix_key="a@b.co", txid="T1")),
            (None, result("50.5", "2026-12-05", typeable_line=LINE)),
            (None, result(None, None)),  # nothing read: not an invoice
        ]
        ids = []
        for message_id, res in specs:
            job = ImageProcessingJob(
                message_id=message_id, instance_id=inst.id, status="succeeded", result=res
            )
            s.add(job)
            await s.flush()
            await record_from_job(s, job)
            ids.append(job.id)
        # One more through the worker's path: a running job marked succeeded.
        running = ImageProcessingJob(instance_id=inst.id, status="running", lease_owner="w1")
        s.add(running)
        await s.flush()
        await jobs.mark_succeeded(s, running.id, "w1", result("10.00", None, txid="T1"))
        await s.commit()
    return {"instance": inst.id, "first_job": ids[0]}


class TestLedger:
    async def test_figures_filters_and_duplicates(
        self, client: httpx.AsyncClient, users: UserFactory, as_user: AsUser, seeded: dict[str, int]
    ) -> None:
        headers = await as_user(await users.viewer())
        body = (await client.get("/api/invoices", headers=headers)).json()
        assert body["total"] == 4
        assert Decimal(body["amount_total"]) == Decimal("1395.06")
        months = [(m["month"], m["count"], Decimal(m["amount"])) for m in body["per_month"]]
        assert months == [
            ("2026-11", 2, Decimal("1334.56")),
            ("2026-12", 1, Decimal("50.50")),
            ("none", 1, Decimal("10.00")),
        ]
        by_amount = {Decimal(i["amount"]): i for i in body["items"]}
        # The same boleto line twice, the same PIX txid twice.
        assert {a for a, i in by_amount.items() if i["duplicate"]} == {
            Decimal("1234.56"),
            Decimal("50.50"),
            Decimal("100.00"),
            Decimal("10.00"),
        }
        first = by_amount[Decimal("1234.56")]
        assert first["sender_phone"] == "+5511987654321" and first["message_id"]
        assert first["instance_name"] == "Loja Centro" and first["beneficiary"] == "Água SA"
        assert first["image_url"] == f"/api/jobs/{seeded['first_job']}/image"

        async def amounts(**params: str) -> list[str]:
            r = await client.get("/api/invoices", params=params, headers=headers)
            assert r.status_code == 200, r.text
            return sorted(i["amount"] for i in r.json()["items"])

        assert await amounts(amount_min="100") == ["100.00", "1234.56"]
        assert await amounts(due_from="2026-11-15", due_to="2026-12-31") == ["100.00", "50.50"]
        assert await amounts(sender="(11) 98765-4321") == ["1234.56"]
        assert await amounts(amount_max="60", amount_min="20") == ["50.50"]

    async def test_instance_filter_and_its_totals(
        self,
        client: httpx.AsyncClient,
        users: UserFactory,
        as_user: AsUser,
        seeded: dict[str, int],
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        async with db() as s:
            server = await s.scalar(select(EvolutionServer))
            assert server is not None
            other = EvolutionInstance(server_id=server.id, display_name="Filial Sul", name="sul")
            s.add(other)
            await s.flush()
            job = ImageProcessingJob(
                instance_id=other.id,
                status="succeeded",
                result=result("77.70", "2026-11-25", beneficiary="Gás Sul"),
            )
            s.add(job)
            await s.flush()
            await record_from_job(s, job)
            await s.commit()
        headers = await as_user(await users.viewer())

        async def page(instance_id: int) -> dict[str, Any]:
            r = await client.get(
                "/api/invoices", params={"instance_id": instance_id}, headers=headers
            )
            assert r.status_code == 200, r.text
            body: dict[str, Any] = r.json()
            return body

        south = await page(other.id)
        assert [(i["amount"], i["instance_name"]) for i in south["items"]] == [
            ("77.70", "Filial Sul")
        ]
        assert Decimal(south["amount_total"]) == Decimal("77.70")
        assert [(m["month"], m["count"]) for m in south["per_month"]] == [("2026-11", 1)]
        centre = await page(seeded["instance"])
        assert centre["total"] == 4 and Decimal(centre["amount_total"]) == Decimal("1395.06")

    async def test_mark_paid_and_csv(
        self,
        client: httpx.AsyncClient,
        users: UserFactory,
        as_user: AsUser,
        seeded: dict[str, int],
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        operator = await users.operator(username="caixa")
        headers = await as_user(operator)
        items = (await client.get("/api/invoices", headers=headers)).json()["items"]
        target = next(i for i in items if i["amount"] == "1234.56")
        r = await client.patch(
            f"/api/invoices/{target['id']}", json={"status": "paid"}, headers=headers
        )
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "paid" and r.json()["status_by"] == "caixa"
        assert r.json()["status_at"] is not None
        async with db() as s:
            actions = (await s.execute(select(AuditLog.action))).scalars().all()
        assert "invoice.paid" in actions
        viewer = await as_user(await users.viewer())
        r = await client.patch(
            f"/api/invoices/{target['id']}", json={"status": "ignored"}, headers=viewer
        )
        assert r.status_code == 403
        assert (
            await client.patch("/api/invoices/999999", json={"status": "paid"}, headers=headers)
        ).status_code == 404

        r = await client.get("/api/invoices", params={"format": "csv", "sep": ";"}, headers=headers)
        rows = parse_csv(r, ";")
        paid = next(row for row in rows if row["status"] == "paid")
        assert paid["amount"] == "1234,56"  # a number for Excel in pt-BR
        assert Decimal(paid["amount"].replace(",", ".")) == Decimal("1234.56")
        assert paid["beneficiary"] == "Água SA" and paid["duplicate"] == "true"
        assert paid["status_by"] == "caixa"
        total = sum(Decimal(row["amount"].replace(",", ".")) for row in rows)
        assert total == Decimal("1395.06")

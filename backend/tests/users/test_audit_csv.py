from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.users import audit
from tests.factories import UserFactory
from tests.reports.test_reports_api import parse_csv

AsUser = Callable[[Any], Awaitable[dict[str, str]]]


class TestAuditCsv:
    async def test_same_filters_as_the_page(
        self,
        client: httpx.AsyncClient,
        users: UserFactory,
        as_user: AsUser,
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        admin = await users.admin()
        headers = await as_user(admin)
        async with db() as s:
            audit.record(
                s,
                None,
                "user.login_failed",
                username="=cmd|' /C calc'!A0",
                detail={"reason": "senha inválida"},
                success=False,
            )
            audit.record(s, None, "server.created", object_type="server", object_id=7)
            await s.commit()
        r = await client.get(
            "/api/audit", params={"format": "csv", "action": "user.login_failed"}, headers=headers
        )
        assert r.status_code == 200
        rows = parse_csv(r)
        assert [row["action"] for row in rows] == ["user.login_failed"]
        assert rows[0]["username"] == "'=cmd|' /C calc'!A0"
        assert rows[0]["success"] == "false"
        assert rows[0]["detail"] == '{"reason": "senha inválida"}'
        r = await client.get("/api/audit", params={"format": "csv", "sep": ";"}, headers=headers)
        assert {row["action"] for row in parse_csv(r, ";")} == {
            "user.login_failed",
            "server.created",
        }

    async def test_admins_only(
        self, client: httpx.AsyncClient, users: UserFactory, as_user: AsUser
    ) -> None:
        headers = await as_user(await users.operator())
        r = await client.get("/api/audit", params={"format": "csv"}, headers=headers)
        assert r.status_code == 403

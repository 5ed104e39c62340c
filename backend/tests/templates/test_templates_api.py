"""``/api/templates``: who may do what, what is refused, what is kept (and never shown)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.security import decrypt
from evodash.templates.models import FleetTemplate
from tests.conftest import TEST_SECRET
from tests.instances.helpers import audit_actions

pytestmark = pytest.mark.usefixtures("db")
Db = async_sessionmaker[AsyncSession]

BODY: dict[str, Any] = {
    "name": "Lojas",
    "events": ["CALL"],
    "settings": {"reject_call": True, "msg_call": "Sem ligações"},
    "allowed_numbers": ["(11) 98765-4321"],
    "destinations": [
        {
            "name": "crm",
            "url": "https://crm.example.com/in",
            "secret_header_name": "X-Key",
            "secret_header_value": "top-secret-1",
        }
    ],
}


async def _create(client: httpx.AsyncClient, headers: dict[str, str], **extra: Any) -> Any:
    response = await client.post("/api/templates", json={**BODY, **extra}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def _stored(db: Db, template_id: int) -> FleetTemplate:
    async with db() as session:
        row = await session.get(FleetTemplate, template_id)
    assert row is not None
    return row


class TestCreate:
    async def test_admins_create_what_others_read(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        operator: dict[str, str],
        viewer: dict[str, str],
        db: Db,
    ) -> None:
        for headers in (operator, viewer):
            refused = await client.post("/api/templates", json=BODY, headers=headers)
            assert refused.status_code == 403
        data = await _create(client, admin)
        assert data["settings"] == {
            "reject_call": True,
            "msg_call": "Sem ligações",
            "groups_ignore": None,
            "always_online": None,
            "read_messages": None,
            "read_status": None,
            "sync_full_history": None,
        }
        assert data["allowed_numbers"] == ["+5511987654321"]
        assert data["destinations"][0]["has_secret"] is True
        assert data["version"] == 1 and data["linked"] == 0
        assert "top-secret" not in str(data)
        listed = (await client.get("/api/templates", headers=viewer)).json()
        assert [t["name"] for t in listed["items"]] == ["Lojas"]
        row = await _stored(db, data["id"])
        assert row.settings == {"reject_call": True, "msg_call": "Sem ligações"}
        encrypted = row.destinations[0]["secret_header_value_encrypted"]  # type: ignore[index]
        assert "top-secret" not in encrypted
        assert decrypt(encrypted, secret=TEST_SECRET) == "top-secret-1"
        assert "template.created" in await audit_actions(db)

    @pytest.mark.parametrize(
        ("extra", "field"),
        [
            ({"allowed_numbers": ["not a number"]}, None),
            ({"events": ["NOPE"]}, "events.0"),
            ({"name": "   "}, "name"),
            (
                {"destinations": [{"name": "a", "url": "http://127.0.0.1:9/x"}]},
                None,
            ),
            (
                {
                    "destinations": [
                        {"name": "a", "url": "https://a.example.com"},
                        {"name": "a", "url": "https://b.example.com"},
                    ]
                },
                "destinations",
            ),
            (
                {
                    "destinations": [
                        {"name": f"d{n}", "url": "https://a.example.com"} for n in range(11)
                    ]
                },
                "destinations",
            ),
        ],
    )
    async def test_bad_templates_are_refused(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        extra: dict[str, Any],
        field: str | None,
        db: Db,
    ) -> None:
        response = await client.post("/api/templates", json={**BODY, **extra}, headers=admin)
        assert response.status_code == 422, response.text
        if field is not None:
            assert response.json()["errors"][0]["field"] == field
        async with db() as session:
            assert (await session.scalars(select(FleetTemplate))).all() == []

    async def test_a_taken_name_is_a_conflict(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        await _create(client, admin)
        again = await client.post("/api/templates", json=BODY, headers=admin)
        assert again.status_code == 409
        assert again.json()["error"] == "template_name_taken"


class TestUpdate:
    async def test_changes_raise_the_version_and_keep_secrets(
        self, client: httpx.AsyncClient, admin: dict[str, str], db: Db
    ) -> None:
        data = await _create(client, admin)
        path = f"/api/templates/{data['id']}"
        renamed = await client.patch(path, json={"description": "new"}, headers=admin)
        assert renamed.json()["version"] == 1  # not what it applies
        # The destination keeps its stored secret when only the header name is sent.
        changed = await client.patch(
            path,
            json={
                "destinations": [
                    {
                        "name": "crm",
                        "url": "https://crm.example.com/v2",
                        "secret_header_name": "X-Key",
                    }
                ],
                "allowed_numbers": None,
            },
            headers=admin,
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["version"] == 2
        assert changed.json()["allowed_numbers"] is None
        row = await _stored(db, data["id"])
        encrypted = row.destinations[0]["secret_header_value_encrypted"]  # type: ignore[index]
        assert decrypt(encrypted, secret=TEST_SECRET) == "top-secret-1"
        # A header name for a destination that had no secret needs its value.
        refused = await client.patch(
            path,
            json={
                "destinations": [
                    {"name": "other", "url": "https://a.example.com", "secret_header_name": "X"}
                ]
            },
            headers=admin,
        )
        assert refused.status_code == 422
        assert refused.json()["error"] == "secret_header_incomplete"
        assert (await client.patch(path, json={"name": None}, headers=admin)).status_code == 422
        assert "template.updated" in await audit_actions(db)

    async def test_operators_cannot_change_or_delete(
        self, client: httpx.AsyncClient, admin: dict[str, str], operator: dict[str, str]
    ) -> None:
        data = await _create(client, admin)
        path = f"/api/templates/{data['id']}"
        assert (await client.patch(path, json={}, headers=operator)).status_code == 403
        assert (await client.delete(path, headers=operator)).status_code == 403
        assert (await client.delete(path, headers=admin)).status_code == 204
        assert (await client.get(path, headers=operator)).status_code == 404

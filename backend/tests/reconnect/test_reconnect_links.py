"""Customer reconnect links: operators create, list and revoke them; the public routes
show only the display name and the pairing code, follow the connection, and stop working
once it connected through them, expired or were revoked. Pairing runs against the
simulator over real HTTP."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.db import utcnow
from evodash.reconnect import service
from evodash.reconnect.models import ReconnectLink
from evodash.users.models import AuditLog
from tests.instances.helpers import register_server
from tests.instances.test_lifecycle_e2e import create, decode_qr
from tests.simulator_server import RunningSimulator

STATE = "/api/public/reconnect/state"
CONNECT = "/api/public/reconnect/connect"


def token_of(link: dict[str, Any]) -> str:
    url: str = link["url"]
    assert "/reconnect#" in url
    return url.split("#", 1)[1]


@pytest.fixture
async def server(
    client: httpx.AsyncClient, admin: dict[str, str], running_simulator: RunningSimulator
) -> dict[str, Any]:
    return await register_server(
        client, admin, running_simulator.base_url, running_simulator.api_key, "sim"
    )


async def new_link(
    client: httpx.AsyncClient, headers: dict[str, str], instance_id: int, **body: Any
) -> dict[str, Any]:
    r = await client.post(
        f"/api/instances/{instance_id}/reconnect-links", json=body, headers=headers
    )
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


@pytest.mark.commits
class TestReconnectLinks:
    async def test_created_hashed_listed_revoked_and_audited(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        viewer: dict[str, str],
        server: dict[str, Any],
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        inst = await create(client, operator, server["id"], "cliente-a")
        link = await new_link(client, operator, inst["id"])
        token = token_of(link)
        assert len(token) >= 22  # 128 random bits, URL-safe base64
        expires = datetime.fromisoformat(link["expires_at"]) - utcnow()
        assert timedelta(hours=24) - timedelta(minutes=1) < expires <= timedelta(hours=24)
        async with db() as s:
            row = (await s.scalars(select(ReconnectLink))).one()
            assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
            actions = (await s.scalars(select(AuditLog.action))).all()
        assert "reconnect_link.create" in actions
        listed = await client.get(f"/api/instances/{inst['id']}/reconnect-links", headers=operator)
        assert [x["id"] for x in listed.json()] == [link["id"]]
        assert token not in listed.text and "url" not in listed.json()[0]
        # Viewers neither create nor see links.
        denied = await client.post(
            f"/api/instances/{inst['id']}/reconnect-links", json={}, headers=viewer
        )
        assert denied.status_code == 403

        shown = await client.post(STATE, json={"token": token})
        assert shown.status_code == 200
        body = shown.json()
        assert body["display_name"] == "Display cliente-a"
        assert body["connected"] is False and body["pin_required"] is False
        # Nothing else: no id, technical name, token or key.
        assert set(body) == {
            "display_name",
            "pin_required",
            "connected",
            "qr_code",
            "pairing_code",
            "expires_at",
        }

        gone = await client.delete(
            f"/api/instances/{inst['id']}/reconnect-links/{link['id']}", headers=operator
        )
        assert gone.status_code == 204
        after = await client.post(STATE, json={"token": token})
        assert after.status_code == 404
        assert after.json()["error"] == "reconnect_link_not_found"

    async def test_bad_input_and_expiry(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        server: dict[str, Any],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        inst = await create(client, operator, server["id"], "cliente-b")
        url = f"/api/instances/{inst['id']}/reconnect-links"
        for body in ({"expires_in_hours": 0}, {"expires_in_hours": 169}, {"pin": "12"}):
            assert (await client.post(url, json=body, headers=operator)).status_code == 422
        assert (await client.post(STATE, json={"token": "x"})).status_code == 422
        link = await new_link(client, operator, inst["id"], expires_in_hours=1)
        later = utcnow() + timedelta(hours=1, seconds=1)
        monkeypatch.setattr(service, "utcnow", lambda: later)
        assert (await client.post(STATE, json={"token": token_of(link)})).status_code == 404

    async def test_pin_required_and_wrong_guesses_throttled(
        self, client: httpx.AsyncClient, operator: dict[str, str], server: dict[str, Any]
    ) -> None:
        inst = await create(client, operator, server["id"], "cliente-c")
        token = token_of(await new_link(client, operator, inst["id"], pin="4821"))
        asked = (await client.post(STATE, json={"token": token})).json()
        assert asked == {
            "display_name": "Display cliente-c",
            "pin_required": True,
            "connected": False,
            "qr_code": None,
            "pairing_code": None,
            "expires_at": None,
        }
        codes = [
            (await client.post(STATE, json={"token": token, "pin": "0000"})).status_code
            for _ in range(6)
        ]
        assert codes[:5] == [403] * 5 and codes[5] == 429
        # The right PIN waits for the backoff too (the next guess is refused until then).
        blocked = await client.post(STATE, json={"token": token, "pin": "4821"})
        assert blocked.status_code == 429 and "retry-after" in blocked.headers

    async def test_pair_through_the_link_then_it_is_spent(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        server: dict[str, Any],
        running_simulator: RunningSimulator,
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        inst = await create(client, operator, server["id"], "cliente-d")
        token = token_of(await new_link(client, operator, inst["id"]))
        started = await client.post(CONNECT, json={"token": token})
        assert started.status_code == 200, started.text
        body = started.json()
        remote = await running_simulator.instance("cliente-d")
        assert remote is not None
        assert decode_qr(body["qr_code"]) == remote["qrcode"]["code"]
        assert body["connected"] is False

        await running_simulator.scan("cliente-d", "5511912345678")
        synced = await client.post(f"/api/instances/{inst['id']}/sync", headers=operator)
        assert synced.status_code == 200
        done = (await client.post(STATE, json={"token": token})).json()
        assert done["connected"] is True and done["qr_code"] is None
        assert (await client.post(STATE, json={"token": token})).status_code == 404
        async with db() as s:
            actions = (await s.scalars(select(AuditLog.action))).all()
        assert {"reconnect_link.used", "instance.connect"} <= set(actions)

"""Customer reconnect links: operators create, list and revoke them; the public routes
show only the display name and the pairing code, follow the connection, and stop working
once it connected through them, expired or were revoked. Pairing runs against the
simulator over real HTTP."""

from __future__ import annotations

import asyncio
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
from tests import loopback
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
            "started",
            "claim",
        }

        gone = await client.delete(
            f"/api/instances/{inst['id']}/reconnect-links/{link['id']}", headers=operator
        )
        assert gone.status_code == 204
        after = await client.post(STATE, json={"token": token})
        assert after.status_code == 404
        assert after.json()["error"] == "reconnect_link_revoked"
        async with db() as s:
            revoked = (
                await s.scalars(select(AuditLog).where(AuditLog.action == "reconnect_link.revoke"))
            ).one()
        assert revoked.object_id == str(inst["id"])
        # An unknown token is one answer, whatever it looks like.
        unknown = await client.post(STATE, json={"token": "A" * 22})
        assert unknown.status_code == 404
        assert unknown.json()["error"] == "reconnect_link_not_found"

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
        expired = await client.post(STATE, json={"token": token_of(link)})
        assert expired.status_code == 404
        assert expired.json()["error"] == "reconnect_link_expired"

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
            "started": False,
            "claim": None,
        }
        codes = [
            (await client.post(STATE, json={"token": token, "pin": "0000"})).status_code
            for _ in range(6)
        ]
        assert codes[:5] == [403] * 5 and codes[5] == 429
        # The right PIN waits for the backoff too (the next guess is refused until then).
        blocked = await client.post(STATE, json={"token": token, "pin": "4821"})
        assert blocked.status_code == 429 and "retry-after" in blocked.headers

    async def test_guessing_links_is_throttled(self, client: httpx.AsyncClient) -> None:
        """Unknown tokens are failed guesses of the caller's address: after a few, 429."""
        guesses = [await client.post(STATE, json={"token": f"{n:022d}"}) for n in range(6)]
        codes = [g.status_code for g in guesses]
        assert codes[:5] == [404] * 5 and codes[5] == 429, codes
        assert {g.json()["error"] for g in guesses[:5]} == {"reconnect_link_not_found"}
        assert "retry-after" in guesses[5].headers
        refused = await client.post(CONNECT, json={"token": "Z" * 22})
        assert refused.status_code == 429

    async def test_pair_with_a_code_typed_on_the_phone(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        server: dict[str, Any],
        running_simulator: RunningSimulator,
    ) -> None:
        """The page's other way in: the customer's number, then a pairing code to type."""
        inst = await create(client, operator, server["id"], "cliente-p")
        token = token_of(await new_link(client, operator, inst["id"]))
        started = await client.post(
            CONNECT, json={"token": token, "phone_number": "+55 11 91234-5678"}
        )
        assert started.status_code == 200, started.text
        body = started.json()
        remote = await running_simulator.instance("cliente-p")
        assert remote is not None and remote["pairingNumber"] == "5511912345678"
        assert body["pairing_code"] == remote["qrcode"]["pairingCode"]
        assert len(body["pairing_code"]) == 8 and body["started"] is True
        # The page polls: the same code, until the phone has typed it.
        polled = (await client.post(STATE, json={"token": token})).json()
        assert polled["pairing_code"] == body["pairing_code"] and polled["connected"] is False

        await running_simulator.scan("cliente-p", "5511912345678")
        await client.post(f"/api/instances/{inst['id']}/sync", headers=operator)
        done = (await client.post(STATE, json={"token": token})).json()
        assert done["connected"] is True and done["pairing_code"] is None
        assert (await client.post(STATE, json={"token": token})).status_code == 404

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
        assert body["connected"] is False and body["started"] is True
        assert body["claim"] is None  # not a single-use link: nothing to claim

        await running_simulator.scan("cliente-d", "5511912345678")
        synced = await client.post(f"/api/instances/{inst['id']}/sync", headers=operator)
        assert synced.status_code == 200
        done = (await client.post(STATE, json={"token": token})).json()
        assert done["connected"] is True and done["qr_code"] is None
        spent = await client.post(STATE, json={"token": token})
        assert spent.status_code == 404
        assert spent.json()["error"] == "reconnect_link_used"
        assert (await client.post(CONNECT, json={"token": token})).status_code == 404
        async with db() as s:
            actions = (await s.scalars(select(AuditLog.action))).all()
        assert {"reconnect_link.used", "instance.connect"} <= set(actions)

    async def test_no_code_is_shown_before_pairing_starts_through_the_link(
        self, client: httpx.AsyncClient, operator: dict[str, str], server: dict[str, Any]
    ) -> None:
        """The operator's own QR (or a pairing code they asked for) is not the customer's."""
        inst = await create(client, operator, server["id"], "cliente-e")
        own = await client.post(f"/api/instances/{inst['id']}/connect", json={}, headers=operator)
        assert own.status_code == 200 and own.json()["qr_code"]
        token = token_of(await new_link(client, operator, inst["id"]))
        shown = (await client.post(STATE, json={"token": token})).json()
        assert shown["started"] is False and shown["qr_code"] is None

    async def test_single_use_link_works_for_the_browser_that_claimed_it(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        server: dict[str, Any],
        running_simulator: RunningSimulator,
    ) -> None:
        inst = await create(client, operator, server["id"], "cliente-f")
        link = await new_link(client, operator, inst["id"], single_use=True)
        assert link["single_use"] is True
        token = token_of(link)
        # Looking does not claim it.
        assert (await client.post(STATE, json={"token": token})).json()["started"] is False
        first = await client.post(CONNECT, json={"token": token})
        assert first.status_code == 200, first.text
        claim = first.json()["claim"]
        assert isinstance(claim, str) and len(claim) >= 22
        # Anyone else (no claim, or a wrong one) finds it used, for looking and for pairing.
        for body in ({"token": token}, {"token": token, "claim": "B" * 22}):
            for path in (STATE, CONNECT):
                other = await client.post(path, json=body)
                assert other.status_code == 404
                assert other.json()["error"] == "reconnect_link_used"
        mine = await client.post(STATE, json={"token": token, "claim": claim})
        assert mine.status_code == 200 and mine.json()["qr_code"]
        again = await client.post(CONNECT, json={"token": token, "claim": claim})
        assert again.status_code == 200 and again.json()["claim"] is None
        listed = await client.get(f"/api/instances/{inst['id']}/reconnect-links", headers=operator)
        assert listed.json()[0]["single_use"] is True and listed.json()[0]["active"] is True

        await running_simulator.scan("cliente-f", "5511912345678")
        await client.post(f"/api/instances/{inst['id']}/sync", headers=operator)
        done = await client.post(STATE, json={"token": token, "claim": claim})
        assert done.json()["connected"] is True
        spent = await client.post(STATE, json={"token": token, "claim": claim})
        assert spent.json()["error"] == "reconnect_link_used"

    async def test_link_stops_when_its_operator_may_no_longer_act(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        admin: dict[str, str],
        server: dict[str, Any],
    ) -> None:
        inst = await create(client, operator, server["id"], "cliente-g")
        token = token_of(await new_link(client, operator, inst["id"]))
        me = (await client.get("/api/auth/me", headers=operator)).json()
        demoted = await client.patch(
            f"/api/users/{me['id']}", json={"role": "viewer"}, headers=admin
        )
        assert demoted.status_code == 200, demoted.text
        refused = await client.post(CONNECT, json={"token": token})
        assert refused.status_code == 404
        assert refused.json()["error"] == "reconnect_link_revoked"

    async def test_connected_is_recorded_once_when_pages_race(
        self,
        client: httpx.AsyncClient,
        operator: dict[str, str],
        server: dict[str, Any],
        running_simulator: RunningSimulator,
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        inst = await create(client, operator, server["id"], "cliente-h")
        token = token_of(await new_link(client, operator, inst["id"]))
        assert (await client.post(CONNECT, json={"token": token})).status_code == 200
        await running_simulator.scan("cliente-h", "5511912345678")
        await client.post(f"/api/instances/{inst['id']}/sync", headers=operator)
        answers = await asyncio.gather(
            *(client.post(STATE, json={"token": token}) for _ in range(4))
        )
        assert any(a.status_code == 200 and a.json()["connected"] for a in answers)
        assert all(
            a.status_code == 200 or a.json()["error"] == "reconnect_link_used" for a in answers
        )
        async with db() as s:
            used = (
                await s.scalars(select(AuditLog).where(AuditLog.action == "reconnect_link.used"))
            ).all()
        assert len(used) == 1


class TestReconnectPage:
    """The page's own entry, served at the links' path with stricter headers."""

    async def test_served_with_its_headers(self, settings: Any, tmp_path: Any) -> None:
        from pathlib import Path

        from asgi_lifespan import LifespanManager

        from evodash.core.middleware import RECONNECT_CSP
        from evodash.main import create_app

        dist = Path(str(tmp_path)) / "dist"
        (dist / "assets").mkdir(parents=True)
        (dist / "index.html").write_text("<!doctype html><div id=root></div>")
        (dist / "reconnect.html").write_text("<!doctype html><div id=app></div>")
        app = create_app(settings.model_copy(update={"frontend_dist": dist}))
        async with (
            LifespanManager(app),
            loopback.client(
                transport=httpx.ASGITransport(app=app), base_url="http://testserver"
            ) as client,
        ):
            page = await client.get("/reconnect")
            assert page.status_code == 200
            assert "id=app" in page.text
            assert page.headers["content-type"].startswith("text/html")
            assert page.headers["cache-control"] == "no-cache"
            assert page.headers["content-security-policy"] == RECONNECT_CSP
            assert "connect-src 'self';" in RECONNECT_CSP and "https:" not in RECONNECT_CSP
            assert page.headers["referrer-policy"] == "no-referrer"
            assert page.headers["x-frame-options"] == "DENY"
            assert "noindex" in page.headers["x-robots-tag"]
            # The dashboard keeps its own page and policy.
            dashboard = await client.get("/instances")
            assert "id=root" in dashboard.text
            assert dashboard.headers["content-security-policy"] != RECONNECT_CSP

    async def test_not_built_is_a_404(self, settings: Any, tmp_path: Any) -> None:
        from pathlib import Path

        from asgi_lifespan import LifespanManager

        from evodash.main import create_app

        dist = Path(str(tmp_path)) / "dist"
        dist.mkdir()
        app = create_app(settings.model_copy(update={"frontend_dist": dist}))
        async with (
            LifespanManager(app),
            loopback.client(
                transport=httpx.ASGITransport(app=app), base_url="http://testserver"
            ) as client,
        ):
            assert (await client.get("/reconnect")).status_code == 404

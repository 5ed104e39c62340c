"""Finding 7 of issue 11: sessions that really end, API keys that cannot mint keys.

Logging out used to only clear the browser's cookies (the token kept working), and a
password change or reset left API keys working, while any API key could create more.
Sessions are rows now; revocation is seen by every API process at its next request,
shown here with a second evodash process started with uvicorn on the same database.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.users.models import ApiKey
from tests import loopback
from tests.conftest import TEST_SECRET
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.live import LiveServer, free_port
from tests.security.conftest import HeadersFor, client_from

# Real HTTP servers, several connections and processes: real commits.
pytestmark = pytest.mark.commits


async def _cookie_login(client: httpx.AsyncClient, username: str) -> httpx.Response:
    response = await client.post(
        "/api/auth/login", json={"username": username, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return response


async def _bearer(
    client: httpx.AsyncClient, username: str, password: str = DEFAULT_PASSWORD
) -> dict[str, str]:
    response = await client.post(
        "/api/auth/token", data={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _csrf(client: httpx.AsyncClient) -> dict[str, str]:
    return {"X-CSRF-Token": client.cookies["evodash_csrf"]}


@pytest.fixture
def second_process(settings: Settings, tmp_path: Path) -> Iterator[str]:
    """Another evodash API process (uvicorn, its own engine and memory), same database."""
    port = free_port()
    env = {
        **os.environ,
        "ENVIRONMENT": "test",
        "DATABASE_URL": settings.database_url,
        "SECRET_KEY": TEST_SECRET,
        "DATA_DIR": str(tmp_path / "second"),
        "MEDIA_ROOT": str(tmp_path / "second-media"),
        "BOOTSTRAP_ADMIN": "false",
        "EMBEDDED_WORKER": "false",
        "STATUS_SYNC_INTERVAL_SECONDS": "0",
        "FRONTEND_DIST": str(tmp_path / "no-dist"),
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "evodash.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=tmp_path,  # no .env from the repository
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


async def _wait_up(url: str) -> None:
    async with loopback.client() as http:
        for _ in range(600):
            try:
                if (await http.get(url + "/healthz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError(f"{url} did not start")


class TestLogout:
    async def test_logout_ends_the_cookie_session_on_the_server(
        self, live: LiveServer, users: UserFactory
    ) -> None:
        await users.viewer(username="leaving")
        async with client_from(live) as browser:
            await _cookie_login(browser, "leaving")
            stolen = browser.cookies["evodash_session"]
            assert (
                await browser.post("/api/auth/logout", headers=_csrf(browser))
            ).status_code == 204
            async with client_from(live) as thief:
                thief.cookies.set("evodash_session", stolen)
                assert (await thief.get("/api/auth/me")).status_code == 401

    async def test_logout_ends_a_bearer_token(self, live: LiveServer, users: UserFactory) -> None:
        await users.viewer(username="integrator")
        async with client_from(live) as http:
            headers = await _bearer(http, "integrator")
            assert (await http.post("/api/auth/logout", headers=headers)).status_code == 204
            assert (await http.get("/api/auth/me", headers=headers)).status_code == 401

    async def test_a_revocation_is_seen_by_another_process(
        self, live: LiveServer, users: UserFactory, second_process: str
    ) -> None:
        await users.viewer(username="roaming")
        await _wait_up(second_process)
        async with (
            client_from(live) as here,
            loopback.client(base_url=second_process, timeout=30) as there,
        ):
            headers = await _bearer(here, "roaming")
            assert (await there.get("/api/auth/me", headers=headers)).status_code == 200
            assert (await here.post("/api/auth/logout", headers=headers)).status_code == 204
            assert (await there.get("/api/auth/me", headers=headers)).status_code == 401
            # And the other way round: log out everywhere over there, refused here.
            again = await _bearer(here, "roaming")
            other = await _bearer(there, "roaming")
            ended = await there.post("/api/auth/logout-everywhere", json={}, headers=other)
            assert ended.status_code == 200 and ended.json()["ended"] >= 2
            assert (await here.get("/api/auth/me", headers=again)).status_code == 401


class TestEndingEverySession:
    async def test_log_out_everywhere_ends_cookies_and_tokens_and_optionally_keys(
        self, live: LiveServer, users: UserFactory
    ) -> None:
        await users.operator(username="many")
        async with client_from(live) as laptop, client_from(live) as phone:
            await _cookie_login(laptop, "many")
            await _cookie_login(phone, "many")
            token = await _bearer(laptop, "many")
            key = (
                await laptop.post("/api/auth/api-keys", json={"name": "erp"}, headers=token)
            ).json()["key"]
            sessions = (await laptop.get("/api/auth/sessions")).json()
            assert len(sessions) == 3 and sum(s["current"] for s in sessions) == 1
            response = await phone.post(
                "/api/auth/logout-everywhere", json={"revoke_api_keys": False}, headers=_csrf(phone)
            )
            assert response.status_code == 200
            for client, headers in ((laptop, {}), (phone, {}), (laptop, token)):
                assert (await client.get("/api/auth/me", headers=headers)).status_code == 401
            assert (await laptop.get("/api/auth/me", headers={"X-API-Key": key})).status_code == 200
            # Again, with the keys this time.
            await _cookie_login(phone, "many")
            await phone.post(
                "/api/auth/logout-everywhere", json={"revoke_api_keys": True}, headers=_csrf(phone)
            )
            assert (await laptop.get("/api/auth/me", headers={"X-API-Key": key})).status_code == 401

    async def test_ending_one_session(self, live: LiveServer, users: UserFactory) -> None:
        await users.viewer(username="two")
        async with client_from(live) as laptop, client_from(live) as phone:
            await _cookie_login(laptop, "two")
            await _cookie_login(phone, "two")
            [other] = [
                s for s in (await laptop.get("/api/auth/sessions")).json() if not s["current"]
            ]
            deleted = await laptop.delete(
                f"/api/auth/sessions/{other['id']}", headers=_csrf(laptop)
            )
            assert deleted.status_code == 204
            assert (await phone.get("/api/auth/me")).status_code == 401
            assert (await laptop.get("/api/auth/me")).status_code == 200

    async def test_password_change_ends_every_session_and_optionally_keys(
        self, live: LiveServer, users: UserFactory
    ) -> None:
        await users.operator(username="changer")
        async with client_from(live) as browser, client_from(live) as other:
            await _cookie_login(browser, "changer")
            token = await _bearer(other, "changer")
            key = (
                await other.post("/api/auth/api-keys", json={"name": "k"}, headers=token)
            ).json()["key"]
            response = await browser.post(
                "/api/auth/me/password",
                json={"current_password": DEFAULT_PASSWORD, "new_password": "a new password 123"},
                headers=_csrf(browser),
            )
            assert response.status_code == 204
            assert (await browser.get("/api/auth/me")).status_code == 401
            assert (await other.get("/api/auth/me", headers=token)).status_code == 401
            assert (await other.get("/api/auth/me", headers={"X-API-Key": key})).status_code == 200
            token = await _bearer(other, "changer", "a new password 123")
            response = await other.post(
                "/api/auth/me/password",
                json={
                    "current_password": "a new password 123",
                    "new_password": "another password 456",
                    "revoke_api_keys": True,
                },
                headers=token,
            )
            assert response.status_code == 204
            assert (await other.get("/api/auth/me", headers={"X-API-Key": key})).status_code == 401

    async def test_wrong_current_passwords_are_throttled(
        self, live: LiveServer, users: UserFactory, settings: Settings
    ) -> None:
        await users.operator(username="guessed")
        async with client_from(live) as thief:
            token = await _bearer(thief, "guessed")
            statuses = []
            for n in range(settings.login_max_attempts + 1):
                response = await thief.post(
                    "/api/auth/me/password",
                    json={"current_password": f"guess-{n}", "new_password": "taken over 123"},
                    headers=token,
                )
                statuses.append(response.status_code)
            assert statuses[:-1] == [400] * settings.login_max_attempts
            assert statuses[-1] == 429

    async def test_admin_reset_and_deactivation_end_sessions(
        self, live: LiveServer, users: UserFactory, as_user: HeadersFor
    ) -> None:
        admin = await users.admin()
        target = await users.operator(username="reset-me")
        admin_headers = await as_user(admin)
        async with client_from(live) as http:
            token = await _bearer(http, "reset-me")
            key = (await http.post("/api/auth/api-keys", json={"name": "k"}, headers=token)).json()[
                "key"
            ]
            reset = await http.post(
                f"/api/users/{target.id}/reset-password", json={}, headers=admin_headers
            )
            assert reset.status_code == 200
            assert (await http.get("/api/auth/me", headers=token)).status_code == 401
            assert (await http.get("/api/auth/me", headers={"X-API-Key": key})).status_code == 401
            new_password = reset.json()["password"]
            token = await _bearer(http, "reset-me", new_password)
            assert (
                await http.patch(
                    f"/api/users/{target.id}", json={"is_active": False}, headers=admin_headers
                )
            ).status_code == 200
            assert (await http.get("/api/auth/me", headers=token)).status_code == 401

    async def test_admin_reset_can_keep_api_keys(
        self, live: LiveServer, users: UserFactory, as_user: HeadersFor
    ) -> None:
        admin_headers = await as_user(await users.admin())
        target = await users.operator(username="keeps-keys")
        async with client_from(live) as http:
            token = await _bearer(http, "keeps-keys")
            key = (await http.post("/api/auth/api-keys", json={"name": "k"}, headers=token)).json()[
                "key"
            ]
            reset = await http.post(
                f"/api/users/{target.id}/reset-password",
                json={"revoke_api_keys": False},
                headers=admin_headers,
            )
            assert reset.status_code == 200
            assert (await http.get("/api/auth/me", headers=token)).status_code == 401
            assert (await http.get("/api/auth/me", headers={"X-API-Key": key})).status_code == 200


class TestApiKeys:
    async def test_an_api_key_cannot_create_keys_unless_allowed(
        self, client: httpx.AsyncClient, users: UserFactory, as_user: HeadersFor
    ) -> None:
        headers = await as_user(await users.operator())
        plain = (
            await client.post("/api/auth/api-keys", json={"name": "plain"}, headers=headers)
        ).json()
        refused = await client.post(
            "/api/auth/api-keys", json={"name": "minted"}, headers={"X-API-Key": plain["key"]}
        )
        assert refused.status_code == 403
        assert refused.json()["error"] == "api_key_cannot_create_keys"
        assert plain["api_key"]["can_create_keys"] is False

        expires = (utcnow() + timedelta(days=2)).isoformat()
        maker = (
            await client.post(
                "/api/auth/api-keys",
                json={"name": "maker", "can_create_keys": True, "expires_at": expires},
                headers=headers,
            )
        ).json()
        minted = await client.post(
            "/api/auth/api-keys", json={"name": "minted"}, headers={"X-API-Key": maker["key"]}
        )
        assert minted.status_code == 201
        # A key made by a key expires no later than it.
        assert minted.json()["api_key"]["expires_at"] == maker["api_key"]["expires_at"]

    async def test_expiry_must_be_in_the_future_and_is_enforced(
        self,
        client: httpx.AsyncClient,
        db: async_sessionmaker[AsyncSession],
        users: UserFactory,
        as_user: HeadersFor,
    ) -> None:
        headers = await as_user(await users.operator())
        past = (utcnow() - timedelta(minutes=1)).isoformat()
        response = await client.post(
            "/api/auth/api-keys", json={"name": "old", "expires_at": past}, headers=headers
        )
        assert response.status_code == 400
        soon = (utcnow() + timedelta(hours=1)).isoformat()
        created = (
            await client.post(
                "/api/auth/api-keys", json={"name": "brief", "expires_at": soon}, headers=headers
            )
        ).json()
        key = created["key"]
        assert (await client.get("/api/auth/me", headers={"X-API-Key": key})).status_code == 200
        async with db() as session:  # an hour later
            await session.execute(
                update(ApiKey)
                .where(ApiKey.id == created["api_key"]["id"])
                .values(expires_at=utcnow() - timedelta(seconds=1))
            )
            await session.commit()
        assert (await client.get("/api/auth/me", headers={"X-API-Key": key})).status_code == 401

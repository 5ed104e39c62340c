from __future__ import annotations

import time
from datetime import timedelta

import httpx
import pytest
from jose import jwt

from evodash.core.security import create_access_token
from tests.conftest import TEST_SECRET
from tests.factories import DEFAULT_PASSWORD, UserFactory


async def _login(
    client: httpx.AsyncClient, username: str, password: str = DEFAULT_PASSWORD
) -> httpx.Response:
    return await client.post("/api/auth/login", json={"username": username, "password": password})


class TestCookieLogin:
    async def test_login_sets_cookies_and_me_answers(
        self, client: httpx.AsyncClient, users: UserFactory
    ) -> None:
        user = await users.operator(username="maria")
        response = await _login(client, "maria")
        assert response.status_code == 200
        body = response.json()
        assert body["user"]["username"] == "maria"
        assert body["user"]["role"] == "operator"
        set_cookie = response.headers.get_list("set-cookie")
        session_cookie = next(c for c in set_cookie if c.startswith("evodash_session="))
        assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie
        assert body["csrf_token"] == client.cookies["evodash_csrf"]
        me = await client.get("/api/auth/me")
        assert me.status_code == 200
        assert me.json()["id"] == user.id

    async def test_login_is_case_insensitive_on_username(
        self, client: httpx.AsyncClient, users: UserFactory
    ) -> None:
        await users.viewer(username="Joao")
        assert (await _login(client, "joao")).status_code == 200

    async def test_wrong_password_is_401(
        self, client: httpx.AsyncClient, users: UserFactory
    ) -> None:
        await users.viewer(username="ana")
        response = await _login(client, "ana", "wrong password")
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_credentials"

    async def test_inactive_user_cannot_log_in(
        self, client: httpx.AsyncClient, users: UserFactory
    ) -> None:
        await users.viewer(username="gone", is_active=False)
        assert (await _login(client, "gone")).status_code == 401

    async def test_sixth_wrong_password_in_a_minute_is_429(
        self, client: httpx.AsyncClient, users: UserFactory
    ) -> None:
        await users.viewer(username="target")
        for _ in range(5):
            assert (await _login(client, "target", "nope")).status_code == 401
        response = await _login(client, "target", "nope")
        assert response.status_code == 429
        assert 1 <= int(response.headers["Retry-After"]) <= 60
        # Even the right password waits: the throttle is per username.
        assert (await _login(client, "target")).status_code == 429

    # The failure's entry is committed on a transaction of its own while the request's
    # rolls back: only real commits show that.
    @pytest.mark.commits
    async def test_failed_logins_are_audited(
        self, client: httpx.AsyncClient, users: UserFactory
    ) -> None:
        admin = await users.admin(username="boss")
        await _login(client, "boss", "bad")
        await _login(client, "boss")
        log = (await client.get("/api/audit", params={"page_size": 50})).json()["items"]
        actions = [(e["action"], e["username"], e["success"]) for e in log]
        assert ("auth.login_failed", "boss", False) in actions
        assert ("auth.login", admin.username, True) in actions


class TestCsrf:
    async def test_cookie_post_without_csrf_token_is_403(
        self, client: httpx.AsyncClient, users: UserFactory
    ) -> None:
        await users.viewer(username="csrf")
        await _login(client, "csrf")
        response = await client.post("/api/auth/api-keys", json={"name": "k"})
        assert response.status_code == 403
        assert response.json()["error"] == "csrf_failed"

    async def test_cookie_post_with_wrong_csrf_token_is_403(
        self, client: httpx.AsyncClient, users: UserFactory
    ) -> None:
        await users.viewer(username="csrf2")
        await _login(client, "csrf2")
        response = await client.post(
            "/api/auth/api-keys", json={"name": "k"}, headers={"X-CSRF-Token": "forged"}
        )
        assert response.status_code == 403

    async def test_cookie_post_with_csrf_token_succeeds(
        self, client: httpx.AsyncClient, users: UserFactory
    ) -> None:
        await users.viewer(username="csrf3")
        csrf = (await _login(client, "csrf3")).json()["csrf_token"]
        response = await client.post(
            "/api/auth/api-keys", json={"name": "k"}, headers={"X-CSRF-Token": csrf}
        )
        assert response.status_code == 201

    async def test_logout_clears_the_session(
        self, client: httpx.AsyncClient, users: UserFactory
    ) -> None:
        await users.viewer(username="bye")
        csrf = (await _login(client, "bye")).json()["csrf_token"]
        response = await client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})
        assert response.status_code == 204
        assert (await client.get("/api/auth/me")).status_code == 401


class TestBearer:
    async def test_token_endpoint_password_flow(
        self, client: httpx.AsyncClient, users: UserFactory
    ) -> None:
        await users.admin(username="integrator")
        response = await client.post(
            "/api/auth/token", data={"username": "integrator", "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 200
        token = response.json()["access_token"]
        assert response.json()["token_type"] == "bearer"
        me = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json()["username"] == "integrator"

    async def test_bearer_needs_no_csrf(
        self, client: httpx.AsyncClient, users: UserFactory
    ) -> None:
        await users.viewer(username="b1")
        token = (
            await client.post(
                "/api/auth/token", data={"username": "b1", "password": DEFAULT_PASSWORD}
            )
        ).json()["access_token"]
        response = await client.post(
            "/api/auth/api-keys", json={"name": "x"}, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 201

    async def test_token_signed_with_another_key_is_refused(
        self, client: httpx.AsyncClient, users: UserFactory
    ) -> None:
        user = await users.admin()
        token, _ = create_access_token(
            user_id=user.id,
            token_version=0,
            secret="another-key",
            expires_in=timedelta(minutes=5),
            kind="bearer",
            session_id="no-such-session",
        )
        response = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401

    async def test_alg_none_token_is_refused(
        self, client: httpx.AsyncClient, users: UserFactory
    ) -> None:
        user = await users.admin()
        now = int(time.time())
        claims = {"sub": str(user.id), "ver": 0, "iat": now, "exp": now + 300}
        import base64
        import json

        def b64(data: dict[str, object]) -> str:
            return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

        token = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."
        response = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
        # And HS512 with the right key is refused too: the algorithm is pinned.
        hs512 = jwt.encode(claims, TEST_SECRET, algorithm="HS512")
        response = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {hs512}"})
        assert response.status_code == 401

    async def test_expired_token_is_refused(
        self, client: httpx.AsyncClient, users: UserFactory
    ) -> None:
        user = await users.admin()
        token, _ = create_access_token(
            user_id=user.id,
            token_version=0,
            secret=TEST_SECRET,
            expires_in=timedelta(seconds=-10),
            kind="bearer",
            session_id="no-such-session",
        )
        response = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401

    async def test_password_change_revokes_old_tokens(
        self, client: httpx.AsyncClient, users: UserFactory
    ) -> None:
        await users.viewer(username="changer")
        token = (
            await client.post(
                "/api/auth/token", data={"username": "changer", "password": DEFAULT_PASSWORD}
            )
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        response = await client.post(
            "/api/auth/me/password",
            json={"current_password": DEFAULT_PASSWORD, "new_password": "a brand new one"},
            headers=headers,
        )
        assert response.status_code == 204
        assert (await client.get("/api/auth/me", headers=headers)).status_code == 401
        assert (await _login(client, "changer", "a brand new one")).status_code == 200


class TestApiKeys:
    async def test_key_is_shown_once_works_and_can_be_revoked(
        self, client: httpx.AsyncClient, users: UserFactory, as_user: object
    ) -> None:
        user = await users.operator()
        headers = await as_user(user)  # type: ignore[operator]
        created = await client.post("/api/auth/api-keys", json={"name": "erp"}, headers=headers)
        assert created.status_code == 201
        key = created.json()["key"]
        key_id = created.json()["api_key"]["id"]
        listed = (await client.get("/api/auth/api-keys", headers=headers)).json()
        assert listed[0]["prefix"] == key[:12]
        assert "key" not in listed[0] and key not in str(listed)
        me = await client.get("/api/auth/me", headers={"X-API-Key": key})
        assert me.json()["id"] == user.id
        me = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {key}"})
        assert me.status_code == 200
        revoked = await client.delete(f"/api/auth/api-keys/{key_id}", headers=headers)
        assert revoked.json()["revoked_at"] is not None
        assert (await client.get("/api/auth/me", headers={"X-API-Key": key})).status_code == 401

    async def test_unknown_key_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/auth/me", headers={"X-API-Key": "evd_nope"})
        assert response.status_code == 401

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from tests.factories import UserFactory

AsUser = Callable[[Any], Awaitable[dict[str, str]]]


class TestCreateUser:
    async def test_admin_creates_user_with_generated_password(
        self, client: httpx.AsyncClient, users: UserFactory, as_user: AsUser
    ) -> None:
        headers = await as_user(await users.admin())
        response = await client.post(
            "/api/users", json={"username": "novo", "role": "operator"}, headers=headers
        )
        assert response.status_code == 201
        password = response.json()["password"]
        assert password and len(password) >= 16
        login = await client.post(
            "/api/auth/login", json={"username": "novo", "password": password}
        )
        assert login.json()["user"]["role"] == "operator"

    async def test_duplicate_username_is_409(
        self, client: httpx.AsyncClient, users: UserFactory, as_user: AsUser
    ) -> None:
        headers = await as_user(await users.admin())
        await users.viewer(username="taken")
        response = await client.post("/api/users", json={"username": "TAKEN"}, headers=headers)
        assert response.status_code == 409

    async def test_invalid_username_is_422(
        self, client: httpx.AsyncClient, users: UserFactory, as_user: AsUser
    ) -> None:
        headers = await as_user(await users.admin())
        response = await client.post("/api/users", json={"username": "a b"}, headers=headers)
        assert response.status_code == 422


class TestManageUsers:
    async def test_list_and_search(
        self, client: httpx.AsyncClient, users: UserFactory, as_user: AsUser
    ) -> None:
        headers = await as_user(await users.admin(username="root"))
        await users.viewer(username="carla")
        await users.viewer(username="carlos")
        page = (await client.get("/api/users", params={"search": "carl"}, headers=headers)).json()
        assert page["total"] == 2
        assert [u["username"] for u in page["items"]] == ["carla", "carlos"]

    async def test_change_role_and_deactivate_signs_user_out(
        self, client: httpx.AsyncClient, users: UserFactory, as_user: AsUser
    ) -> None:
        headers = await as_user(await users.admin())
        target = await users.viewer()
        target_headers = await as_user(target)
        response = await client.patch(
            f"/api/users/{target.id}", json={"role": "operator"}, headers=headers
        )
        assert response.json()["role"] == "operator"
        response = await client.patch(
            f"/api/users/{target.id}", json={"is_active": False}, headers=headers
        )
        assert response.json()["is_active"] is False
        assert (await client.get("/api/auth/me", headers=target_headers)).status_code == 401

    async def test_last_admin_cannot_be_demoted(
        self, client: httpx.AsyncClient, users: UserFactory, as_user: AsUser
    ) -> None:
        admin = await users.admin()
        other = await users.admin()
        headers = await as_user(admin)
        # Demoting another admin is fine while one remains.
        response = await client.patch(
            f"/api/users/{other.id}", json={"role": "viewer"}, headers=headers
        )
        assert response.status_code == 200
        response = await client.patch(
            f"/api/users/{admin.id}", json={"role": "viewer"}, headers=headers
        )
        assert response.status_code == 400

    async def test_reset_password(
        self, client: httpx.AsyncClient, users: UserFactory, as_user: AsUser
    ) -> None:
        headers = await as_user(await users.admin())
        target = await users.viewer(username="forgot")
        response = await client.post(
            f"/api/users/{target.id}/reset-password", json={}, headers=headers
        )
        new_password = response.json()["password"]
        login = await client.post(
            "/api/auth/login", json={"username": "forgot", "password": new_password}
        )
        assert login.status_code == 200

    async def test_admin_actions_are_audited(
        self, client: httpx.AsyncClient, users: UserFactory, as_user: AsUser
    ) -> None:
        admin = await users.admin()
        headers = await as_user(admin)
        created = await client.post("/api/users", json={"username": "audited"}, headers=headers)
        user_id = created.json()["user"]["id"]
        await client.patch(f"/api/users/{user_id}", json={"role": "operator"}, headers=headers)
        log = (await client.get("/api/audit", headers=headers)).json()["items"]
        actions = {(e["action"], e["object_id"]) for e in log}
        assert ("user.created", str(user_id)) in actions
        assert ("user.updated", str(user_id)) in actions

    async def test_missing_user_is_404(
        self, client: httpx.AsyncClient, users: UserFactory, as_user: AsUser
    ) -> None:
        headers = await as_user(await users.admin())
        assert (await client.get("/api/users/999", headers=headers)).status_code == 404

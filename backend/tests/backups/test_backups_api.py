"""Backups: a populated database exported, restored into an empty one under another
SECRET_KEY (the Evolution key still works against the simulator), idempotent imports,
dry runs, and wrong passphrases that change nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.alerts.models import AlertRule
from evodash.auth.sessions import bearer_token_for
from evodash.backups import service
from evodash.backups.schemas import Backup
from evodash.backups.tasks import backup_if_due
from evodash.core.config import Settings
from evodash.core.security import decrypt
from evodash.destinations.models import ForwardDestination
from evodash.instances.models import EvolutionInstance
from evodash.models import Base
from evodash.servers.models import EvolutionServer
from evodash.users.models import User
from tests import loopback
from tests.conftest import AppRunner
from tests.factories import UserFactory
from tests.instances.helpers import register_server
from tests.simulator_server import RunningSimulator

PASSPHRASE = "correct horse battery staple"
OTHER_SECRET = "another-secret-key-for-the-new-server-0123456789"
HEADER_SECRET = "n8n-header-secret-0123"


async def populate(
    client: httpx.AsyncClient, admin: dict[str, str], sim: RunningSimulator
) -> dict[str, Any]:
    server = await register_server(client, admin, sim.base_url, sim.api_key, "Principal")
    body = {"display_name": "Loja Centro", "name": "loja-centro", "server_id": server["id"]}
    created = await client.post("/api/instances", json=body, headers=admin)
    assert created.status_code == 201, created.text
    instance = created.json()
    allowed = await client.put(
        f"/api/instances/{instance['id']}/allowed-numbers",
        json={"numbers": ["+55 11 98765-4321"]},
        headers=admin,
    )
    assert allowed.status_code == 200, allowed.text
    destination = await client.post(
        f"/api/instances/{instance['id']}/destinations",
        json={
            "name": "n8n",
            "url": "https://n8n.example.com/webhook/abc",
            "events": ["MESSAGES_UPSERT", "CALL"],
            "secret_header_name": "X-Api-Key",
            "secret_header_value": HEADER_SECRET,
            "max_attempts": 3,
            "retry_base_seconds": 20,
        },
        headers=admin,
    )
    assert destination.status_code == 201, destination.text
    user = await client.post(
        "/api/users", json={"username": "joana", "role": "operator"}, headers=admin
    )
    assert user.status_code == 201, user.text
    rule = await client.patch(
        "/api/alerts/rules/zombie",
        json={"enabled": False, "threshold_seconds": 900},
        headers=admin,
    )
    assert rule.status_code == 200, rule.text
    return {"server": server, "instance": instance, "password": user.json()["password"]}


async def export(client: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, Any]:
    response = await client.post(
        "/api/backups/export", json={"passphrase": PASSPHRASE}, headers=admin
    )
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["content-disposition"]
    data: dict[str, Any] = response.json()
    return data


async def snapshot(db: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
    async with db() as s:
        servers = [
            (r.name, r.base_url)
            for r in (await s.scalars(select(EvolutionServer).order_by(EvolutionServer.id))).all()
        ]
        instances = [
            (i.id, i.name, i.display_name, i.allowed_numbers, i.webhook_events)
            for i in (
                await s.scalars(select(EvolutionInstance).order_by(EvolutionInstance.id))
            ).all()
        ]
        users = [
            (u.username, u.role, u.is_active, u.password_hash)
            for u in (await s.scalars(select(User).order_by(User.username))).all()
        ]
        rules = [
            (r.kind, r.enabled, r.params)
            for r in (await s.scalars(select(AlertRule).order_by(AlertRule.kind))).all()
        ]
        destinations = [
            (d.instance_id, d.name, d.url, d.events, d.secret_header_name, d.max_attempts)
            for d in (
                await s.scalars(
                    select(ForwardDestination).order_by(
                        ForwardDestination.instance_id, ForwardDestination.name
                    )
                )
            ).all()
        ]
    return {
        "servers": servers,
        "instances": instances,
        "users": users,
        "destinations": destinations,
        "rules": rules,
    }


async def empty_database(db: async_sessionmaker[AsyncSession]) -> None:
    async with db() as s:
        for table in reversed(Base.metadata.sorted_tables):
            await s.execute(text(f'DELETE FROM "{table.name}"'))
        await s.commit()


class TestLegacyForwardUrl:
    async def test_a_backup_with_a_forward_url_imports_it_as_a_destination(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        db: async_sessionmaker[AsyncSession],
        settings: Settings,
        running_simulator: RunningSimulator,
    ) -> None:
        await populate(client, admin, running_simulator)
        document = await export(client, admin)
        [item] = document["instances"]
        del item["destinations"]  # as written before relay destinations existed
        item["forward_url"] = "https://crm.example.com/in?token=1"
        await empty_database(db)
        for _ in range(2):  # idempotent: the second import adds nothing
            async with db() as s:
                await service.import_backup(
                    s, settings, Backup.model_validate(document), PASSPHRASE, dry_run=False
                )
                await s.commit()
        async with db() as s:
            rows = (await s.scalars(select(ForwardDestination))).all()
        assert [(d.name, d.url, d.events, d.enabled) for d in rows] == [
            ("forward_url", "https://crm.example.com/in?token=1", [], True)
        ]


class TestRoundTrip:
    async def test_restores_into_an_empty_database_with_another_secret_key(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        db: async_sessionmaker[AsyncSession],
        settings: Settings,
        run_app: AppRunner,
        running_simulator: RunningSimulator,
    ) -> None:
        seeded = await populate(client, admin, running_simulator)
        document = await export(client, admin)
        # Secrets are sealed with the passphrase: neither the key nor SECRET_KEY's
        # ciphertext is in the file.
        assert running_simulator.api_key not in str(document)
        assert HEADER_SECRET not in str(document)
        [sealed] = document["instances"][0]["destinations"]
        assert sealed["secret_header_value"].startswith("v1:")
        assert "$argon2" in str(document)  # password hashes, never passwords
        before = await snapshot(db)

        await empty_database(db)
        new_settings = settings.model_copy(update={"secret_key": SecretStr(OTHER_SECRET)})
        async with db() as s:
            report = await service.import_backup(
                s, new_settings, Backup.model_validate(document), PASSPHRASE, dry_run=False
            )
            await s.commit()
        assert report.servers.created == 1 and report.instances.created == 1
        assert report.users.created == len(before["users"])
        assert report.alert_rules.created == 1
        assert before["rules"] == [("zombie", False, {"threshold_seconds": 900})]
        assert await snapshot(db) == before  # same ids, names, settings, roles, hashes
        async with db() as s:
            [restored] = (await s.scalars(select(ForwardDestination))).all()
        assert restored.secret_header_value_encrypted is not None
        assert decrypt(restored.secret_header_value_encrypted, secret=OTHER_SECRET) == HEADER_SECRET

        async with run_app(new_settings) as app:
            transport = httpx.ASGITransport(app=app)
            async with loopback.client(transport=transport, base_url="http://t") as new:
                login = await new.post(
                    "/api/auth/token",
                    data={"username": "joana", "password": seeded["password"]},
                )
                assert login.status_code == 200, login.text
                async with db() as s:
                    admin_id = await s.scalar(select(User.id).where(User.role == "admin"))
                token = await bearer_token_for(
                    db, admin_id or 0, new_settings, expires_in=timedelta(minutes=5)
                )
                headers = {"Authorization": f"Bearer {token}"}
                server_id = (await new.get("/api/servers", headers=headers)).json()["items"][0][
                    "id"
                ]
                tested = await new.post(f"/api/servers/{server_id}/test", headers=headers)
                assert tested.status_code == 200, tested.text
                assert tested.json()["api_key_valid"] is True

    async def test_import_twice_is_unchanged_and_dry_run_changes_nothing(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        db: async_sessionmaker[AsyncSession],
        running_simulator: RunningSimulator,
    ) -> None:
        await populate(client, admin, running_simulator)
        document = await export(client, admin)
        again = await client.post(
            "/api/backups/import",
            json={"passphrase": PASSPHRASE, "backup": document},
            headers=admin,
        )
        assert again.status_code == 200, again.text
        counts = again.json()
        assert counts["servers"] == {"created": 0, "updated": 0, "unchanged": 1}
        assert counts["instances"] == {"created": 0, "updated": 0, "unchanged": 1}
        assert counts["users"]["created"] == 0 and counts["users"]["updated"] == 0
        assert counts["alert_rules"] == {"created": 0, "updated": 0, "unchanged": 1}

        document["instances"][0]["display_name"] = "Loja Nova"
        document["users"].append({**document["users"][0], "username": "novo", "role": "viewer"})
        before = await snapshot(db)
        dry = await client.post(
            "/api/backups/import",
            json={"passphrase": PASSPHRASE, "backup": document, "dry_run": True},
            headers=admin,
        )
        assert dry.json()["instances"] == {"created": 0, "updated": 1, "unchanged": 0}
        assert dry.json()["users"]["created"] == 1 and dry.json()["dry_run"] is True
        assert await snapshot(db) == before
        done = await client.post(
            "/api/backups/import",
            json={"passphrase": PASSPHRASE, "backup": document},
            headers=admin,
        )
        assert done.json()["instances"]["updated"] == 1
        assert ("Loja Nova" in str(await snapshot(db))) is True


class TestRefusals:
    async def test_wrong_passphrase_is_clear_and_changes_nothing(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        db: async_sessionmaker[AsyncSession],
        running_simulator: RunningSimulator,
    ) -> None:
        await populate(client, admin, running_simulator)
        document = await export(client, admin)
        document["instances"][0]["display_name"] = "Changed"
        before = await snapshot(db)
        response = await client.post(
            "/api/backups/import",
            json={"passphrase": "not the passphrase", "backup": document},
            headers=admin,
        )
        assert response.status_code == 422
        assert response.json()["error"] == "backup_passphrase_wrong"
        assert await snapshot(db) == before

    async def test_a_tampered_secret_is_refused(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        db: async_sessionmaker[AsyncSession],
        running_simulator: RunningSimulator,
    ) -> None:
        await populate(client, admin, running_simulator)
        document = await export(client, admin)
        document["servers"][0]["api_key"] = document["encryption"]["check"][:-8] + "AAAAAAA="
        response = await client.post(
            "/api/backups/import",
            json={"passphrase": PASSPHRASE, "backup": document},
            headers=admin,
        )
        assert response.status_code == 422
        assert response.json()["error"] == "backup_invalid"

    async def test_a_header_asking_for_more_work_than_evodash_s_own_is_refused_unopened(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        db: async_sessionmaker[AsyncSession],
        running_simulator: RunningSimulator,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        await populate(client, admin, running_simulator)
        document = await export(client, admin)
        document["encryption"].update(n=2**18, r=16, p=1)  # 16 times the work, 512 MiB
        before = await snapshot(db)
        derived: list[object] = []
        monkeypatch.setattr("hashlib.scrypt", lambda *a, **k: derived.append(a))
        response = await client.post(
            "/api/backups/import",
            json={"passphrase": PASSPHRASE, "backup": document},
            headers=admin,
        )
        assert response.status_code == 422
        body = response.json()
        assert body["error"] == "validation_error"
        assert body["errors"][0]["field"] == "backup.encryption", body
        assert "more work than evodash's own backups take" in body["detail"]
        assert derived == []
        assert await snapshot(db) == before

    @pytest.mark.parametrize("role", ["operator", "viewer"])
    async def test_admins_only(
        self, client: httpx.AsyncClient, users: UserFactory, as_user: Any, role: str
    ) -> None:
        headers = await as_user(await users.create(role))
        r = await client.post(
            "/api/backups/export", json={"passphrase": PASSPHRASE}, headers=headers
        )
        assert r.status_code == 403
        assert (await client.get("/api/backups/status", headers=headers)).status_code == 403

    async def test_status_without_schedule(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        body = (await client.get("/api/backups/status", headers=admin)).json()
        assert body["scheduled"] is False and body["last"] is None and body["files"] == 0
        assert body["stored"] == []


class TestScheduled:
    async def test_writes_when_due_keeps_the_last_n_and_shows_the_last(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        db: async_sessionmaker[AsyncSession],
        settings: Settings,
        tmp_path: Path,
        run_app: AppRunner,
    ) -> None:
        folder = tmp_path / "backups"
        scheduled = settings.model_copy(
            update={
                "backup_dir": folder,
                "backup_keep": 2,
                "evodash_backup_passphrase": SecretStr(PASSPHRASE),
            }
        )
        first = await backup_if_due(db, scheduled)
        assert first is not None and first.stat().st_mode & 0o777 == 0o600
        assert await backup_if_due(db, scheduled) is None  # not due yet
        written = [first.name]
        for _ in range(3):
            path = await backup_if_due(db, scheduled, force=True)
            assert path is not None
            written.append(path.name)
        kept = sorted(p.name for p in folder.glob("evodash-backup-*.json"))
        assert kept == sorted(written)[-2:]
        async with run_app(scheduled) as app:
            transport = httpx.ASGITransport(app=app)
            async with loopback.client(transport=transport, base_url="http://t") as c:
                body = (await c.get("/api/backups/status", headers=admin)).json()
        assert body["scheduled"] is True and body["files"] == 2
        assert body["last"]["size_bytes"] > 100 and body["last_error"] is None
        # Every kept file, newest first: the last one heads the list.
        assert [f["name"] for f in body["stored"]] == sorted(written)[-2:][::-1]
        assert body["stored"][0] == body["last"]
        restored = Backup.model_validate_json((folder / body["last"]["name"]).read_bytes())
        assert service.check_passphrase(restored, PASSPHRASE) is not None

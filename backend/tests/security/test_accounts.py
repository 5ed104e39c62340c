"""Finding 12 and two account races of finding 13 (issue 11), with concurrent requests
against the app served by uvicorn.

12. "Ana" and "ana" could both be created in a race; afterwards login answered 500 for
    either. Usernames are unique case-insensitively in the database now, races answer 409.
13. Two admins demoting each other at the same time could leave no admin.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.db import create_engine
from evodash.core.migrate import upgrade
from evodash.users.models import Role, User
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.live import LiveServer
from tests.security.conftest import HeadersFor, client_from

# Real HTTP servers, several connections and processes: real commits.
pytestmark = pytest.mark.commits


class TestUsernames:
    async def test_names_differing_in_case_race_to_one_user(
        self, live: LiveServer, users: UserFactory, as_user: HeadersFor
    ) -> None:
        headers = await as_user(await users.admin())
        async with client_from(live) as http:
            for round_ in range(3):
                names = [f"Ana{round_}", f"ana{round_}", f"ANA{round_}", f"aNa{round_}"]
                answers = await asyncio.gather(
                    *(
                        http.post(
                            "/api/users",
                            json={"username": n, "password": DEFAULT_PASSWORD},
                            headers=headers,
                        )
                        for n in names
                    )
                )
                statuses = Counter(r.status_code for r in answers)
                assert statuses == {201: 1, 409: 3}, statuses
                login = await http.post(
                    "/api/auth/token",
                    data={"username": f"ana{round_}", "password": DEFAULT_PASSWORD},
                )
                assert login.status_code == 200

    async def test_the_database_refuses_a_case_twin(
        self, db: async_sessionmaker[AsyncSession], users: UserFactory
    ) -> None:
        await users.viewer(username="Bruno")
        with pytest.raises(IntegrityError):
            await users.viewer(username="bruno")

    def test_the_migration_renames_existing_case_twins(self, tmp_path: Path) -> None:
        url = f"sqlite+aiosqlite:///{tmp_path / 'twins.db'}"

        def run(fn: object) -> None:
            thread = threading.Thread(target=fn)  # type: ignore[arg-type]
            thread.start()
            thread.join()

        run(lambda: upgrade(url, "a06351b5318f"))

        async def insert_and_read() -> list[str]:
            engine = create_engine(url)
            async with engine.begin() as conn:
                for name in ("Ana", "ana", "bob"):
                    await conn.execute(
                        text(
                            'INSERT INTO "user" (username, password_hash, role, is_active, '
                            "token_version, created_at, updated_at) VALUES (:n, 'x', 'viewer', "
                            "1, 0, '2026-01-01', '2026-01-01')"
                        ),
                        {"n": name},
                    )
            await engine.dispose()
            return []

        asyncio.run(insert_and_read())
        run(lambda: upgrade(url))

        async def names() -> list[str]:
            engine = create_engine(url)
            async with engine.connect() as conn:
                rows = (await conn.execute(text('SELECT username FROM "user" ORDER BY id'))).all()
            await engine.dispose()
            return [r[0] for r in rows]

        assert asyncio.run(names()) == ["Ana", "ana-2", "bob"]


class TestLastAdmin:
    async def test_two_admins_demoting_each_other_leave_one(
        self,
        live: LiveServer,
        users: UserFactory,
        as_user: HeadersFor,
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        first, second = await users.admin(), await users.admin()
        async with client_from(live) as http:
            for _ in range(4):
                one, two = await as_user(first), await as_user(second)
                answers = await asyncio.gather(
                    http.patch(f"/api/users/{second.id}", json={"role": "operator"}, headers=one),
                    http.patch(f"/api/users/{first.id}", json={"role": "operator"}, headers=two),
                )
                statuses = sorted(r.status_code for r in answers)
                assert statuses[0] == 200 and statuses[1] in (401, 403, 409), statuses
                async with db() as session:
                    admins = (
                        await session.execute(
                            select(func.count(User.id)).where(
                                User.role == Role.admin.value, User.is_active.is_(True)
                            )
                        )
                    ).scalar_one()
                assert admins == 1
                # Both admins again for the next round (as_user signs fresh tokens).
                async with db() as session:
                    for user_id in (first.id, second.id):
                        user = await session.get(User, user_id)
                        assert user is not None
                        user.role = Role.admin.value
                    await session.commit()

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.db import utcnow
from evodash.instances.models import ConnectionEvent, EvolutionInstance
from evodash.jobs.models import ImageProcessingJob
from evodash.messages.models import WhatsAppMessage
from evodash.servers.models import EvolutionServer
from tests.factories import UserFactory

AsUser = Callable[[Any], Awaitable[dict[str, str]]]


async def _seed(db: async_sessionmaker[AsyncSession]) -> None:
    now = utcnow()
    async with db() as s:
        server = EvolutionServer(
            name="main",
            base_url="http://evo",
            api_key_encrypted="x",
            api_key_last4="abcd",
            is_reachable=False,
        )
        s.add(server)
        await s.flush()
        statuses = ["open", "open", "close", "connecting"]
        instances = [
            EvolutionInstance(
                server_id=server.id,
                display_name=f"Loja {i}",
                name=f"loja-{i}",
                status=st,
            )
            for i, st in enumerate(statuses)
        ]
        s.add_all(instances)
        await s.flush()
        # The chart's buckets are clock hours: "this hour" must not depend on the minute
        # the test runs at (6 minutes ago is last hour's bucket at 03:05).
        this_hour = (now - now.replace(minute=0, second=0, microsecond=0)).total_seconds() / 7200
        msgs = [
            # (hours ago, direction, allowed)
            (this_hour, "in", True),
            (this_hour * 1.5, "in", False),
            (1.5, "out", True),
            (5, "in", True),
            (23.5, "in", True),
            (30, "in", True),
            (200, "out", True),
        ]
        for n, (ago, direction, allowed) in enumerate(msgs):
            s.add(
                WhatsAppMessage(
                    instance_id=instances[0].id,
                    message_id=f"M{n}",
                    remote_jid="5511@s.whatsapp.net",
                    direction=direction,
                    message_type="conversation",
                    text=f"msg {n}",
                    wa_timestamp=now - timedelta(hours=ago),
                    is_allowed=allowed,
                    raw={},
                )
            )
        s.add(
            ConnectionEvent(
                instance_id=instances[1].id,
                state="open",
                previous_state="close",
                source="webhook",
                at=now - timedelta(minutes=3),
            )
        )
        s.add(ImageProcessingJob(status="failed"))
        s.add(ImageProcessingJob(status="succeeded"))
        s.add(ImageProcessingJob(status="succeeded"))
        await s.commit()


class TestOverview:
    async def test_figures(
        self,
        client: httpx.AsyncClient,
        users: UserFactory,
        as_user: AsUser,
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        await _seed(db)
        headers = await as_user(await users.viewer())
        response = await client.get("/api/stats/overview", headers=headers)
        assert response.status_code == 200
        body = response.json()
        assert body["servers"] == 1 and body["servers_unreachable"] == 1
        assert body["instances_total"] == 4
        assert body["instances_by_status"] == {
            "created": 0,
            "connecting": 1,
            "open": 2,
            "close": 1,
            "refused": 0,
            "unreachable": 0,
        }
        assert body["jobs_by_status"]["succeeded"] == 2
        assert body["jobs_by_status"]["failed"] == 1
        assert body["jobs_by_status"]["pending"] == 0
        messages = body["messages"]
        # 23.5 h ago may fall just outside the 24 whole-hour buckets: 4 or 5.
        assert messages["incoming_24h"] in (3, 4)
        assert messages["outgoing_24h"] == 1
        assert messages["blocked_24h"] == 1
        assert messages["total"] == 7
        hours = body["messages_per_hour"]
        assert len(hours) == 24
        assert hours[-1]["incoming"] == 2 and hours[-1]["blocked"] == 1
        assert sum(h["outgoing"] for h in hours) == 1
        assert [m["text"] for m in body["latest_messages"][:2]] == ["msg 0", "msg 1"]
        assert body["latest_messages"][0]["instance_name"] == "Loja 0"
        assert body["latest_connection_events"][0]["state"] == "open"
        assert len(body["recent_instances"]) == 4

    async def test_empty_database(
        self, client: httpx.AsyncClient, users: UserFactory, as_user: AsUser
    ) -> None:
        headers = await as_user(await users.viewer())
        body = (await client.get("/api/stats/overview", headers=headers)).json()
        assert body["instances_total"] == 0
        assert body["messages"]["total"] == 0
        assert len(body["messages_per_hour"]) == 24

    async def test_deleted_instances_are_not_counted_nor_listed(
        self,
        client: httpx.AsyncClient,
        users: UserFactory,
        as_user: AsUser,
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        await _seed(db)
        async with db() as s:
            # What deleting with keep_history does: the row stays for its history.
            deleted = (
                await s.execute(select(EvolutionInstance).filter_by(name="loja-1"))
            ).scalar_one()
            deleted.deleted_at = utcnow()
            deleted.status = "close"
            await s.commit()
        headers = await as_user(await users.viewer())
        body = (await client.get("/api/stats/overview", headers=headers)).json()
        assert body["instances_total"] == 3
        assert body["instances_by_status"]["open"] == 1
        assert body["instances_by_status"]["close"] == 1
        assert body["instances_by_status"]["connecting"] == 1
        assert "Loja 1" not in [i["display_name"] for i in body["recent_instances"]]
        assert len(body["recent_instances"]) == 3

"""A fleet on the simulator: a registered server and instances that exist on both sides."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.config import Settings
from evodash.instances.models import EvolutionInstance
from evodash.servers.models import EvolutionServer
from tests.instances.helpers import add_instances, add_server
from tests.simulator_server import RunningSimulator


@dataclass
class Fleet:
    server: EvolutionServer
    instances: list[EvolutionInstance]

    @property
    def ids(self) -> list[int]:
        return [i.id for i in self.instances]


async def build_fleet(
    db: async_sessionmaker[AsyncSession],
    settings: Settings,
    sim: RunningSimulator,
    count: int,
    *,
    prefix: str = "fleet",
) -> Fleet:
    server = await add_server(db, settings, sim.base_url, sim.api_key)
    instances = await add_instances(db, server, count, prefix=prefix)
    semaphore = asyncio.Semaphore(10)

    async def create(name: str) -> None:
        async with semaphore:
            await sim.create_instance(name)

    await asyncio.gather(*(create(i.name) for i in instances))
    return Fleet(server, instances)


async def sim_settings(sim: RunningSimulator, name: str) -> dict[str, Any]:
    data: dict[str, Any] = await sim.request("GET", f"/settings/find/{name}")
    return data


async def post(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], body: Any = None
) -> Any:
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code < 300, f"{path}: {response.status_code} {response.text}"
    return response.json()


async def change_sim_settings(sim: RunningSimulator, name: str, **changes: Any) -> None:
    """Change some settings on the simulator directly (behind evodash's back);
    ``settings/set`` wants every switch."""
    current = await sim_settings(sim, name)
    body = {k: v for k, v in current.items() if k != "msgCall" or v is not None}
    await sim.request("POST", f"/settings/set/{name}", {**body, **changes})

"""``evodash demo``: the whole product working, without WhatsApp.

One process serves the dashboard (http://127.0.0.1:8000) and a simulated Evolution API
server (http://127.0.0.1:8081). A setup task drives the dashboard through its own REST API,
like a user would: it registers the simulator as a server, creates instances, connects
them (the simulator "scans" the QR code of two of them) and then customers write in:
texts from several numbers, and now and then an invoice photo from an allowed number,
which the image jobs read. The demo keeps its data in ``./data/demo`` and starts afresh
on every run (the simulator keeps its state in memory only).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import shutil
import sys
import threading
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx
import structlog
import uvicorn

from evodash.auth.sessions import bearer_token_for
from evodash.core.config import Settings
from evodash.core.db import standalone_sessions
from evodash.core.migrate import upgrade
from evodash.core.security import PasswordHashing, generate_password
from evodash.main import create_app
from evodash.simulator.app import create_simulator_app
from evodash.users.models import Role
from evodash.users.schemas import UserCreate
from evodash.users.service import create_user

log = structlog.get_logger(__name__)

DEMO_KEY = "demo-evolution-key"
# Customers whose messages are processed; the others are stored as blocked.
ALLOWED = ["+55 11 98765-4321", "+55 21 99876-5432"]
CUSTOMERS = [
    ("5511987654321", "Mariana Souza"),
    ("5521998765432", "Carlos Lima"),
    ("5531991234567", "Ana Paula"),
    ("5541988887777", "João Pedro"),
    ("5511955554444", "Beatriz Rocha"),
]
TEXTS = [
    "Bom dia! Vocês abrem no sábado?",
    "Segue o boleto do mês, pode confirmar o pagamento?",
    "Qual o prazo de entrega para Campinas?",
    "Obrigado pelo atendimento!",
    "Preciso da segunda via da fatura.",
    "O pedido 4821 já foi enviado?",
    "Vocês aceitam PIX?",
]


@dataclass(frozen=True)
class DemoInstance:
    display_name: str
    name: str
    owner: str | None  # scanned with this number → open; None → left as is
    connect: bool


INSTANCES = [
    DemoInstance("Loja Centro", "loja-centro", "5511940001000", True),
    DemoInstance("Financeiro", "financeiro", "5511940002000", True),
    DemoInstance("Atendimento", "atendimento", None, True),  # connecting, QR on screen
    DemoInstance("Vendas Sul", "vendas-sul", None, False),  # created, never connected
]


def _prepare(settings: Settings) -> str:
    """Fresh database and an admin with a new password (returned)."""
    if settings.data_dir.exists():
        shutil.rmtree(settings.data_dir)
    settings.ensure_dirs()
    thread = threading.Thread(target=upgrade, args=(settings.database_url,))
    thread.start()
    thread.join()
    password = generate_password()

    async def create_admin() -> None:
        async with standalone_sessions(settings.database_url) as sessions, sessions() as session:
            await create_user(
                session,
                UserCreate(username="admin", role=Role.admin, password=password),
                PasswordHashing(concurrency=1, max_waiting=1),
                actor=None,
                ip="demo",
            )
            await session.commit()

    asyncio.run(create_admin())
    return password


async def _wait_up(url: str) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(300):
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(url)).status_code < 500:
                    return
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


class DemoDriver:
    """Plays the user (through the dashboard's API) and the customers (through /_sim)."""

    def __init__(self, api: httpx.AsyncClient, sim: httpx.AsyncClient) -> None:
        self.api = api
        self.sim = sim
        self.open_instances: list[str] = []
        self.rng = random.Random()

    async def setup(self) -> None:
        server = (
            (
                await self.api.post(
                    "/api/servers",
                    json={
                        "name": "Simulador (demo)",
                        "base_url": str(self.sim.base_url).rstrip("/"),
                        "api_key": DEMO_KEY,
                    },
                )
            )
            .raise_for_status()
            .json()
        )
        for spec in INSTANCES:
            created = (
                (
                    await self.api.post(
                        "/api/instances",
                        json={
                            "display_name": spec.display_name,
                            "name": spec.name,
                            "server_id": server["id"],
                        },
                    )
                )
                .raise_for_status()
                .json()
            )
            if spec.connect:
                (
                    await self.api.post(f"/api/instances/{created['id']}/connect", json={})
                ).raise_for_status()
            if spec.owner:
                await asyncio.sleep(1.5)  # let the QR code be seen first
                (
                    await self.sim.post(
                        f"/_sim/instances/{spec.name}/scan",
                        json={
                            "number": spec.owner,
                            "profileName": spec.display_name,
                        },
                    )
                ).raise_for_status()
                self.open_instances.append(spec.name)
        # Loja Centro also lets a third customer through, on top of the global list.
        for instance in (await self.api.get("/api/instances")).json()["items"]:
            if instance["name"] == "loja-centro":
                (
                    await self.api.put(
                        f"/api/instances/{instance['id']}/allowed-numbers",
                        json={"numbers": ["+55 31 99123-4567"]},
                    )
                ).raise_for_status()

    async def customer_writes(self, *, invoice: bool = False) -> None:
        if not self.open_instances:
            return
        instance = self.rng.choice(self.open_instances)
        number, name = self.rng.choice(CUSTOMERS[:2] if invoice else CUSTOMERS)
        body: dict[str, object] = {"from": number, "pushName": name}
        if invoice:
            due = date.today() + timedelta(days=self.rng.randint(3, 20))
            body |= {
                "type": "image",
                "caption": "Segue a fatura",
                "image": {
                    "kind": "invoice",
                    "amount": f"{self.rng.randint(80, 2500)}.{self.rng.randint(0, 99):02d}",
                    "dueDate": due.isoformat(),
                    "beneficiary": "Energia Paulista S.A.",
                },
            }
        else:
            body |= {"type": "text", "text": self.rng.choice(TEXTS)}
        response = await self.sim.post(f"/_sim/instances/{instance}/messages", json=body)
        if response.status_code >= 400:
            log.warning("demo.message_failed", status=response.status_code, body=response.text)

    async def traffic(self) -> None:
        for _ in range(12):  # a little history right away
            await self.customer_writes()
        await self.customer_writes(invoice=True)
        count = 0
        while True:
            await asyncio.sleep(self.rng.uniform(4, 12))
            count += 1
            await self.customer_writes(invoice=count % 6 == 0)


async def _serve_all(settings: Settings, sim_port: int) -> None:
    dashboard = create_app(settings)
    simulator = create_simulator_app(
        api_key=DEMO_KEY, public_url=f"http://127.0.0.1:{sim_port}", qr_interval=20.0
    )
    servers = [
        uvicorn.Server(
            uvicorn.Config(
                dashboard, host=settings.host, port=settings.port, log_config=None, access_log=False
            )
        ),
        uvicorn.Server(
            uvicorn.Config(
                simulator, host="127.0.0.1", port=sim_port, log_config=None, access_log=False
            )
        ),
    ]
    tasks = [asyncio.create_task(s.serve()) for s in servers]
    base = f"http://127.0.0.1:{settings.port}"
    await _wait_up(base + "/healthz")
    await _wait_up(f"http://127.0.0.1:{sim_port}/")
    token = await bearer_token_for(
        dashboard.state.sessionmaker, 1, settings, expires_in=timedelta(days=1)
    )
    async with (
        httpx.AsyncClient(
            base_url=base, timeout=30, headers={"Authorization": f"Bearer {token}"}
        ) as api,
        httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{sim_port}", timeout=30, headers={"apikey": DEMO_KEY}
        ) as sim,
    ):
        driver = DemoDriver(api, sim)
        try:
            await driver.setup()
        except httpx.HTTPError as exc:
            log.error("demo.setup_failed", error=str(exc))
            raise
        sys.stdout.write(f"\n  evodash demo is ready: {base}\n\n")
        sys.stdout.flush()
        traffic = asyncio.create_task(driver.traffic())
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        traffic.cancel()
        for server in servers:
            server.should_exit = True
        await asyncio.gather(*tasks, return_exceptions=True)


def run_demo(*, port: int = 8000, sim_port: int = 8081, data_dir: Path | None = None) -> None:
    data_dir = data_dir or Path("./data/demo")
    settings = Settings(
        data_dir=data_dir,
        database_url=f"sqlite+aiosqlite:///{data_dir}/evodash.db",
        media_root=data_dir / "media",
        port=port,
        public_base_url=f"http://127.0.0.1:{port}",
        allowed_phone_numbers=ALLOWED,
        bootstrap_admin=False,
        status_sync_interval_seconds=120,
    )
    password = _prepare(settings)
    sys.stdout.write(
        "\n" + "=" * 64 + "\n"
        "  evodash demo: a dashboard and a simulated Evolution API server\n"
        f"  open http://127.0.0.1:{port}  and log in as  admin / {password}\n"
        "  (the simulator answers on "
        f"http://127.0.0.1:{sim_port}; data in {data_dir}, reset on each run)\n" + "=" * 64 + "\n"
    )
    sys.stdout.flush()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_all(settings, sim_port))

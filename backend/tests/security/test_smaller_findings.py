"""Finding 13 of issue 11, the smaller ones (and what the same mistakes looked like
elsewhere). The webhook body and webhook secret items belong to the receiver's rewrite;
`/docs` in production to the OpenAPI work.
"""

from __future__ import annotations

import io
import stat
import struct
import threading
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.core.migrate import upgrade
from evodash.evolution import EvolutionClient
from evodash.instances.importing import _why_not
from evodash.invoices.errors import InvalidImage
from evodash.invoices.imaging import WORKING_SIDE, load_checked_image
from evodash.jobs.models import ImageProcessingJob, JobStatus
from evodash.jobs.service import enqueue_image_job
from evodash.messages.allowlist import decide, normalize_number
from evodash.messages.models import WhatsAppMessage
from evodash.servers.models import EvolutionServer
from tests import loopback
from tests.conftest import TEST_SECRET
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.live import serve
from tests.security.conftest import HeadersFor
from tests.webhooks.support import InstanceFactory


class TestStorage:
    def test_the_sqlite_file_and_data_folders_are_private(self, tmp_path: Path) -> None:
        settings = Settings(
            _env_file=None,
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'data' / 'evodash.db'}",
            data_dir=tmp_path / "data",
            media_root=tmp_path / "data" / "media",
        )
        settings.ensure_dirs()
        thread = threading.Thread(target=upgrade, args=(settings.database_url,))
        thread.start()
        thread.join()
        db_file = tmp_path / "data" / "evodash.db"
        for path in (db_file, *tmp_path.glob("data/evodash.db-*")):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        for folder in (tmp_path / "data", tmp_path / "data" / "media"):
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder

    def test_an_existing_world_readable_database_is_tightened(self, tmp_path: Path) -> None:
        db_file = tmp_path / "old.db"
        db_file.write_bytes(b"")
        db_file.chmod(0o644)
        Settings(
            _env_file=None, database_url=f"sqlite+aiosqlite:///{db_file}", data_dir=tmp_path
        ).ensure_dirs()
        assert stat.S_IMODE(db_file.stat().st_mode) == 0o600


@pytest.mark.commits  # a second app with its own engine
class TestCookies:
    def test_production_forces_secure_cookies(self) -> None:
        settings = Settings(
            _env_file=None,
            environment="production",
            secret_key="x" * 48,  # type: ignore[arg-type]
            cookie_secure=False,
        )
        assert settings.cookie_secure is True

    async def test_production_login_sets_secure_cookies(
        self, settings: Settings, db: async_sessionmaker[AsyncSession], users: UserFactory
    ) -> None:
        from asgi_lifespan import LifespanManager

        from evodash.main import create_app

        await users.viewer(username="prod")
        production = settings.model_copy(update={"environment": "production"})
        production = Settings.model_validate({**production.model_dump(), "secret_key": TEST_SECRET})
        app = create_app(production)
        async with (
            LifespanManager(app),
            loopback.client(
                transport=httpx.ASGITransport(app=app), base_url="https://testserver"
            ) as client,
        ):
            response = await client.post(
                "/api/auth/login", json={"username": "prod", "password": DEFAULT_PASSWORD}
            )
        assert response.status_code == 200
        cookies = response.headers.get_list("set-cookie")
        assert len(cookies) == 2 and all("Secure" in c for c in cookies)

    async def test_an_empty_csrf_pair_is_refused(
        self, client: httpx.AsyncClient, users: UserFactory
    ) -> None:
        await users.operator(username="csrf")
        login = await client.post(
            "/api/auth/login", json={"username": "csrf", "password": DEFAULT_PASSWORD}
        )
        assert login.status_code == 200
        client.cookies.set("evodash_csrf", "")
        response = await client.post(
            "/api/auth/api-keys", json={"name": "x"}, headers={"X-CSRF-Token": ""}
        )
        assert response.status_code == 403
        assert response.json()["error"] == "csrf_failed"


class TestServerKeyGuessing:
    async def test_wrong_keys_for_a_registered_server_are_throttled(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        users: UserFactory,
        as_user: HeadersFor,
        settings: Settings,
    ) -> None:
        await instances.server("http://evolution.test", "the-real-key")
        headers = await as_user(await users.operator())
        statuses = []
        for n in range(settings.login_max_attempts + 1):
            response = await client.post(
                "/api/instances",
                json={
                    "display_name": "Guess",
                    "name": "guess",
                    "evolution_url": "http://evolution.test",
                    "api_key": f"guess-{n}",
                },
                headers=headers,
            )
            statuses.append(response.status_code)
        assert statuses[:-1] == [409] * settings.login_max_attempts
        assert statuses[-1] == 429


def _png_declaring(width: int, height: int) -> bytes:
    """A tiny 1-bit PNG whose pixels are all there: 6300x6300 compresses to a few KB."""
    raw = zlib.compress((b"\x00" + b"\x00" * ((width + 7) // 8)) * height, 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


class TestImages:
    def test_the_6300px_png_is_refused_before_decoding(self) -> None:
        bomb = _png_declaring(6300, 6300)
        assert len(bomb) < 10_000
        defaults = Settings(_env_file=None)
        with pytest.raises(InvalidImage, match="6300x6300"):
            load_checked_image(
                bomb, max_bytes=defaults.max_image_bytes, max_pixels=defaults.max_image_pixels
            )

    def test_big_jpegs_are_decoded_at_a_reduced_scale(self) -> None:
        out = io.BytesIO()
        Image.new("RGB", (4400, 4400), "white").save(out, format="JPEG", quality=50)
        checked = load_checked_image(out.getvalue(), max_bytes=10**8, max_pixels=10**8)
        assert WORKING_SIDE <= checked.width < 4400 and checked.height < 4400

    async def test_one_sender_cannot_queue_unbounded_image_jobs(
        self, db: async_sessionmaker[AsyncSession], instances: InstanceFactory, settings: Settings
    ) -> None:
        hooked = await instances.create()
        limited = settings.model_copy(update={"image_jobs_per_sender_per_hour": 2})
        jobs: list[ImageProcessingJob] = []
        async with db() as session:
            for n, sender in enumerate(["+5511987654321"] * 3 + ["+5511912345678"]):
                message = WhatsAppMessage(
                    instance_id=hooked.id,
                    message_id=f"IMG{n}",
                    remote_jid=sender.lstrip("+") + "@s.whatsapp.net",
                    sender_phone=sender,
                    direction="in",
                    message_type="image",
                    wa_timestamp=utcnow(),
                    raw={},
                )
                session.add(message)
                await session.flush()
                jobs.append(
                    await enqueue_image_job(
                        session, message=message, media_base64=None, settings=limited
                    )
                )
            await session.commit()
        assert [j.status for j in jobs] == [
            JobStatus.pending.value,
            JobStatus.pending.value,
            JobStatus.failed.value,  # the third image of the hour from that sender
            JobStatus.pending.value,  # another sender is not affected
        ]
        assert jobs[2].error is not None and "IMAGE_JOBS_PER_SENDER_PER_HOUR" in jobs[2].error


class TestAllowList:
    def test_the_ninth_digit_is_only_dropped_for_real_mobiles(self) -> None:
        entries = ["+5511911111111"]
        impostor = normalize_number("551111111111")  # 8 digits starting 1: not a mobile
        assert not decide(impostor, global_entries=entries, instance_entries=[]).allowed
        # A real mobile still matches without its ninth digit, both ways.
        assert decide(
            normalize_number("551187654321"),
            global_entries=["+5511987654321"],
            instance_entries=[],
        ).allowed
        assert decide(
            normalize_number("+5511987654321"), global_entries=["551187654321"], instance_entries=[]
        ).allowed


@pytest.fixture
async def path_recorder() -> AsyncIterator[tuple[list[str], str]]:
    seen: list[str] = []
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "POST", "DELETE"])
    async def anything(path: str, request: Request) -> JSONResponse:
        seen.append(request.scope["raw_path"].decode())
        return JSONResponse({"instance": {"instanceName": "x", "state": "open"}})

    async with serve(app) as live:
        yield seen, live.url


class TestInstanceNames:
    @pytest.mark.parametrize(("name", "segment"), [(".", "%2E"), ("..", "%2E%2E")])
    async def test_dot_names_stay_one_path_segment(
        self, path_recorder: tuple[list[str], str], name: str, segment: str
    ) -> None:
        seen, url = path_recorder
        async with loopback.client() as http:
            client = EvolutionClient(http, url, "k", timeout=2, connect_timeout=2, read_retries=0)
            await client.connection_state(name)
        assert seen == [f"/instance/connectionState/{segment}"]

    def test_dot_names_cannot_be_imported(self) -> None:
        from evodash.evolution.models import InstanceInfo

        for name in (".", ".."):
            info = InstanceInfo.model_validate({"id": "1", "name": name})
            assert _why_not(info, set()) == "its name cannot be used safely in Evolution's URLs"


class TestSendingWithAnUnreadableKey:
    async def test_answers_409_not_500(
        self,
        client: httpx.AsyncClient,
        db: async_sessionmaker[AsyncSession],
        instances: InstanceFactory,
        users: UserFactory,
        as_user: HeadersFor,
    ) -> None:
        hooked = await instances.create(status="open")
        async with db() as session:  # as if SECRET_KEY had changed since it was saved
            server = await session.get(EvolutionServer, await instances.server())
            assert server is not None
            server.api_key_encrypted = "gAAAAAB-not-a-fernet-token"
            await session.commit()
        headers = await as_user(await users.operator())
        response = await client.post(
            f"/api/instances/{hooked.id}/messages",
            json={"number": "+5511987654321", "text": "oi"},
            headers=headers,
        )
        assert response.status_code == 409
        assert response.json()["error"] == "server_key_unreadable"


@pytest.fixture
def instances(db: async_sessionmaker[AsyncSession]) -> InstanceFactory:
    return InstanceFactory(db)

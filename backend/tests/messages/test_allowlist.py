"""The allow-list: normalization, decisions, blocked messages, and its API."""

from __future__ import annotations

import logging

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.jobs.models import ImageProcessingJob
from evodash.messages.allowlist import (
    decide,
    normalize_entries,
    normalize_number,
    variants,
)
from tests.webhooks.support import (
    InstanceFactory,
    applied_status,
    image_message,
    messages,
    post_event,
    text_message,
)

# Tiny valid JPEG-ish payload is not needed: the job only stores what it is given.
MEDIA = "aGVsbG8="


class TestNormalization:
    @pytest.mark.parametrize(
        "value",
        [
            "+5531987654321",
            "5531987654321",
            "553187654321",  # without the ninth digit, as WhatsApp writes many JIDs
            "+55 31 98765-4321",
            "(31) 98765-4321",  # national, default region BR
            "31987654321",
            "5531987654321@s.whatsapp.net",
            "553187654321@s.whatsapp.net",
            "553187654321:17@s.whatsapp.net",  # a linked device
            "0055 31 98765 4321",
        ],
    )
    def test_brazilian_forms_are_one_number(self, value: str) -> None:
        assert normalize_number(value) == "+5531987654321"

    @pytest.mark.parametrize(
        "value", ["182736455463728@lid", "120363025987654321@g.us", "status@broadcast", "abc", ""]
    )
    def test_non_numbers_are_rejected(self, value: str) -> None:
        assert normalize_number(value) is None

    def test_landlines_keep_eight_digits(self) -> None:
        assert normalize_number("+55 11 3456-7890") == "+551134567890"

    def test_variants_cover_the_ninth_digit(self) -> None:
        assert variants("+5531987654321") == {"5531987654321", "553187654321"}
        assert variants("+5511987654321") == {"5511987654321", "551187654321"}

    def test_entries_report_the_invalid_ones(self) -> None:
        numbers, invalid = normalize_entries(["5511987654321", "+55 11 98765-4321", "nope"])
        assert numbers == ["+5511987654321"]
        assert invalid == ["nope"]


class TestDecide:
    def test_empty_lists_allow_everyone(self) -> None:
        assert decide(None, global_entries=[], instance_entries=[]).allowed

    def test_global_and_instance_lists_add_up(self) -> None:
        kwargs = {"global_entries": ["5511987654321"], "instance_entries": ["+5531987654321"]}
        assert decide("+5511987654321", **kwargs).allowed  # type: ignore[arg-type]
        assert decide("+5531987654321", **kwargs).allowed  # type: ignore[arg-type]
        assert not decide("+5521998765432", **kwargs).allowed  # type: ignore[arg-type]

    def test_unknown_sender_is_blocked_by_a_list(self) -> None:
        decision = decide(None, global_entries=[], instance_entries=["+5511987654321"])
        assert (decision.allowed, decision.reason) == (False, "unresolved")


class TestBlockedMessages:
    async def test_blocked_number_is_stored_blocked_and_creates_no_job(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        db: async_sessionmaker[AsyncSession],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        hooked = await instances.create(allowed_numbers=["+5511987654321"])
        with caplog.at_level(logging.INFO, logger="evodash.messages.allowlist"):
            response = await post_event(
                client, hooked, image_message("IMG1", sender="5521998765432", base64=MEDIA)
            )
        assert await applied_status(db, response) == "processed"
        [message] = await messages(db)
        assert (message.message_type, message.is_allowed) == ("image", False)
        async with db() as session:
            assert await session.scalar(select(func.count()).select_from(ImageProcessingJob)) == 0
        logged = [r.msg for r in caplog.records if isinstance(r.msg, dict)]
        assert any(
            m.get("event") == "phone.blocked"
            and m.get("number") == "+5521998765432"
            and m.get("instance_id") == hooked.id
            for m in logged
        ), logged

    @pytest.mark.parametrize(
        "listed",
        ["553187654321", "5531987654321", "+55 31 98765-4321", "553187654321@s.whatsapp.net"],
    )
    @pytest.mark.parametrize("sender", ["553187654321", "5531987654321"])
    async def test_ninth_digit_and_jid_forms_are_one_number(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        db: async_sessionmaker[AsyncSession],
        listed: str,
        sender: str,
    ) -> None:
        hooked = await instances.create(allowed_numbers=[listed])
        await post_event(client, hooked, image_message("IMG1", sender=sender, base64=MEDIA))
        [message] = await messages(db)
        assert message.is_allowed
        async with db() as session:
            jobs = (await session.scalars(select(ImageProcessingJob))).all()
        assert [j.message_id for j in jobs] == [message.id]

    async def test_allowed_lid_sender_is_resolved(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        db: async_sessionmaker[AsyncSession],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        hooked = await instances.create(allowed_numbers=["+5521998765432"])
        with caplog.at_level(logging.INFO, logger="evodash.messages.allowlist"):
            await post_event(client, hooked, text_message("T1", lid=True))
        [message] = await messages(db)
        assert message.is_allowed and message.remote_jid.endswith("@lid")
        assert any(
            isinstance(r.msg, dict) and r.msg.get("event") == "phone.authorized"
            for r in caplog.records
        )

    async def test_global_setting_applies_to_every_instance(
        self,
        settings: object,
        client: httpx.AsyncClient,
        app: object,
        instances: InstanceFactory,
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        app.state.settings.allowed_phone_numbers = ["+5511987654321"]  # type: ignore[attr-defined]
        hooked = await instances.create()
        await post_event(client, hooked, text_message("A", sender="5511987654321"))
        await post_event(client, hooked, text_message("B", sender="5521998765432"))
        allowed = {m.message_id: m.is_allowed for m in await messages(db)}
        assert allowed == {"A": True, "B": False}

    async def test_own_messages_are_never_blocked(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        hooked = await instances.create(allowed_numbers=["+5511987654321"])
        body = text_message("MINE", sender="5521998765432")
        body["data"]["key"]["fromMe"] = True
        await post_event(client, hooked, body)
        [message] = await messages(db)
        assert (message.direction, message.is_allowed) == ("out", True)


class TestAllowListApi:
    async def test_read_and_replace(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        operator_headers: dict[str, str],
        viewer_headers: dict[str, str],
    ) -> None:
        hooked = await instances.create()
        url = f"/api/instances/{hooked.id}/allowed-numbers"
        empty = (await client.get(url, headers=viewer_headers)).json()
        assert empty == {
            "instance_id": hooked.id,
            "numbers": [],
            "global_numbers": [],
            "everyone_allowed": True,
        }
        response = await client.put(
            url,
            json={"numbers": ["553187654321@s.whatsapp.net", "+55 31 98765-4321", "11987654321"]},
            headers=operator_headers,
        )
        assert response.status_code == 200, response.text
        assert response.json()["numbers"] == ["+5511987654321", "+5531987654321"]
        assert response.json()["everyone_allowed"] is False
        assert (await client.get(url, headers=viewer_headers)).json()["numbers"] == [
            "+5511987654321",
            "+5531987654321",
        ]

    async def test_invalid_entries_are_422_and_named(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        operator_headers: dict[str, str],
    ) -> None:
        hooked = await instances.create()
        response = await client.put(
            f"/api/instances/{hooked.id}/allowed-numbers",
            json={"numbers": ["+5511987654321", "182736455463728@lid", "call me"]},
            headers=operator_headers,
        )
        assert response.status_code == 422
        assert response.json()["invalid"] == ["182736455463728@lid", "call me"]

    async def test_viewers_cannot_edit_and_unknown_instance_is_404(
        self,
        client: httpx.AsyncClient,
        instances: InstanceFactory,
        viewer_headers: dict[str, str],
        operator_headers: dict[str, str],
    ) -> None:
        hooked = await instances.create()
        body = {"numbers": []}
        url = f"/api/instances/{hooked.id}/allowed-numbers"
        assert (await client.put(url, json=body, headers=viewer_headers)).status_code == 403
        missing = "/api/instances/999999/allowed-numbers"
        assert (await client.put(missing, json=body, headers=operator_headers)).status_code == 404

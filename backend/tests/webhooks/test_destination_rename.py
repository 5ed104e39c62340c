"""Renaming a destination to a name its instance already uses is a 409, not a broken
transaction (schemathesis found the 500: the flush ran outside the savepoint)."""

from __future__ import annotations

import httpx

from tests.webhooks.support import InstanceFactory
from tests.webhooks.test_destinations import _path


async def test_a_taken_name_on_edit_is_a_conflict_and_changes_nothing(
    client: httpx.AsyncClient, instances: InstanceFactory, operator_headers: dict[str, str]
) -> None:
    hooked = await instances.create()
    first = await client.post(
        _path(hooked.id),
        json={"name": "crm", "url": "https://crm.example.com/"},
        headers=operator_headers,
    )
    second = await client.post(
        _path(hooked.id),
        json={"name": "n8n", "url": "https://n8n.example.com/"},
        headers=operator_headers,
    )
    assert first.status_code == second.status_code == 201
    one = f"{_path(hooked.id)}/{second.json()['id']}"
    answer = await client.patch(
        one,
        json={
            "name": "crm",
            "url": "https://other.example.com/",
            "secret_header_name": "X-K",
            "secret_header_value": "v",
            "enabled": False,
        },
        headers=operator_headers,
    )
    assert answer.status_code == 409, answer.text
    assert answer.json()["error"] == "destination_name_taken"
    kept = (await client.get(_path(hooked.id), headers=operator_headers)).json()
    assert sorted((d["name"], d["url"], d["enabled"]) for d in kept) == [
        ("crm", "https://crm.example.com/", True),
        ("n8n", "https://n8n.example.com/", True),
    ]

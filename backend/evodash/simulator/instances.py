"""Controllers of ``/instance/create``, ``fetchInstances``, ``webhook/*`` and ``settings/*``."""

from __future__ import annotations

import asyncio
from typing import Any

import structlog

from evodash.simulator import events as ev
from evodash.simulator.errors import EvolutionError, bad_request, internal, unauthorized
from evodash.simulator.events import EVENT_NAMES
from evodash.simulator.schemas import INSTANCE_SCHEMA, validate
from evodash.simulator.service import Simulator
from evodash.simulator.state import (
    SETTING_KEYS,
    Instance,
    SettingsRow,
    WebhookRow,
    new_token,
    now_iso,
)

logger = structlog.get_logger(__name__)

INTEGRATIONS = ("WHATSAPP-BAILEYS", "WHATSAPP-BUSINESS", "EVOLUTION")
_PRISMA_TYPES = {bool: "Boolean", int: "Int", float: "Float", list: "List", dict: "Object"}


def _name_guard(sim: Simulator, body: Any) -> None:
    """The name-in-use guard, which runs before authentication (CONTRACT §2, §4.1)."""
    has_name = isinstance(body, dict) and "instanceName" in body
    name = body.get("instanceName") if isinstance(body, dict) else None
    if not has_name:
        if sim.state.instances:
            raise EvolutionError(403, ['This name "undefined" is already in use.'])
        return
    if not isinstance(name, str):
        provided = _PRISMA_TYPES.get(type(name), "Null")
        raise EvolutionError(
            500,
            [
                "PrismaClientValidationError: \nInvalid `this.prismaRepository.instance"
                ".findMany()` invocation in\n/evolution/dist/main.js:1:1\n\n"
                f"Argument `name`: Invalid value provided. Expected StringFilter or String, "
                f"provided {provided}."
            ],
        )
    if name in sim.state.instances:
        raise EvolutionError(403, [f'This name "{name}" is already in use.'])


def _settings_from(body: dict[str, Any]) -> dict[str, Any]:
    """Create's settings: only a literal ``true`` counts, strings default to ``""``."""
    values: dict[str, Any] = {}
    for key in SETTING_KEYS:
        value = body.get(key)
        if key in ("msgCall", "wavoipToken"):
            values[key] = value if isinstance(value, str) else ""
        else:
            values[key] = value is True
    return values


def _webhook_echo(hook: dict[str, Any]) -> dict[str, Any]:
    echo: dict[str, Any] = {}
    for src, dst in (
        ("url", "webhookUrl"),
        ("headers", "webhookHeaders"),
        ("byEvents", "webhookByEvents"),
        ("base64", "webhookBase64"),
    ):
        if src in hook:
            echo[dst] = hook[src]
    return echo


def _enabled_echo(value: Any) -> dict[str, Any]:
    return {"enabled": value["enabled"]} if isinstance(value, dict) and "enabled" in value else {}


async def create_instance(sim: Simulator, body: Any, apikey: str | None) -> dict[str, Any]:
    _name_guard(sim, body)
    if not sim.is_global_key(apikey):
        raise unauthorized()
    errors = validate(body, INSTANCE_SCHEMA)
    if errors:
        raise EvolutionError(400, [errors])
    integration = body.get("integration")
    if integration not in INTEGRATIONS:
        raise bad_request("Invalid integration")
    if integration == "WHATSAPP-BUSINESS" and not body.get("token"):
        raise bad_request("token is required")
    name = body.get("instanceName")
    if not isinstance(name, str):
        raise bad_request("instanceName is required")
    hook = body.get("webhook")
    if isinstance(hook, dict) and not isinstance(hook.get("events"), list):
        raise bad_request("Cannot read properties of undefined (reading 'length')")
    token = body.get("token") if isinstance(body.get("token"), str) and body["token"] else None
    instance = Instance(
        name=name,
        token=token or new_token(),
        integration=integration,
        number=body.get("number"),
        settings=SettingsRow(instance_id="", values=_settings_from(body)),
    )
    instance.settings.instance_id = instance.id
    if isinstance(hook, dict):
        instance.webhook = WebhookRow(
            instance_id=instance.id,
            url=str(hook.get("url", "")),
            enabled=True,
            events=list(hook["events"]) or list(EVENT_NAMES),
            headers=hook.get("headers"),
            by_events=hook.get("byEvents") is True,
            base64=hook.get("base64") is True,
        )
    sim.state.instances[name] = instance
    logger.info("simulator.instance.created", instance=name)
    sim.emit(instance, ev.INSTANCE_CREATE, {"instanceName": name, "instanceId": instance.id})
    answer: dict[str, Any] = {
        "instance": {
            "instanceName": name,
            "instanceId": instance.id,
            "integration": integration,
            "webhookWaBusiness": None,
            "accessTokenWaBusiness": "",
            "status": instance.state,
        },
        "hash": instance.token,
        "webhook": _webhook_echo(hook) if isinstance(hook, dict) else {},
        "websocket": _enabled_echo(body.get("websocket")),
        "rabbitmq": _enabled_echo(body.get("rabbitmq")),
        "nats": _enabled_echo(body.get("nats")),
        "sqs": _enabled_echo(body.get("sqs")),
        "settings": instance.settings.public(),
    }
    if body.get("qrcode") is True and integration == "WHATSAPP-BAILEYS":
        sim.open_socket(instance, body.get("number"))
        if sim.config.connect_wait:
            await asyncio.sleep(sim.config.connect_wait)
        # Offline, the state flips close/connecting; the recorded server answered "close".
        reachable = sim.state.whatsapp_reachable
        answer["instance"]["status"] = instance.state if reachable else "close"
        answer["qrcode"] = instance.qr.body()
    return answer


def fetch_instances(sim: Simulator, apikey: str | None, query: dict[str, str]) -> list[Any]:
    if sim.is_global_key(apikey):
        visible = list(sim.state.instances.values())
    else:
        visible = sim.state.find_by_token(apikey or "\0")
        if not visible:
            raise EvolutionError(401, "Unauthorized")
    everything = list(sim.state.instances.values())
    for param, attr in (("instanceName", "name"), ("instanceId", "id"), ("number", "number")):
        wanted = query.get(param)
        if wanted is None:
            continue
        if not any(getattr(i, attr) == wanted for i in everything):
            raise EvolutionError(404, [f'Instance "{wanted}" not found'])
        visible = [i for i in visible if getattr(i, attr) == wanted]
        break
    return [i.row(sim.state.client_name) for i in visible]


def set_webhook(instance: Instance, body: dict[str, Any]) -> dict[str, Any]:
    hook: dict[str, Any] = body["webhook"]
    enabled = hook["enabled"] is True
    if not enabled:
        events: list[str] = []
    elif not isinstance(hook.get("events"), list):
        raise internal("Cannot read properties of undefined (reading 'length')")
    else:
        events = list(hook["events"]) or list(EVENT_NAMES)
    row = instance.webhook
    if row is None:
        row = instance.webhook = WebhookRow(
            instance_id=instance.id,
            url=hook["url"],
            enabled=enabled,
            events=events,
            headers=hook.get("headers"),
            by_events=hook.get("byEvents") is True,
            base64=hook.get("base64") is True,
        )
    else:
        row.url, row.enabled, row.events = hook["url"], enabled, events
        if "headers" in hook:
            row.headers = hook["headers"]
        if "byEvents" in hook:
            row.by_events = hook["byEvents"] is True
        if "base64" in hook:
            row.base64 = hook["base64"] is True
        row.updated_at = now_iso()
    return row.row()


def set_settings(instance: Instance, body: dict[str, Any]) -> dict[str, Any]:
    for key in instance.settings.values:
        if key in body:
            instance.settings.values[key] = body[key]
    instance.settings.updated_at = now_iso()
    return {"settings": {"instanceName": instance.name, "settings": body}}

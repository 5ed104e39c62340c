"""The Evolution API v2 routes, with the real server's guard order (CONTRACT §2):

body parsing → instance exists (404) → apikey (401) → JSON schema (400) → controller.
``/instance/create`` checks the name (403) before the apikey instead.
"""

from __future__ import annotations

import json
import time
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Query, Request

from evodash.simulator import chat, instances, messaging
from evodash.simulator.config import SERVER_VERSION, WHATSAPP_WEB_VERSION
from evodash.simulator.errors import (
    EvolutionError,
    EvolutionJSONResponse,
    RawEvolutionError,
    internal,
    unauthorized,
)
from evodash.simulator.schemas import (
    FIND_MESSAGES_SCHEMA,
    MEDIA_BASE64_SCHEMA,
    PRESENCE_SCHEMA,
    SETTINGS_SCHEMA,
    TEXT_MESSAGE_SCHEMA,
    WEBHOOK_SCHEMA,
    WHATSAPP_NUMBERS_SCHEMA,
    Schema,
    validate,
)
from evodash.simulator.service import Simulator
from evodash.simulator.state import Instance

router = APIRouter(tags=["evolution"], default_response_class=EvolutionJSONResponse)

_JSON_ERRORS = (
    ("Expecting property name enclosed in double quotes", "Expected double-quoted property name"),
    ("Expecting ',' delimiter", "Expected ',' or '}' after property value"),
    ("Expecting ':' delimiter", "Expected ':' after property name"),
    ("Extra data", "Unexpected non-whitespace character after JSON"),
    ("Unterminated string", "Unterminated string"),
    ("Invalid control character", "Bad control character in string literal"),
)


def get_simulator(request: Request) -> Simulator:
    sim: Simulator = request.app.state.simulator
    return sim


SimulatorDep = Annotated[Simulator, Depends(get_simulator)]


def node_json_error(exc: json.JSONDecodeError) -> str:
    """Python's JSON error reworded like Node's ``JSON.parse`` (the text varies by Node)."""
    if exc.msg == "Expecting value":
        if exc.pos >= len(exc.doc):
            return "Unexpected end of JSON input"
        char = exc.doc[exc.pos]
        return f"Unexpected token '{char}', \"{exc.doc[:30]}\" is not valid JSON"
    for python_text, node_text in _JSON_ERRORS:
        if exc.msg.startswith(python_text):
            return f"{node_text} in JSON at position {exc.pos}"
    return f"Unexpected token in JSON at position {exc.pos}"


async def read_body(request: Request) -> Any:
    """Like Express' json/urlencoded parsers: ``{}`` when there is no parsable body."""
    raw = await request.body()
    content_type = request.headers.get("content-type", "").lower()
    if not raw.strip():
        return {}
    if "json" in content_type:
        try:
            return json.loads(raw)
        except json.JSONDecodeError as exc:
            raise EvolutionError(400, node_json_error(exc), error="Internal Server Error") from exc
        except UnicodeDecodeError as exc:
            raise EvolutionError(400, str(exc), error="Internal Server Error") from exc
    if "x-www-form-urlencoded" in content_type:
        return dict(parse_qsl(raw.decode("utf-8", "replace")))
    return {}


async def guard(
    sim: Simulator, request: Request, name: str, schema: Schema | None = None
) -> tuple[Instance, Any]:
    body = await read_body(request)
    instance = sim.get(name)
    apikey = request.headers.get("apikey")
    if not (sim.is_global_key(apikey) or (apikey is not None and apikey == instance.token)):
        raise unauthorized()
    if schema is not None:
        errors = validate(body, schema)
        if errors:
            raise EvolutionError(400, [errors])
    return instance, body


@router.get("/", summary="Health / welcome (no auth)")
async def root(request: Request, sim: SimulatorDep) -> dict[str, Any]:
    return {
        "status": 200,
        "message": "Welcome to the Evolution API, it is working!",
        "version": SERVER_VERSION,
        "clientName": sim.config.client_name,
        "manager": f"{request.url.scheme}://{request.headers.get('host', '')}/manager",
        "documentation": "https://doc.evolution-api.com",
        "whatsappWebVersion": WHATSAPP_WEB_VERSION,
    }


@router.post("/verify-creds", summary="Validate the global key")
async def verify_creds(request: Request, sim: SimulatorDep) -> dict[str, Any]:
    await read_body(request)
    if not sim.is_global_key(request.headers.get("apikey")):
        raise unauthorized()
    return {"status": 200, "message": "Credentials are valid"}


@router.post("/instance/create", status_code=201, summary="Create an instance")
async def create_instance(request: Request, sim: SimulatorDep) -> dict[str, Any]:
    body = await read_body(request)
    return await instances.create_instance(sim, body, request.headers.get("apikey"))


@router.get("/instance/fetchInstances", summary="List instances (raw DB rows)")
async def fetch_instances(
    request: Request,
    sim: SimulatorDep,
    instance_name: Annotated[str | None, Query(alias="instanceName")] = None,
    instance_id: Annotated[str | None, Query(alias="instanceId")] = None,
    number: str | None = None,
) -> list[Any]:
    await read_body(request)
    query = {
        k: v
        for k, v in (
            ("instanceName", instance_name),
            ("instanceId", instance_id),
            ("number", number),
        )
        if v is not None
    }
    return instances.fetch_instances(sim, request.headers.get("apikey"), query)


@router.get("/instance/connect/{instance}", summary="Connect: QR code / pairing code")
async def connect(
    instance: str, request: Request, sim: SimulatorDep, number: str | None = None
) -> dict[str, Any]:
    inst, _ = await guard(sim, request, instance)
    return await sim.connect(inst, number)


@router.get("/instance/connectionState/{instance}", summary="Live connection state")
async def connection_state(instance: str, request: Request, sim: SimulatorDep) -> dict[str, Any]:
    inst, _ = await guard(sim, request, instance)
    sim.state.probes.append((time.time(), inst.name))
    return {"instance": {"instanceName": inst.name, "state": inst.state}}


@router.post("/instance/restart/{instance}", summary="Restart the socket")
async def restart(instance: str, request: Request, sim: SimulatorDep) -> dict[str, Any]:
    inst, _ = await guard(sim, request, instance)
    return sim.restart(inst)


@router.delete("/instance/logout/{instance}", summary="Log out of WhatsApp")
async def logout(instance: str, request: Request, sim: SimulatorDep) -> dict[str, Any]:
    inst, _ = await guard(sim, request, instance)
    return sim.logout(inst)


@router.delete("/instance/delete/{instance}", summary="Delete the instance")
async def delete(instance: str, request: Request, sim: SimulatorDep) -> dict[str, Any]:
    inst, _ = await guard(sim, request, instance)
    return sim.delete(inst)


@router.post("/instance/setPresence/{instance}", status_code=201, summary="Set presence")
async def set_presence(instance: str, request: Request, sim: SimulatorDep) -> dict[str, Any]:
    inst, body = await guard(sim, request, instance, PRESENCE_SCHEMA)
    return messaging.set_presence(inst, body)


@router.post("/webhook/set/{instance}", status_code=201, summary="Set the instance webhook")
async def webhook_set(instance: str, request: Request, sim: SimulatorDep) -> dict[str, Any]:
    inst, body = await guard(sim, request, instance, WEBHOOK_SCHEMA)
    return instances.set_webhook(inst, body)


@router.get("/webhook/find/{instance}", summary="The instance webhook (or null)")
async def webhook_find(instance: str, request: Request, sim: SimulatorDep) -> Any:
    inst, _ = await guard(sim, request, instance)
    return inst.webhook.row() if inst.webhook else None


@router.post("/settings/set/{instance}", status_code=201, summary="Set the instance settings")
async def settings_set(instance: str, request: Request, sim: SimulatorDep) -> dict[str, Any]:
    inst, body = await guard(sim, request, instance, SETTINGS_SCHEMA)
    return instances.set_settings(inst, body)


@router.get("/settings/find/{instance}", summary="The instance settings")
async def settings_find(instance: str, request: Request, sim: SimulatorDep) -> dict[str, Any]:
    inst, _ = await guard(sim, request, instance)
    return inst.settings.public()


@router.post("/message/sendText/{instance}", status_code=201, summary="Send a text")
async def send_text(instance: str, request: Request, sim: SimulatorDep) -> dict[str, Any]:
    inst, body = await guard(sim, request, instance, TEXT_MESSAGE_SCHEMA)
    if inst.zombie:
        await sim.zombie_call(inst)
        raise internal("Timed Out")
    return await messaging.send_text(sim, inst, body)


@router.post(
    "/chat/getBase64FromMediaMessage/{instance}", status_code=201, summary="Download media"
)
async def media_base64(instance: str, request: Request, sim: SimulatorDep) -> dict[str, Any]:
    inst, body = await guard(sim, request, instance, MEDIA_BASE64_SCHEMA)
    return messaging.media_base64(inst, body)


@router.post("/chat/whatsappNumbers/{instance}", summary="Check numbers on WhatsApp")
async def whatsapp_numbers(instance: str, request: Request, sim: SimulatorDep) -> list[Any]:
    inst, body = await guard(sim, request, instance)
    errors = validate(body, WHATSAPP_NUMBERS_SCHEMA)
    if errors:
        raw = {"status": 400, "error": "Bad Request", "message": [errors]}
        raise RawEvolutionError(400, raw)
    if inst.zombie:  # the query never gets an answer; the catch-all answers 400 {}
        await sim.zombie_call(inst)
        raise RawEvolutionError(400, {})
    return messaging.whatsapp_numbers(sim, inst, body)


@router.post("/chat/findMessages/{instance}", summary="Stored messages, newest first")
async def find_messages(instance: str, request: Request, sim: SimulatorDep) -> dict[str, Any]:
    inst, body = await guard(sim, request, instance, FIND_MESSAGES_SCHEMA)
    return chat.find_messages(inst, body)

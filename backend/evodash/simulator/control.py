"""``/_sim/…``: the simulated WhatsApp side and test hooks (global ``apikey`` required).

See the package docstring (``evodash.simulator``) for the list of endpoints.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from evodash.simulator import messaging
from evodash.simulator.errors import EvolutionError, unauthorized
from evodash.simulator.media import Picture, inspect_image, render_invoice
from evodash.simulator.router import SimulatorDep
from evodash.simulator.service import Simulator
from evodash.simulator.state import Fault, Sink


async def require_global_key(
    sim: SimulatorDep, apikey: Annotated[str | None, Header()] = None
) -> Simulator:
    if not sim.is_global_key(apikey):
        raise unauthorized()
    return sim


ControlDep = Annotated[Simulator, Depends(require_global_key)]
router = APIRouter(prefix="/_sim", tags=["simulator control"])
#: Sinks take posts without a key: they play a third party that evodash forwards to.
sink_router = APIRouter(prefix="/_sim/sinks", tags=["simulator control"])


class _Body(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class ScanRequest(_Body):
    number: str | None = Field(
        None, description="Owner phone (E.164 digits); default 5511987654321"
    )
    profile_name: str | None = Field(None, description="WhatsApp profile name of the owner")
    profile_picture_url: str | None = None


class DropRequest(_Body):
    reason: int = Field(
        408,
        description="Baileys DisconnectReason: 401/402/403/406 are terminal (logged out, "
        "banned…); others (408, 428, 440, 500, 503, 515) reconnect silently",
    )


class ZombieRequest(_Body):
    on: bool = Field(True, description="true: the zombie fault; false: the socket is alive again")
    fail_after_ms: int = Field(
        60_000,
        ge=0,
        le=600_000,
        description="How long a call that needs WhatsApp (whatsappNumbers, sendText) hangs "
        "before it fails with Baileys' 'Timed Out'",
    )


class ImageSpec(_Body):
    kind: Literal["pix", "boleto", "invoice", "raw"] = Field(
        description="pix: a PIX QR; boleto: an ITF barcode; invoice: both plus printed totals "
        "and CNPJ; raw: the bytes in `base64`"
    )
    amount: Decimal | None = Field(None, description="Amount in BRL (default 157.90)")
    due_date: date | None = Field(None, description="Boleto/invoice due date (default +7 days)")
    cnpj: str | None = None
    beneficiary: str | None = None
    base64: str | None = Field(None, description="Image bytes for kind=raw")


class InboundRequest(_Body):
    sender: str = Field(alias="from", description="Sender phone number (digits)")
    push_name: str | None = None
    type: Literal["text", "image"] = "text"
    text: str | None = Field(None, description="Text of a text message")
    caption: str | None = Field(None, description="Caption of an image")
    image: ImageSpec | None = None
    addressing: Literal["lid", "pn"] = Field(
        "lid", description="lid: remoteJid is the sender's @lid (remoteJidAlt the phone JID)"
    )
    group_jid: str | None = Field(None, description="Send in this group (…@g.us)")
    from_me: bool = Field(False, description="Typed on the owner's own phone")
    id: str | None = Field(None, description="Force the WhatsApp message id")
    deliver_webhook: bool = Field(
        True,
        description="false: the server stores the message but no webhook is sent for it "
        "(as when its webhook retries ran out); findMessages still returns it",
    )
    timestamp: int | None = Field(
        None,
        ge=0,
        le=2**32,
        description="WhatsApp's time of the message in Unix seconds (default now): a "
        "message delivered late or by a history sync carries an older one",
    )


class StatusRequest(_Body):
    status: Literal["SERVER_ACK", "DELIVERY_ACK", "READ", "PLAYED", "ERROR"]


class WhatsAppRequest(_Body):
    reachable: bool | None = Field(
        None,
        description="false: no route to WhatsApp (connect yields {count: 0}, endless "
        "'connecting' events), as on the server the recordings come from",
    )
    unregistered_numbers: list[str] | None = Field(
        None, description="Numbers sendText reports as not on WhatsApp"
    )


class FaultRequest(_Body):
    route: str = Field(description="Glob on the request path, e.g. /instance/connect/*")
    method: str | None = Field(None, description="Only this HTTP method (default: any)")
    latency_ms: int = Field(0, ge=0, description="Delay before answering (or passing through)")
    status: int | None = Field(None, ge=100, le=599, description="Answer this status")
    body: Any = Field(None, description="JSON body with `status` (default: Evolution envelope)")
    garbage: bool = Field(False, description="Answer an HTML page instead of JSON")
    hang: bool = Field(False, description="Never answer (until the client disconnects)")
    times: int | None = Field(None, ge=1, description="Apply this many times (default: always)")


async def _picture(spec: ImageSpec) -> Picture:
    if spec.kind == "raw":
        if not spec.base64:
            raise EvolutionError(400, ["image.base64 is required for kind=raw"])
        try:
            data = base64.b64decode(spec.base64, validate=True)
        except binascii.Error as exc:
            raise EvolutionError(400, ["image.base64 is not valid base64"]) from exc
        return await asyncio.to_thread(inspect_image, data)
    return await asyncio.to_thread(
        render_invoice,
        spec.kind,
        amount=spec.amount,
        due_date=spec.due_date,
        beneficiary=spec.beneficiary,
        cnpj=spec.cnpj,
    )


@router.get("/state", summary="Everything the simulator holds (for tests)")
async def get_state(sim: ControlDep) -> dict[str, Any]:
    return {**sim.state.snapshot(), "pendingDeliveries": sim.webhooks.pending()}


@router.post("/reset", summary="Forget all instances, faults and deliveries")
async def reset(sim: ControlDep) -> dict[str, Any]:
    await sim.reset()
    return {"reset": True}


@router.post("/whatsapp", summary="Make WhatsApp (un)reachable; mark numbers unregistered")
async def set_whatsapp(body: WhatsAppRequest, sim: ControlDep) -> dict[str, Any]:
    if body.unregistered_numbers is not None:
        sim.state.unregistered_numbers = {
            "".join(c for c in n if c.isdigit()) for n in body.unregistered_numbers
        }
    if body.reachable is not None:
        sim.state.whatsapp_reachable = body.reachable
    return {
        "reachable": sim.state.whatsapp_reachable,
        "unregisteredNumbers": sorted(sim.state.unregistered_numbers),
    }


@router.post("/webhooks/flush", summary="Wait until pending webhook deliveries are done")
async def flush_webhooks(
    sim: ControlDep, wait: float = 10.0, instance: str | None = None
) -> dict[str, Any]:
    """``instance``: only that instance's deliveries (another's retries, say of an instance
    deleted meanwhile that the dashboard answers 410, are not waited for)."""
    done = await sim.webhooks.drain(wait, instance)
    return {"done": done, "pending": sim.webhooks.pending(instance)}


@router.post("/instances/{name}/scan", summary="Scan the QR code: the instance becomes open")
async def scan(name: str, sim: ControlDep, body: ScanRequest | None = None) -> dict[str, Any]:
    instance = sim.get(name)
    req = body or ScanRequest()
    sim.scan(
        instance,
        number=req.number,
        profile_name=req.profile_name,
        profile_picture_url=req.profile_picture_url,
    )
    return {"instance": instance.summary()}


@router.post("/instances/{name}/drop", summary="Drop the WhatsApp connection")
async def drop(name: str, sim: ControlDep, body: DropRequest | None = None) -> dict[str, Any]:
    instance = sim.get(name)
    sim.drop(instance, (body or DropRequest()).reason)
    return {"instance": instance.summary()}


@router.post(
    "/instances/{name}/zombie",
    summary="Zombie fault: state stays open, no events, calls needing WhatsApp time out",
)
async def zombie(name: str, sim: ControlDep, body: ZombieRequest | None = None) -> dict[str, Any]:
    instance = sim.get(name)
    req = body or ZombieRequest()
    sim.set_zombie(instance, req.on, req.fail_after_ms)
    return {"instance": instance.summary()}


@router.post("/instances/{name}/qrcode", summary="Show the next QR code now")
async def rotate_qr(name: str, sim: ControlDep) -> dict[str, Any]:
    instance = sim.get(name)
    if instance.state != "connecting" or not sim.state.whatsapp_reachable:
        raise EvolutionError(409, [f'The "{name}" instance is not showing a QR code'])
    sim.next_qr(instance)
    return instance.qr.body()


@router.post("/instances/{name}/messages", status_code=201, summary="A contact sends a message")
async def inbound(name: str, body: InboundRequest, sim: ControlDep) -> dict[str, Any]:
    instance = sim.get(name)
    picture = None
    if body.type == "image":
        if body.image is None:
            raise EvolutionError(400, ["image is required for type=image"])
        picture = await _picture(body.image)
    msg = messaging.Inbound(
        sender=body.sender,
        push_name=body.push_name,
        text=body.caption if body.type == "image" else (body.text or ""),
        picture=picture,
        addressing=body.addressing,
        group_jid=body.group_jid,
        from_me=body.from_me,
        message_id=body.id,
        deliver_webhook=body.deliver_webhook,
        timestamp=body.timestamp,
    )
    data = messaging.receive(sim, instance, msg)
    if data is None:
        return {"ignored": True, "id": None, "message": None, "image": None}
    return {
        "ignored": False,
        "id": data["key"]["id"],
        "message": data,
        "image": picture.details if picture else None,
    }


@router.delete("/instances/{name}/messages/{message_id}", summary="The sender deletes it")
async def revoke(name: str, message_id: str, sim: ControlDep) -> dict[str, Any]:
    return {"key": messaging.revoke(sim, sim.get(name), message_id)}


@router.post("/instances/{name}/messages/{message_id}/status", summary="A receipt arrives")
async def receipt(
    name: str, message_id: str, body: StatusRequest, sim: ControlDep
) -> dict[str, Any]:
    instance = sim.get(name)
    stored = instance.messages.get(message_id)
    if stored is None:
        raise EvolutionError(404, ["Message not found"])
    messaging.emit_status(sim, instance, stored, body.status)
    return {"keyId": message_id, "status": body.status}


@router.get("/faults", summary="Active fault rules")
async def list_faults(sim: ControlDep) -> list[dict[str, Any]]:
    return sim.state.snapshot()["faults"]  # type: ignore[no-any-return]


@router.post("/faults", status_code=201, summary="Inject a fault into Evolution routes")
async def add_fault(body: FaultRequest, sim: ControlDep) -> dict[str, Any]:
    fault = Fault(**body.model_dump())
    sim.state.faults.append(fault)
    return {"id": fault.id}


@router.delete("/faults", summary="Remove all fault rules")
async def clear_faults(sim: ControlDep) -> dict[str, Any]:
    removed = len(sim.state.faults)
    sim.state.faults.clear()
    return {"removed": removed}


class SinkRequest(_Body):
    status: int = Field(200, ge=100, le=599, description="What the sink answers from now on")


def _sink_view(name: str, sink: Sink) -> dict[str, Any]:
    return {
        "name": name,
        "status": sink.status,
        "received": list(sink.received),
        "headers": list(sink.headers),
    }


@sink_router.post("/{name}", summary="A forwarding destination: answers its status (no key)")
async def sink_receive(name: str, request: Request, sim: SimulatorDep) -> Response:
    sink = sim.state.sinks.setdefault(name[:64], Sink())
    raw = await request.body()
    sink.headers.append({k.lower(): v[:500] for k, v in list(request.headers.items())[:50]})
    try:
        sink.received.append(json.loads(raw) if raw else None)
    except ValueError:
        sink.received.append(raw[:1000].decode("utf-8", "replace"))
    return Response(
        json.dumps({"ok": sink.status < 300}),
        status_code=sink.status,
        media_type="application/json",
    )


@router.put("/sinks/{name}", summary="Set what a forwarding destination answers")
async def sink_set(name: str, body: SinkRequest, sim: ControlDep) -> dict[str, Any]:
    sink = sim.state.sinks.setdefault(name[:64], Sink())
    sink.status = body.status
    return _sink_view(name, sink)


@router.get("/sinks/{name}", summary="What a forwarding destination received")
async def sink_get(name: str, sim: ControlDep) -> dict[str, Any]:
    return _sink_view(name, sim.state.sinks.get(name[:64]) or Sink())

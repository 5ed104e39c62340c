"""The simulated server: instance lifecycle, the simulated phone, and the events it emits.

State machine (CONTRACT §4-§5): instances start ``close``; ``connect`` opens a socket
(``connecting`` + a QR every ``qr_interval`` s, or a pairing code); a scan makes it
``open``; logout and terminal drops (401/402/403/406) close it with ``status.instance``,
``logout.instance`` and ``connection.update close``; other drops reconnect silently.
With WhatsApp unreachable (``state.whatsapp_reachable = False``) an instance keeps
reconnecting and never shows a QR, like the server the recordings were made with.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from typing import Any

import httpx
import structlog

from evodash.simulator import events as ev
from evodash.simulator.config import SimulatorConfig
from evodash.simulator.delivery import WebhookDispatcher
from evodash.simulator.errors import EvolutionError, instance_not_found, reason_phrase
from evodash.simulator.qr import new_pairing_code, new_qr_code, qr_png_data_url
from evodash.simulator.state import Instance, SimulatorState, now_iso

logger = structlog.get_logger(__name__)

TERMINAL_CODES = frozenset({401, 402, 403, 406})
QRS_PER_SOCKET = 6


def connection_data(instance: Instance, state: str, reason: int) -> dict[str, Any]:
    data: dict[str, Any] = {"instance": instance.name}
    if state in ("open", "refused") and instance.owner_jid:
        data["wuid"] = instance.owner_jid
        if instance.profile_name is not None:
            data["profileName"] = instance.profile_name
        data["profilePictureUrl"] = instance.profile_pic_url
    data.update({"state": state, "statusReason": reason})
    return data


class Simulator:
    def __init__(self, config: SimulatorConfig, webhook_client: httpx.AsyncClient | None) -> None:
        self.config = config
        self.state = SimulatorState(config.client_name)
        self.state.whatsapp_reachable = config.whatsapp_reachable
        self.webhooks = WebhookDispatcher(config, self.state, webhook_client)
        self._background: set[asyncio.Task[None]] = set()
        #: Paired instances (they hold WhatsApp credentials and reconnect to ``open``).
        self._paired: set[str] = set()

    # --- plumbing ---------------------------------------------------------------------

    def get(self, name: str) -> Instance:
        instance = self.state.instances.get(name)
        if instance is None:
            raise instance_not_found(name)
        return instance

    def alive(self, instance: Instance) -> bool:
        return self.state.instances.get(instance.name) is instance

    def is_global_key(self, apikey: str | None) -> bool:
        return apikey is not None and apikey == self.config.api_key

    def emit(self, instance: Instance, event: str, data: Any) -> None:
        if instance.zombie:  # a dead socket tells nobody anything
            logger.info("simulator.zombie_silent", instance=instance.name, webhook_event=event)
            return
        self.webhooks.emit(instance, event, data)

    def set_zombie(self, instance: Instance, on: bool, fail_after_ms: int) -> None:
        """The zombie fault: ``open`` on the surface, a dead WhatsApp socket behind."""
        if on and instance.state != "open":
            raise EvolutionError(409, [f'The "{instance.name}" instance is not connected'])
        instance.zombie = on
        instance.zombie_fail_after_ms = fail_after_ms

    async def zombie_call(self, instance: Instance) -> None:
        """What a call that needs WhatsApp meets on a zombie: a long wait, then Baileys'
        "Timed Out" (raised by the caller's route)."""
        deadline = asyncio.get_running_loop().time() + instance.zombie_fail_after_ms / 1000
        # Short naps: a reset or the socket coming back ends the wait (and a server
        # shutting down never waits for a minute-long call).
        while self.alive(instance) and instance.zombie:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return
            await asyncio.sleep(min(left, 0.05))

    def spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    def _run_socket(self, instance: Instance, coro: Coroutine[Any, Any, None]) -> None:
        self._stop_socket(instance)
        instance.task = self.spawn(coro)

    def _stop_socket(self, instance: Instance) -> None:
        task, instance.task = instance.task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    def is_paired(self, instance: Instance) -> bool:
        return instance.id in self._paired

    async def reset(self) -> None:
        for task in list(self._background):
            task.cancel()
        self.webhooks.cancel_all()
        self.state.instances.clear()
        self.state.faults.clear()
        self.state.deliveries.clear()
        self.state.unregistered_numbers.clear()
        self.state.probes.clear()
        self.state.sinks.clear()
        self.state.whatsapp_reachable = self.config.whatsapp_reachable
        self._paired.clear()

    async def aclose(self) -> None:
        for task in list(self._background):
            task.cancel()
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        await self.webhooks.aclose()

    # --- the socket -------------------------------------------------------------------

    def open_socket(self, instance: Instance, number: str | None) -> None:
        """What ``connect`` on a ``close`` instance does: a new Baileys socket."""
        instance.state = "connecting"
        instance.had_socket = True
        instance.socket_base64 = bool(instance.webhook and instance.webhook.base64)
        if number is not None:
            instance.pairing_number = "".join(ch for ch in number if ch.isdigit()) or None
        self.emit(instance, ev.CONNECTION_UPDATE, connection_data(instance, "connecting", 200))
        if not self.state.whatsapp_reachable:
            self._run_socket(instance, self._offline_loop(instance))
        elif self.is_paired(instance):
            self._run_socket(instance, self._reconnect(instance))
        else:
            self.next_qr(instance)
            self._run_socket(instance, self._qr_loop(instance))

    def next_qr(self, instance: Instance) -> bool:
        """Show a new QR (and pairing code); ``False`` when the QR limit ends the attempt."""
        qr = instance.qr
        if qr.count >= self.config.qr_limit:
            self.emit(
                instance,
                ev.QRCODE_UPDATED,
                {"message": "QR code limit reached, please login again", "statusCode": 500},
            )
            self.emit(instance, ev.CONNECTION_UPDATE, connection_data(instance, "refused", 428))
            instance.state = "close"
            qr.count = 0
            return False
        qr.count += 1
        qr.code = new_qr_code()
        qr.base64 = qr_png_data_url(qr.code)
        qr.pairing_code = new_pairing_code() if instance.pairing_number else None
        qr.generated = True
        instance.connection_status = "connecting"
        instance.touch()
        data = {
            "instance": instance.name,
            "pairingCode": qr.pairing_code,
            "code": qr.code,
            "base64": qr.base64,
        }
        self.emit(instance, ev.QRCODE_UPDATED, {"qrcode": data})
        return True

    async def _qr_loop(self, instance: Instance) -> None:
        while self.alive(instance) and instance.state == "connecting":
            await asyncio.sleep(self.config.qr_interval)
            if not (self.alive(instance) and instance.state == "connecting"):
                return
            if not self.state.whatsapp_reachable:
                continue
            if instance.qr.count % QRS_PER_SOCKET == 0:
                # Baileys closes the socket (408) after ~6 refs; Evolution reconnects.
                self.emit(
                    instance, ev.CONNECTION_UPDATE, connection_data(instance, "connecting", 200)
                )
            if not self.next_qr(instance):
                return

    async def _offline_loop(self, instance: Instance) -> None:
        """No route to WhatsApp: a ``connecting`` event every few seconds, no QR, no end."""
        while self.alive(instance) and instance.state == "connecting":
            await asyncio.sleep(self.config.offline_reconnect_interval)
            if not (self.alive(instance) and instance.state == "connecting"):
                return
            self.emit(instance, ev.CONNECTION_UPDATE, connection_data(instance, "connecting", 200))
            if self.state.whatsapp_reachable:
                if self.is_paired(instance):
                    await self._reconnect(instance)
                elif self.next_qr(instance):
                    await self._qr_loop(instance)
                return

    async def _reconnect(self, instance: Instance) -> None:
        await asyncio.sleep(self.config.reconnect_delay)
        if not (self.alive(instance) and instance.state == "connecting"):
            return
        if not self.state.whatsapp_reachable:
            await self._offline_loop(instance)
            return
        self._go_open(instance)

    def _go_open(self, instance: Instance) -> None:
        instance.state = "open"
        instance.connection_status = "open"
        instance.sender = instance.owner_jid
        instance.touch()
        self.emit(instance, ev.CONNECTION_UPDATE, connection_data(instance, "open", 200))

    # --- the phone (control API) ------------------------------------------------------

    def scan(
        self,
        instance: Instance,
        *,
        number: str | None,
        profile_name: str | None,
        profile_picture_url: str | None,
    ) -> None:
        """The user scans the QR (or types the pairing code): the instance becomes open."""
        if instance.state != "connecting" or not self.state.whatsapp_reachable:
            raise EvolutionError(409, [f'The "{instance.name}" instance is not showing a QR code'])
        self._stop_socket(instance)
        owner = "".join(ch for ch in (number or self.config.default_owner_number) if ch.isdigit())
        instance.owner_jid = f"{owner}@s.whatsapp.net"
        instance.profile_name = profile_name or self.config.default_profile_name
        instance.profile_pic_url = profile_picture_url
        self._paired.add(instance.id)
        # WhatsApp forces a restart (515) after pairing: Evolution only says "connecting".
        self.emit(instance, ev.CONNECTION_UPDATE, connection_data(instance, "connecting", 200))
        self._go_open(instance)

    def drop(self, instance: Instance, reason: int) -> None:
        """The connection closes with a Baileys ``DisconnectReason`` code."""
        if instance.state == "close":
            raise EvolutionError(409, [f'The "{instance.name}" instance is not connected'])
        if reason in TERMINAL_CODES:
            self.terminal_close(instance, reason, "Connection Failure")
            return
        instance.state = "connecting"
        self.emit(instance, ev.CONNECTION_UPDATE, connection_data(instance, "connecting", 200))
        if self.is_paired(instance):
            self._run_socket(instance, self._reconnect(instance))
        elif self.state.whatsapp_reachable and self.next_qr(instance):
            self._run_socket(instance, self._qr_loop(instance))
        elif not self.state.whatsapp_reachable:
            self._run_socket(instance, self._offline_loop(instance))

    def terminal_close(self, instance: Instance, code: int, message: str) -> None:
        self._stop_socket(instance)
        self._paired.discard(instance.id)
        at = now_iso()
        boom = {
            "error": {
                "data": None,
                "isBoom": True,
                "isServer": code >= 500,
                "output": {
                    "statusCode": code,
                    "payload": {
                        "statusCode": code,
                        "error": reason_phrase(code),
                        "message": message,
                    },
                    "headers": {},
                },
            },
            "date": at,
        }
        instance.state = "close"
        instance.connection_status = "close"
        instance.disconnection_reason_code = code
        instance.disconnection_object = json.dumps(boom, separators=(",", ":"))
        instance.disconnection_at = now_iso()
        instance.touch()
        status = {
            "instance": instance.name,
            "status": "closed",
            "disconnectionAt": instance.disconnection_at,
            "disconnectionReasonCode": code,
            "disconnectionObject": instance.disconnection_object,
        }
        self.emit(instance, ev.STATUS_INSTANCE, status)
        self.emit(instance, ev.LOGOUT_INSTANCE, None)
        self.emit(instance, ev.CONNECTION_UPDATE, connection_data(instance, "close", code))

    # --- Evolution endpoints ----------------------------------------------------------

    async def connect(self, instance: Instance, number: str | None) -> dict[str, Any]:
        if instance.state == "open":
            return {"instance": {"instanceName": instance.name, "state": "open"}}
        if instance.state == "close":
            self.open_socket(instance, number)
            if self.config.connect_wait:
                await asyncio.sleep(self.config.connect_wait)
        return instance.qr.body()

    def restart(self, instance: Instance) -> dict[str, Any]:
        if instance.state == "close":
            return {"error": True, "message": "[object Object]"}
        if instance.state == "open":
            answer: dict[str, Any] = {"instance": {"instanceName": instance.name, "state": "open"}}
        else:
            answer = instance.qr.body()
        instance.state = "close"
        self.open_socket(instance, None)
        return answer

    def logout(self, instance: Instance) -> dict[str, Any]:
        if instance.state == "close":
            raise EvolutionError(400, [f'The "{instance.name}" instance is not connected'])
        self.terminal_close(instance, 401, f"Log out instance: {instance.name}")
        return {"status": "SUCCESS", "error": False, "response": {"message": "Instance logged out"}}

    def delete(self, instance: Instance) -> dict[str, Any]:
        was_active = instance.state != "close"
        self._stop_socket(instance)
        del self.state.instances[instance.name]
        ids = {"instanceName": instance.name, "instanceId": instance.id}
        self.emit(instance, ev.INSTANCE_DELETE, ids)
        self.emit(instance, ev.REMOVE_INSTANCE, None)
        if was_active:
            # The logout started by a delete finishes after the instance is gone.
            self.terminal_close(instance, 401, f"Log out instance: {instance.name}")
        self._paired.discard(instance.id)
        logger.info("simulator.instance.deleted", instance=instance.name)
        return {"status": "SUCCESS", "error": False, "response": {"message": "Instance deleted"}}

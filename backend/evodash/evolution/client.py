"""The typed async client of Evolution API v2: the only code that speaks its wire format.

Target: Evolution API 2.3.6, channel ``WHATSAPP-BAILEYS`` (``shared/evolution-api/
CONTRACT.md``; where the recordings of a real server disagree with it, they win). The
quirks this module absorbs, so nothing above it has to know them:

* Auth is one ``apikey`` header (global key, or the token of the instance in the path).
  A 404 "instance does not exist" comes *before* the key is checked, and a 403 on create
  means the name is taken, not an auth problem (→ 409).
* Success is 200 or 201 depending on the endpoint. ``connect`` and ``restart`` catch
  their own failures and answer **200** ``{"error": true, "message": "[object Object]"}``;
  any 2xx object with ``"error": true`` is turned into :class:`EvolutionRejected`.
* Errors are ``{status, error, response: {message}}`` where ``message`` is a string, a
  list, a list holding a list, or a list of objects (:func:`flatten_message`); a few
  endpoints put ``message`` at the top level. Unknown routes also answer 404
  (``Cannot PUT /…``): that is a wrong base URL or server version, not a missing instance.
* ``connect`` answers a QR object, ``{"count": 0}`` when no QR arrived within its 2 s
  wait (no QR yet: poll again), or ``{"instance": {"state": "open"}}``; with
  ``?number=`` the QR object carries a pairing code.
* ``webhook/find`` and ``settings/find`` answer JSON ``null`` (an empty body is accepted
  too) when nothing is configured.
* ``create`` with ``qrcode`` waits ~5 s and ``connect`` 2 s plus socket setup: both get at
  least :data:`SLOW_CALL_TIMEOUT`. ``GET /`` makes outbound calls without a timeout on the
  server, so it gets 10-15 s. ``sendText``'s ``delay`` blocks the call for that long.
* ``restart`` is ``POST`` (the public docs say ``PUT``, which is a 404).
* 64-bit integers change encoding between 2.x versions (see ``models.Int64``).

Only idempotent reads (``/``, ``fetchInstances``, ``connectionState``, ``webhook/find``,
``settings/find``) are retried, on connection errors, timeouts and 5xx, with exponential
backoff. Everything else has side effects (``connect`` opens a socket) and is sent once.
No httpx, JSON or pydantic exception leaves this class: callers only see the
:class:`~evodash.evolution.errors.EvolutionError` family.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import SecretStr

from evodash.evolution.errors import flatten_message
from evodash.evolution.models import (
    ActionResult,
    ConnectionState,
    ConnectOutcome,
    ConnectResult,
    CreatedInstance,
    FoundMessages,
    InstanceInfo,
    InstanceSettings,
    MediaBase64,
    NumberCheck,
    SentMessage,
    ServerInfo,
    StoredSettings,
    WebhookConfig,
    WebhookInfo,
    _ActionAnswer,
    _ConnectionStateAnswer,
    _CreateAnswer,
    _FindMessagesAnswer,
    _InstanceList,
    _NumberChecks,
    _QrAnswer,
    _SettingsSetAnswer,
)
from evodash.evolution.transport import (
    DEFAULT_MAX_RESPONSE_BYTES,
    Call,
    M,
    Sleep,
    Transport,
)

INTEGRATION = "WHATSAPP-BAILEYS"
#: Floor of the read timeout of ``create`` and ``connect`` (CONTRACT §4.1, §4.3).
SLOW_CALL_TIMEOUT = 15.0
#: ``GET /`` timeout bounds (CONTRACT §1.1).
ROOT_TIMEOUT_MIN, ROOT_TIMEOUT_MAX = 10.0, 15.0
#: Floor of the read timeout of the media download (the server fetches from WhatsApp's CDN).
MEDIA_TIMEOUT = 30.0
#: The biggest ``findMessages`` page asked for (the server has no maximum).
MAX_FIND_PAGE_SIZE = 500

_CONNECT_QUIRK_HINT = (
    "The instance may not be loaded on the Evolution server; try again, or restart "
    "the Evolution server."
)
_RESTART_QUIRK_HINT = (
    "Restart only works while the instance is open or connecting; use connect instead."
)


class EvolutionClient:
    """Typed access to one Evolution API v2 server with one key.

    ``http`` is the app's shared :class:`httpx.AsyncClient` (the client never closes it).
    ``api_key`` is the server's global key or an instance token; it is sent as the
    ``apikey`` header and never logged. Timeouts and the read retry count default to the
    ``EVOLUTION_*`` settings; ``sleep`` is injectable so tests need not wait.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        api_key: str | SecretStr,
        *,
        timeout: float = 15.0,
        connect_timeout: float = 5.0,
        read_retries: int = 2,
        retry_base_delay: float = 0.5,
        sleep: Sleep = asyncio.sleep,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_media_bytes: int = 20 * 1024 * 1024,
    ) -> None:
        self._timeout = timeout
        self._media_answer_bytes = media_answer_bytes(max_media_bytes)
        key = api_key.get_secret_value() if isinstance(api_key, SecretStr) else api_key
        self._transport = Transport(
            http,
            base_url,
            key,
            connect_timeout=connect_timeout,
            read_retries=read_retries,
            retry_base_delay=retry_base_delay,
            sleep=sleep,
            max_response_bytes=max_response_bytes,
        )

    def __repr__(self) -> str:
        return f"EvolutionClient({self._transport.server!r})"

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    # --- server -------------------------------------------------------------------------

    async def root(self) -> ServerInfo:
        """``GET /``: version and WhatsApp Web version. Needs no key, so proves none."""
        call = Call(
            "GET",
            "/",
            "read the server information",
            read_timeout=min(max(self._timeout, ROOT_TIMEOUT_MIN), ROOT_TIMEOUT_MAX),
            retry=True,
        )
        return await self._ask(ServerInfo, call)

    # --- instances ----------------------------------------------------------------------

    async def create_instance(
        self,
        name: str,
        *,
        token: str | None = None,
        number: str | None = None,
        qrcode: bool | None = None,
        settings: InstanceSettings | None = None,
        webhook: WebhookConfig | None = None,
    ) -> CreatedInstance:
        """``POST /instance/create`` (global key only). ``None`` leaves the server default.

        ``number`` (digits, no ``+``) with ``qrcode=True`` starts pairing-code login.
        """
        body: dict[str, Any] = {"instanceName": _non_empty(name), "integration": INTEGRATION}
        if token is not None:
            body["token"] = token
        if number is not None:
            body["number"] = number
        if qrcode is not None:
            body["qrcode"] = qrcode
        if settings is not None:
            body.update(settings.model_dump(by_alias=True, exclude_none=True))
        if webhook is not None:
            # Create always enables the webhook and ignores ``enabled``.
            body["webhook"] = webhook.model_dump(
                by_alias=True, exclude_none=True, exclude={"enabled"}
            )
        call = Call(
            "POST",
            "/instance/create",
            f'create instance "{name}"',
            read_timeout=max(self._timeout, SLOW_CALL_TIMEOUT),
            body=body,
        )
        answer = await self._ask(_CreateAnswer, call)
        return CreatedInstance(
            instance_name=answer.instance.instance_name,
            instance_id=answer.instance.instance_id,
            integration=answer.instance.integration,
            status=answer.instance.status,
            token=answer.hash,
            webhook=answer.webhook,
            settings=answer.settings,
            qrcode=answer.qrcode.to_result() if answer.qrcode is not None else None,
        )

    async def fetch_instances(self, name: str | None = None) -> list[InstanceInfo]:
        """``GET /instance/fetchInstances[?instanceName=]``: stored rows (status may be stale).

        With ``name``, an instance that is not loaded on the server is
        :class:`EvolutionNotFound`.
        """
        params = {"instanceName": _non_empty(name)} if name is not None else None
        call = Call(
            "GET",
            "/instance/fetchInstances",
            f'fetch instance "{name}"' if name is not None else "list the instances",
            read_timeout=self._timeout,
            params=params,
            retry=True,
        )
        return (await self._ask(_InstanceList, call)).root

    async def connect(self, name: str, *, number: str | None = None) -> ConnectResult:
        """``GET /instance/connect/{name}[?number=]``: QR, pairing code, open, or no QR yet.

        Not retried: every call on a closed instance opens a new socket.
        """
        call = Call(
            "GET",
            _instance_path("/instance/connect", name),
            f'connect instance "{name}"',
            read_timeout=max(self._timeout, SLOW_CALL_TIMEOUT),
            params={"number": number} if number else None,
            error_hint=_CONNECT_QUIRK_HINT,
        )
        return self._connect_result(await self._transport.request(call), call)

    async def connection_state(self, name: str) -> ConnectionState:
        """``GET /instance/connectionState/{name}``: the live state, authoritative."""
        call = Call(
            "GET",
            _instance_path("/instance/connectionState", name),
            f'read the state of instance "{name}"',
            read_timeout=self._timeout,
            retry=True,
        )
        return (await self._ask(_ConnectionStateAnswer, call)).instance

    async def restart(self, name: str) -> ConnectResult:
        """``POST /instance/restart/{name}``: reconnect an open/connecting instance."""
        call = Call(
            "POST",
            _instance_path("/instance/restart", name),
            f'restart instance "{name}"',
            read_timeout=self._timeout,
            error_hint=_RESTART_QUIRK_HINT,
        )
        return self._connect_result(await self._transport.request(call), call)

    async def logout(self, name: str) -> ActionResult:
        """``DELETE /instance/logout/{name}``; a closed instance is rejected (HTTP 400)."""
        call = Call(
            "DELETE",
            _instance_path("/instance/logout", name),
            f'log out instance "{name}"',
            read_timeout=self._timeout,
        )
        return self._action_result(await self._transport.request(call), call)

    async def delete(self, name: str) -> ActionResult:
        """``DELETE /instance/delete/{name}``: removes the instance and all its data."""
        call = Call(
            "DELETE",
            _instance_path("/instance/delete", name),
            f'delete instance "{name}"',
            read_timeout=self._timeout,
        )
        return self._action_result(await self._transport.request(call), call)

    # --- webhook and settings -----------------------------------------------------------

    async def set_webhook(self, name: str, webhook: WebhookConfig) -> WebhookInfo:
        """``POST /webhook/set/{name}``. Restart after changing ``base64`` (CONTRACT §6.1)."""
        call = Call(
            "POST",
            _instance_path("/webhook/set", name),
            f'set the webhook of instance "{name}"',
            read_timeout=self._timeout,
            body={"webhook": webhook.model_dump(by_alias=True, exclude_none=True)},
        )
        return await self._ask(WebhookInfo, call)

    async def find_webhook(self, name: str) -> WebhookInfo | None:
        """``GET /webhook/find/{name}``; ``None`` when no webhook is configured."""
        call = Call(
            "GET",
            _instance_path("/webhook/find", name),
            f'read the webhook of instance "{name}"',
            read_timeout=self._timeout,
            retry=True,
            allow_empty=True,
        )
        data = await self._transport.request(call)
        return None if data is None else self._transport.parse(WebhookInfo, data, call)

    async def set_settings(self, name: str, settings: InstanceSettings) -> InstanceSettings:
        """``POST /settings/set/{name}``; answers the settings as stored."""
        call = Call(
            "POST",
            _instance_path("/settings/set", name),
            f'set the settings of instance "{name}"',
            read_timeout=self._timeout,
            body=settings.model_dump(by_alias=True, exclude_none=True),
        )
        return (await self._ask(_SettingsSetAnswer, call)).settings.settings

    async def find_settings(self, name: str) -> InstanceSettings | None:
        """``GET /settings/find/{name}``; ``None`` when nothing is stored."""
        call = Call(
            "GET",
            _instance_path("/settings/find", name),
            f'read the settings of instance "{name}"',
            read_timeout=self._timeout,
            retry=True,
            allow_empty=True,
        )
        data = await self._transport.request(call)
        if data is None:
            return None
        stored = self._transport.parse(StoredSettings, data, call)
        return InstanceSettings.model_validate(stored.model_dump())

    # --- messages -----------------------------------------------------------------------

    async def send_text(
        self,
        name: str,
        number: str,
        text: str,
        *,
        delay_ms: int | None = None,
        link_preview: bool | None = None,
        quoted_id: str | None = None,
        quoted_text: str | None = None,
        mentions_everyone: bool | None = None,
        mentioned: Sequence[str] | None = None,
    ) -> SentMessage:
        """``POST /message/sendText/{name}``. ``number``: digits or a full JID (``@lid`` ok).

        ``delay_ms`` shows "typing…" first and holds the call that long. ``quoted_id``
        replies to a message (``quoted_text`` spares the server a DB lookup).
        """
        body: dict[str, Any] = {"number": number, "text": text}
        if delay_ms is not None:
            body["delay"] = delay_ms
        if link_preview is not None:
            body["linkPreview"] = link_preview
        if quoted_id is not None:
            quoted: dict[str, Any] = {"key": {"id": quoted_id}}
            if quoted_text is not None:
                quoted["message"] = {"conversation": quoted_text}
            body["quoted"] = quoted
        if mentions_everyone is not None:
            body["mentionsEveryOne"] = mentions_everyone
        if mentioned is not None:
            body["mentioned"] = list(mentioned)
        call = Call(
            "POST",
            _instance_path("/message/sendText", name),
            f'send a text message through instance "{name}"',
            read_timeout=self._timeout + max(0, delay_ms or 0) / 1000,
            body=body,
        )
        return await self._ask(SentMessage, call)

    async def whatsapp_numbers(
        self, name: str, numbers: Sequence[str], *, read_timeout: float | None = None
    ) -> list[NumberCheck]:
        """``POST /chat/whatsappNumbers/{name}``: which ``numbers`` are on WhatsApp. It
        needs the instance's live WhatsApp connection (unless every number is cached), so
        it also proves that connection works. A read: retried when it is safe."""
        call = Call(
            "POST",
            _instance_path("/chat/whatsappNumbers", name),
            f'check numbers on WhatsApp through instance "{name}"',
            read_timeout=read_timeout if read_timeout is not None else self._timeout,
            body={"numbers": list(numbers)},
        )
        return (await self._ask(_NumberChecks, call)).root

    async def get_base64_from_media_message(
        self,
        name: str,
        *,
        message_id: str | None = None,
        message: Mapping[str, Any] | None = None,
        convert_to_mp4: bool = False,
    ) -> MediaBase64:
        """``POST /chat/getBase64FromMediaMessage/{name}``: download and decrypt a media.

        Give exactly one of ``message_id`` (looked up in Evolution's database) or
        ``message`` (the webhook's ``{"key": …, "message": …}``, needs no database).
        """
        if (message_id is None) == (message is None):
            raise ValueError("give exactly one of message_id or message")
        wire_message = {"key": {"id": message_id}} if message is None else dict(message)
        call = Call(
            "POST",
            _instance_path("/chat/getBase64FromMediaMessage", name),
            f'download a media message through instance "{name}"',
            read_timeout=max(self._timeout, MEDIA_TIMEOUT),
            body={"message": wire_message, "convertToMp4": convert_to_mp4},
            max_bytes=self._media_answer_bytes,
        )
        return await self._ask(MediaBase64, call)

    async def find_messages(
        self,
        name: str,
        *,
        since: datetime,
        until: datetime,
        page: int = 1,
        page_size: int = 50,
    ) -> FoundMessages:
        """``POST /chat/findMessages/{name}``: the messages the server stored with a WhatsApp
        time in ``[since, until]`` (both inclusive, to the second), newest first.

        Works whatever the connection state (it reads the server's database). The bounds
        go as ISO-8601 UTC strings: epoch seconds would match nothing, and a missing
        bound would silently drop the filter. ``page`` is 1-based; ``page_size`` is the
        wire's ``offset``. Pages shift when messages are stored meanwhile, and equal
        seconds have no fixed order: dedupe records by ``key.id``.
        """
        if page < 1:
            raise ValueError("page starts at 1")
        if not 1 <= page_size <= MAX_FIND_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_FIND_PAGE_SIZE}")
        if until < since:
            raise ValueError("until is before since")
        body = {
            "where": {"messageTimestamp": {"gte": js_time(since), "lte": js_time(until)}},
            "page": page,
            "offset": page_size,
        }
        call = Call(
            "POST",
            _instance_path("/chat/findMessages", name),
            f'list the stored messages of instance "{name}"',
            read_timeout=max(self._timeout, MEDIA_TIMEOUT),
            body=body,
            retry=True,  # a read, whatever the method
            max_bytes=self._media_answer_bytes,
        )
        return (await self._ask(_FindMessagesAnswer, call)).messages

    # --- answers ----------------------------------------------------------------------

    async def _ask(self, model: type[M], call: Call) -> M:
        return self._transport.parse(model, await self._transport.request(call), call)

    def _connect_result(self, data: Any, call: Call) -> ConnectResult:
        if isinstance(data, dict) and "instance" in data:
            state = self._transport.parse(_ConnectionStateAnswer, data, call).instance.state
            if state == "open":
                return ConnectResult(outcome=ConnectOutcome.ALREADY_OPEN)
            return ConnectResult(outcome=ConnectOutcome.NO_QR_YET)
        return self._transport.parse(_QrAnswer, data, call).to_result()

    def _action_result(self, data: Any, call: Call) -> ActionResult:
        answer = self._transport.parse(_ActionAnswer, data, call)
        message = flatten_message(answer.response.message) if answer.response else ""
        return ActionResult(status=answer.status, message=message)


# --- helpers ----------------------------------------------------------------------------


def media_answer_bytes(max_media_bytes: int) -> int:
    """The byte cap of a media answer: the base64 of ``max_media_bytes`` plus the JSON
    around it (a bigger file would be refused after decoding anyway)."""
    return max_media_bytes * 4 // 3 + 64 * 1024


def js_time(value: datetime) -> str:
    """``2026-12-02T05:43:27.000Z``: what JavaScript's ``Date`` parses as UTC (a naive
    ``value`` is taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _non_empty(name: str) -> str:
    if not name:
        raise ValueError("an instance name must not be empty")
    return name


def _instance_path(prefix: str, name: str) -> str:
    # Names are free text on the server (spaces, slashes…): one quoted path segment. "."
    # and ".." would be dot-segments that HTTP clients resolve away (/instance/connect/..
    # is /instance), so their dots are percent-encoded too; Express decodes them back.
    segment = quote(_non_empty(name), safe="")
    if set(name) == {"."}:
        segment = "%2E" * len(name)
    return f"{prefix}/{segment}"

"""Request validation with the messages of the ``jsonschema`` npm package (1.x).

Evolution validates bodies with that library and turns each error into
``stack.replace("instance.", "")``, or into the schema node's ``description`` when it has
one (CONTRACT §3.2). This module implements the keywords its schemas use, walking the
schema keys in their declared order so errors come out in the same order.
"""

from __future__ import annotations

import json
import re
from typing import Any

from evodash.simulator.events import EVENT_NAMES

_IDENT = re.compile(r"^[a-z_$][0-9a-z_$]*$", re.IGNORECASE)
_MISSING = object()

Schema = dict[str, Any]


def _suffix(key: str | int) -> str:
    if isinstance(key, int):
        return f"[{key}]"
    if _IDENT.match(key):
        return f".{key}"
    return f"[{json.dumps(key)}]"


def _is_type(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    if kind == "null":
        return value is None
    if isinstance(value, bool):
        return False
    if kind == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if kind == "number":
        return isinstance(value, int | float)
    return True


def _js_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _Validator:
    def __init__(self) -> None:
        self.errors: list[tuple[str, Schema]] = []

    def validate(self, value: Any, schema: Schema, path: str) -> None:
        if value is _MISSING:
            return
        for keyword in schema:
            check = getattr(self, f"_kw_{keyword}", None)
            if check is not None:
                check(value, schema, path)

    def _fail(self, path: str, message: str, schema: Schema) -> None:
        self.errors.append((f"{path} {message}", schema))

    def _kw_type(self, value: Any, schema: Schema, path: str) -> None:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is_type(value, k) for k in kinds):
            self._fail(path, f"is not of a type(s) {','.join(kinds)}", schema)

    def _kw_properties(self, value: Any, schema: Schema, path: str) -> None:
        if not isinstance(value, dict):
            return
        for key, sub in schema["properties"].items():
            self.validate(value.get(key, _MISSING), sub, path + _suffix(key))

    def _kw_required(self, value: Any, schema: Schema, path: str) -> None:
        if not isinstance(value, dict):
            return
        for key in schema["required"]:
            if key not in value:
                self._fail(path, f"requires property {json.dumps(key)}", schema)

    def _kw_enum(self, value: Any, schema: Schema, path: str) -> None:
        allowed = schema["enum"]
        if not any(value == a and type(value) is type(a) for a in allowed):
            values = ",".join(_js_string(a) for a in allowed)
            self._fail(path, f"is not one of enum values: {values}", schema)

    def _kw_pattern(self, value: Any, schema: Schema, path: str) -> None:
        if isinstance(value, str) and not re.search(schema["pattern"], value):
            self._fail(path, f"does not match pattern {json.dumps(schema['pattern'])}", schema)

    def _kw_minLength(self, value: Any, schema: Schema, path: str) -> None:
        if isinstance(value, str) and len(value) < schema["minLength"]:
            self._fail(path, f"does not meet minimum length of {schema['minLength']}", schema)

    def _kw_minItems(self, value: Any, schema: Schema, path: str) -> None:
        if isinstance(value, list) and len(value) < schema["minItems"]:
            self._fail(path, f"does not meet minimum length of {schema['minItems']}", schema)

    def _kw_uniqueItems(self, value: Any, schema: Schema, path: str) -> None:
        if isinstance(value, list) and schema["uniqueItems"]:
            seen = [json.dumps(v, sort_keys=True) for v in value]
            if len(set(seen)) != len(seen):
                self._fail(path, "contains duplicate item", schema)

    def _kw_items(self, value: Any, schema: Schema, path: str) -> None:
        if isinstance(value, list):
            for index, item in enumerate(value):
                self.validate(item, schema["items"], path + _suffix(index))

    def _kw_propertyNames(self, value: Any, schema: Schema, path: str) -> None:
        if isinstance(value, dict):
            for key in value:
                self.validate(key, schema["propertyNames"], path)

    def _kw_if(self, value: Any, schema: Schema, path: str) -> None:
        probe = _Validator()
        probe.validate(value, schema["if"], path)
        if not probe.errors and "then" in schema:
            self.validate(value, schema["then"], path)


def validate(body: Any, schema: Schema) -> list[str]:
    """The messages Evolution would put in its 400 (empty when the body is valid)."""
    validator = _Validator()
    validator.validate(body, schema, "instance")
    messages = []
    for stack, node in validator.errors:
        description = node.get("description")
        messages.append(description if description else stack.replace("instance.", "", 1))
    return messages


def _not_empty(*names: str) -> Schema:
    props = {n: {"minLength": 1, "description": f'The "{n}" cannot be empty'} for n in names}
    return {"if": {"propertyNames": {"enum": list(names)}}, "then": {"properties": props}}


_LEGACY_EVENTS = [e for e in EVENT_NAMES[:26] if e != "SEND_MESSAGE_UPDATE"]
_LEGACY_EVENT_LIST: Schema = {
    "type": "array",
    "minItems": 0,
    "items": {"type": "string", "enum": _LEGACY_EVENTS},
}
_BOOL: Schema = {"type": "boolean"}
_STR: Schema = {"type": "string"}

INSTANCE_SCHEMA: Schema = {
    "type": "object",
    "properties": {
        "instanceName": _STR,
        "token": _STR,
        "number": {"type": "string", "pattern": r"^\d+[\.@\w-]+"},
        "qrcode": _BOOL,
        "Integration": {
            "type": "string",
            "enum": ["WHATSAPP-BAILEYS", "WHATSAPP-BUSINESS", "EVOLUTION"],
        },
        "rejectCall": _BOOL,
        "msgCall": _STR,
        "groupsIgnore": _BOOL,
        "alwaysOnline": _BOOL,
        "readMessages": _BOOL,
        "readStatus": _BOOL,
        "syncFullHistory": _BOOL,
        "wavoipToken": _STR,
        "proxyHost": _STR,
        "proxyPort": _STR,
        "proxyProtocol": _STR,
        "proxyUsername": _STR,
        "proxyPassword": _STR,
        "webhookUrl": _STR,
        "webhookByEvents": _BOOL,
        "webhookBase64": _BOOL,
        "webhookEvents": _LEGACY_EVENT_LIST,
        "rabbitmqEnabled": _BOOL,
        "rabbitmqEvents": _LEGACY_EVENT_LIST,
        "sqsEnabled": _BOOL,
        "sqsEvents": _LEGACY_EVENT_LIST,
    },
    **_not_empty("instanceName"),
}

WEBHOOK_SCHEMA: Schema = {
    "type": "object",
    "properties": {
        "webhook": {
            "type": "object",
            "properties": {
                "enabled": _BOOL,
                "url": _STR,
                "headers": {"type": "object"},
                "byEvents": _BOOL,
                "base64": _BOOL,
                "events": {
                    "type": "array",
                    "minItems": 0,
                    "items": {"type": "string", "enum": list(EVENT_NAMES)},
                },
            },
            "required": ["enabled", "url"],
            **_not_empty("enabled", "url"),
        },
    },
    "required": ["webhook"],
}

_SETTINGS_FLAGS = (
    "rejectCall",
    "groupsIgnore",
    "alwaysOnline",
    "readMessages",
    "readStatus",
    "syncFullHistory",
)

SETTINGS_SCHEMA: Schema = {
    "type": "object",
    "properties": {
        "rejectCall": _BOOL,
        "msgCall": _STR,
        "groupsIgnore": _BOOL,
        "alwaysOnline": _BOOL,
        "readMessages": _BOOL,
        "readStatus": _BOOL,
        "syncFullHistory": _BOOL,
        "wavoipToken": _STR,
    },
    "required": list(_SETTINGS_FLAGS),
    **_not_empty(*_SETTINGS_FLAGS),
}

_MENTIONED: Schema = {
    "type": "array",
    "minItems": 1,
    "uniqueItems": True,
    "items": {
        "type": "string",
        "pattern": r"^\d+",
        "description": '"mentioned" must be an array of numeric strings',
    },
}

TEXT_MESSAGE_SCHEMA: Schema = {
    "type": "object",
    "properties": {
        "number": {"type": "string", "description": "Invalid format"},
        "text": _STR,
        "delay": {"type": "integer", "description": "Enter a value in milliseconds"},
        "quoted": {
            "properties": {
                "key": {
                    "type": "object",
                    "properties": {
                        "id": _STR,
                        "remoteJid": _STR,
                        "fromMe": {"type": "boolean", "enum": [True, False]},
                    },
                    "required": ["id"],
                    **_not_empty("id"),
                },
                "message": {"type": "object"},
            },
        },
        "linkPreview": _BOOL,
        "mentionsEveryOne": {"type": "boolean", "enum": [True, False]},
        "mentioned": _MENTIONED,
    },
    "required": ["number", "text"],
}

MEDIA_BASE64_SCHEMA: Schema = {
    "type": "object",
    "properties": {
        "message": {"type": "object"},
        "convertToMp4": _BOOL,
    },
}

PRESENCE_SCHEMA: Schema = {
    "type": "object",
    "properties": {
        "presence": {
            "type": "string",
            "enum": ["unavailable", "available", "composing", "recording", "paused"],
        },
    },
    "required": ["presence"],
}

WHATSAPP_NUMBERS_SCHEMA: Schema = {
    "type": "object",
    "properties": {
        "numbers": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"type": "string"},
        },
    },
}

_NOT_EMPTY_STRING: Schema = {
    "type": "string",
    "minLength": 1,
    "description": "The property cannot be empty",
}

#: findMessages: key's type checks apply only when its properties are all among
#: {id, remoteJid, fromMe} (CONTRACT-chat "Validation"); a non-object body passes.
FIND_MESSAGES_SCHEMA: Schema = {
    "properties": {
        "where": {
            "type": "object",
            "properties": {
                "key": {
                    "type": "object",
                    "if": {"propertyNames": {"enum": ["id", "remoteJid", "fromMe"]}},
                    "then": {
                        "properties": {
                            "id": _NOT_EMPTY_STRING,
                            "remoteJid": _NOT_EMPTY_STRING,
                            "fromMe": {"type": "boolean", "enum": [True, False]},
                        }
                    },
                },
            },
        },
    },
}

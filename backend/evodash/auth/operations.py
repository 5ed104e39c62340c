"""What an API key limited to some operations may do.

Operations are coarse on purpose (an integrator picks them in a form): each request is
one of them, or a plain read that every key may make (instances, servers, figures), or
something else (users, teams, backups, keys…) that a limited key may not do at all.
"""

from __future__ import annotations

import enum
import re

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Operation(enum.StrEnum):
    send_messages = "send_messages"
    read_messages = "read_messages"
    manage_instances = "manage_instances"


#: Reads that belong to no operation: what the instances and figures are.
GENERAL_READ = "read"
#: Anything else: refused to a key limited to some operations.
OTHER = "other"
#: Creating keys: allowed by the key's own ``can_create_keys`` (and never wider than it).
KEYS = "keys"

_SEND = re.compile(r"^/api/instances/\{instance_id\}/messages$")
_MESSAGE_READS = re.compile(
    r"^/api/(messages|jobs|invoices)(/|$)|^/api/instances/\{instance_id\}/messages"
    r"|^/api/reports/senders$"
)
_INSTANCES = re.compile(r"^/api/(instances|servers|bulk-operations)(/|$)")
_GENERAL_READS = re.compile(r"^/api/(instances|servers|stats|reports|ws|auth/me)(/|$)")


def operation_of(method: str, template: str) -> str:
    """The operation of a request; ``template`` is its route's path, such as
    ``/api/instances/{instance_id}``."""
    method = method.upper()
    if method == "POST" and template == "/api/auth/api-keys":
        return KEYS
    if method == "POST" and _SEND.match(template):
        return Operation.send_messages.value
    if method in SAFE_METHODS:
        if _MESSAGE_READS.search(template):
            return Operation.read_messages.value
        if _GENERAL_READS.match(template):
            return GENERAL_READ
        return OTHER
    if _INSTANCES.match(template):
        return Operation.manage_instances.value
    return OTHER


def allowed(operations: list[str], method: str, template: str) -> bool:
    """Whether a key limited to ``operations`` (empty: not limited) may make this request."""
    if not operations:
        return True
    kind = operation_of(method, template)
    return kind in (GENERAL_READ, KEYS) or kind in operations

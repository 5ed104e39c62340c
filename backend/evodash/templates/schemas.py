"""API schemas of fleet templates, their previews and drift."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from evodash.core.params import NOT_BLANK_PATTERN, Flag, Id
from evodash.core.schemas import Schema
from evodash.destinations.schemas import MAX_DESTINATIONS, DestinationCreate
from evodash.instances.schemas import WebhookEvents, WholeId

#: The most numbers a template's allow-list holds.
MAX_TEMPLATE_NUMBERS = 1000
#: The most instances one preview or operation covers.
MAX_TARGETS = 500

#: The Evolution switches a template may set (``settings/set``), in the form's order.
SETTING_FIELDS = (
    "reject_call",
    "msg_call",
    "groups_ignore",
    "always_online",
    "read_messages",
    "read_status",
    "sync_full_history",
)


class TemplateSettings(BaseModel):
    """Evolution settings; a field left out (or null) is not managed by the template."""

    reject_call: Flag | None = Field(default=None, description="Reject incoming calls")
    msg_call: str | None = Field(
        default=None, max_length=100, description="Reply sent to rejected calls"
    )
    groups_ignore: Flag | None = Field(default=None, description="Ignore group messages")
    always_online: Flag | None = Field(default=None, description="Always online (restart)")
    read_messages: Flag | None = Field(default=None, description="Mark messages as read")
    read_status: Flag | None = Field(default=None, description="Read status updates")
    sync_full_history: Flag | None = Field(
        default=None, description="Sync the full history on pairing (restart)"
    )

    def managed(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class TemplateDestinationWrite(DestinationCreate):
    """A relay destination. ``secret_header_name`` without a value keeps the value stored
    for the destination of the same name (when editing a template)."""

    @model_validator(mode="after")
    def _both_or_neither(self) -> TemplateDestinationWrite:
        if self.secret_header_value is not None and self.secret_header_name is None:
            raise ValueError("secret_header_value needs secret_header_name")
        return self


TemplateName = Annotated[
    str, Field(min_length=1, max_length=100, pattern=NOT_BLANK_PATTERN), AfterValidator(str.strip)
]
Numbers = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=64)]],
    Field(
        max_length=MAX_TEMPLATE_NUMBERS,
        description="Phone numbers or JIDs; stored normalized to E.164",
    ),
]
Destinations = Annotated[list[TemplateDestinationWrite], Field(max_length=MAX_DESTINATIONS)]


def _unique_names(value: list[TemplateDestinationWrite] | None) -> Any:
    if value is None:
        return value
    names = [d.name for d in value]
    if len(set(names)) != len(names):
        raise ValueError("each destination needs its own name")
    return value


class TemplateWrite(BaseModel):
    name: TemplateName
    description: str = Field(default="", max_length=500)
    events: WebhookEvents | None = Field(
        default=None,
        description="Events besides the required ones (webhook/set names); null: not managed",
    )
    settings: TemplateSettings = Field(default_factory=TemplateSettings)
    allowed_numbers: Numbers | None = Field(
        default=None, description="The instance's allow-list, exactly; null: not managed"
    )
    destinations: Destinations | None = Field(
        default=None,
        description="The instance's relay destinations, exactly (by name); null: not managed",
    )

    _destinations = field_validator("destinations")(_unique_names)


class TemplateUpdate(BaseModel):
    """Only the fields sent change; ``events``, ``allowed_numbers`` and ``destinations``
    may be set to null (no longer managed)."""

    name: TemplateName | SkipJsonSchema[None] = None
    description: str | SkipJsonSchema[None] = Field(default=None, max_length=500)
    events: WebhookEvents | None = None
    settings: TemplateSettings | SkipJsonSchema[None] = None
    allowed_numbers: Numbers | None = None
    destinations: Destinations | None = None

    _destinations = field_validator("destinations")(_unique_names)

    @field_validator("name", "description", "settings", mode="before")
    @classmethod
    def _no_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("cannot be null; leave the field out to keep it")
        return value


class TemplateDestinationRead(BaseModel):
    name: str
    url: str
    events: list[str]
    secret_header_name: str | None
    has_secret: bool = Field(description="A secret header value is stored (never shown)")
    max_attempts: int
    retry_base_seconds: float
    enabled: bool


class TemplateRead(Schema):
    id: int
    name: str
    description: str
    events: list[str] | None
    settings: TemplateSettings
    allowed_numbers: list[str] | None
    destinations: list[TemplateDestinationRead] | None
    version: int
    linked: int = Field(description="Instances (that the caller sees) it was applied to")
    created_at: datetime
    updated_at: datetime


# --- targets, previews, drift ------------------------------------------------------------


class Targets(BaseModel):
    """Instances by id, or every instance of a team (that the caller sees)."""

    instance_ids: list[WholeId] | None = Field(default=None, min_length=1, max_length=MAX_TARGETS)
    team_id: Id | None = None

    @model_validator(mode="after")
    def _one(self) -> Targets:
        if (self.instance_ids is None) == (self.team_id is None):
            raise ValueError("give instance_ids or team_id")
        return self


class SettingChange(BaseModel):
    field: str
    old: bool | str | None
    new: bool | str | None


class DestinationChange(BaseModel):
    name: str
    action: Literal["create", "update", "remove"]
    fields: list[str] = Field(description="What changes (update); secrets by name only")


class TemplateDiff(BaseModel):
    """What applying the template changes on one instance (empty: nothing)."""

    settings: list[SettingChange] = Field(default_factory=list)
    events_added: list[str] = Field(default_factory=list)
    events_removed: list[str] = Field(default_factory=list)
    numbers_added: list[str] = Field(default_factory=list)
    numbers_removed: list[str] = Field(default_factory=list)
    destinations: list[DestinationChange] = Field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.settings
            or self.events_added
            or self.events_removed
            or self.numbers_added
            or self.numbers_removed
            or self.destinations
        )


class PreviewItem(BaseModel):
    instance_id: int
    name: str = Field(description="The instance's display name")
    ok: bool = Field(description="false: the current state could not be read (see error)")
    changes: TemplateDiff | None
    error: str | None = None
    detail: str | None = None


class PreviewRead(BaseModel):
    template_id: int
    version: int
    items: list[PreviewItem]
    changing: int = Field(description="Instances that would change")
    unchanged: int
    failed: int


class DriftItem(BaseModel):
    instance_id: int
    name: str
    template_id: int
    template_name: str
    in_sync: bool | None = Field(description="null: never checked since it was applied")
    template_changed: bool = Field(description="The template changed since it was applied")
    applied_at: datetime
    checked_at: datetime | None
    differences: TemplateDiff | None
    error: str | None = Field(default=None, description="Why the last check failed")

"""API schemas of bulk operations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, model_validator

from evodash.bulk.models import BulkAction, ItemState, OperationStatus
from evodash.core.params import Flag, Id
from evodash.core.schemas import Schema
from evodash.templates.schemas import Targets


class BulkCreate(Targets):
    """An action over instances (by id, or a team's). ``template`` needs ``template_id``;
    ``delete`` needs ``confirmation``: the number of instances it deletes, typed."""

    action: BulkAction
    template_id: Id | None = None
    confirmation: str | None = Field(
        default=None,
        max_length=20,
        description="delete: the number of instances that will be deleted, as typed",
    )
    keep_history: Flag = Field(
        default=True, description="delete: keep the messages and history of the instances"
    )

    @model_validator(mode="after")
    def _template(self) -> BulkCreate:
        if (self.action is BulkAction.template) != (self.template_id is not None):
            raise ValueError("template_id goes with the action template, and only with it")
        return self


class BulkItemRead(Schema):
    operation_id: int
    instance_id: int
    name: str = Field(description="The instance's display name")
    state: ItemState
    attempts: int
    error: str | None = Field(description="Machine-readable reason of a failure")
    detail: str | None = Field(description="What happened, or why it failed")
    changes: dict[str, Any] | None = Field(
        description="template: what changed (the preview's shape)"
    )
    updated_at: datetime | None


class BulkOperationRead(Schema):
    id: int
    action: BulkAction
    template_id: int | None
    status: OperationStatus
    runs: int = Field(description="How many times it was run (retries included)")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    total: int
    succeeded: int = Field(description="ok and unchanged")
    failed: int
    pending: int
    items: list[BulkItemRead]

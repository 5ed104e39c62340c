"""What a bulk operation does to one instance, per action.

Each step reads what it needs in a short transaction, calls Evolution with none open,
then writes the result (the instance's changes and the item's outcome together) in a
second one. The Evolution and database halves are the instance actions' own
(:mod:`evodash.instances.actions`, :mod:`evodash.instances.service`,
:mod:`evodash.templates.plan`): a bulk disconnect is the disconnect, many times.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from evodash.bulk.models import BulkAction, BulkOperation, ItemState
from evodash.bulk.service import Outcome, RunContext
from evodash.evolution import EvolutionClient
from evodash.instances import actions
from evodash.instances import service as instances
from evodash.instances.errors import InstanceNotFound
from evodash.instances.models import EvolutionInstance
from evodash.instances.webhook_setup import webhook_config
from evodash.templates import plan
from evodash.templates import service as templates

Step = Callable[[RunContext, int], Awaitable[None]]


async def _instance(session: AsyncSession, instance_id: int) -> EvolutionInstance:
    instance = await session.get(EvolutionInstance, instance_id)
    if instance is None or instance.deleted_at is not None:
        raise InstanceNotFound()
    return instance


async def _client(ctx: RunContext, instance_id: int) -> tuple[EvolutionClient, str]:
    async with ctx.db() as session:
        instance = await _instance(session, instance_id)
        client = await instances.client_for_instance(session, ctx.http, ctx.settings, instance)
        return client, instance.name


async def disconnect(ctx: RunContext, instance_id: int) -> None:
    client, name = await _client(ctx, instance_id)
    message = await actions.logout_remote(client, name)
    async with ctx.db() as session:
        instance = await _instance(session, instance_id)
        await actions.record_disconnect(session, instance, actor=ctx.actor, ip=ctx.ip)
        unchanged = message == actions.NOT_CONNECTED
        state = ItemState.unchanged if unchanged else ItemState.ok
        await ctx.finish(session, instance_id, Outcome(state, message))


async def restart(ctx: RunContext, instance_id: int) -> None:
    client, name = await _client(ctx, instance_id)
    await actions.restart_remote(client, name)
    async with ctx.db() as session:
        instance = await _instance(session, instance_id)
        message = await actions.record_restart(session, instance, actor=ctx.actor, ip=ctx.ip)
        await ctx.finish(session, instance_id, Outcome(ItemState.ok, message))


async def delete(ctx: RunContext, instance_id: int) -> None:
    client, name = await _client(ctx, instance_id)
    await instances.delete_remote(client, name, force=False)
    keep_history = bool(ctx.operation.options.get("keep_history", True))
    async with ctx.db() as session:
        instance = await _instance(session, instance_id)
        await instances.record_deleted(
            session,
            instance,
            keep_history=keep_history,
            evolution_error=None,
            actor=ctx.actor,
            ip=ctx.ip,
        )
        await ctx.finish(session, instance_id, Outcome(ItemState.ok, "Deleted."))


async def webhook(ctx: RunContext, instance_id: int) -> None:
    async with ctx.db() as session:
        instance = await _instance(session, instance_id)
        client = await instances.client_for_instance(session, ctx.http, ctx.settings, instance)
        name, config = instance.name, webhook_config(ctx.settings, instance)
    stored = await client.set_webhook(name, config)
    async with ctx.db() as session:
        instance = await _instance(session, instance_id)
        message = await actions.record_webhook(
            session, ctx.settings, instance, stored, actor=ctx.actor, ip=ctx.ip
        )
        await ctx.finish(session, instance_id, Outcome(ItemState.ok, message))


def _template_step(spec: plan.Spec) -> Step:
    async def apply(ctx: RunContext, instance_id: int) -> None:
        async with ctx.db() as session:
            loaded = await plan.load(session, ctx.http, ctx.settings, instance_id)
        found = await plan.observe(spec, loaded)
        remote = plan.diff(spec, loaded, found, ctx.settings)
        stored = await plan.push(spec, loaded, found, remote)
        # The local part is decided again below, on the rows as they are then.
        remote.numbers_added, remote.numbers_removed, remote.destinations = [], [], []
        async with ctx.db() as session:
            changes = await plan.record(
                session, ctx.settings, spec, instance_id, remote, stored, actor=ctx.actor, ip=ctx.ip
            )
            outcome = Outcome(
                ItemState.unchanged if changes.empty else ItemState.ok,
                None,
                changes.model_dump(mode="json"),
            )
            await ctx.finish(session, instance_id, outcome)

    return apply


_STEPS: dict[BulkAction, Step] = {
    BulkAction.disconnect: disconnect,
    BulkAction.restart: restart,
    BulkAction.delete: delete,
    BulkAction.webhook: webhook,
}


async def step_for(session: AsyncSession, operation: BulkOperation) -> Step:
    """The step of ``operation``'s action (a template's as it is now)."""
    action = BulkAction(operation.action)
    if action is BulkAction.template:
        if operation.template_id is None:
            from evodash.templates.errors import TemplateNotFound

            raise TemplateNotFound()
        return _template_step(plan.Spec.of(await templates.get(session, operation.template_id)))
    return _STEPS[action]

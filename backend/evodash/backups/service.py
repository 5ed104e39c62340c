"""Export and import of evodash's configuration (servers, instances with their settings,
allow-lists and relay destinations, users and roles, API keys' metadata, the alert rules
admins changed). Alert channels are not in it: a WhatsApp channel names an instance of
this database, and an SMTP password is better entered again.

An import matches rows by their natural keys (a server by its URL, an instance by its
server and name, a user by username, an API key by its hash), so running it twice changes
nothing the second time; it never deletes. A dry run does the same work inside a
savepoint and rolls it back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from evodash import __version__
from evodash.alerts.models import AlertRule
from evodash.alerts.rules import BOUNDS, PARAMS
from evodash.backups.crypto import ScryptCost, Sealer, WrongPassphrase
from evodash.backups.errors import BackupInvalid, BackupPassphraseWrong, BackupSecretUnreadable
from evodash.backups.schemas import (
    FORMAT,
    AlertRuleBackup,
    ApiKeyBackup,
    Backup,
    DestinationBackup,
    ImportReport,
    InstanceBackup,
    KindCounts,
    ServerBackup,
    UserBackup,
)
from evodash.core.config import Settings
from evodash.core.db import utcnow
from evodash.core.security import decrypt, encrypt, last4
from evodash.destinations.models import ForwardDestination
from evodash.destinations.schemas import MAX_DESTINATIONS
from evodash.instances.models import EvolutionInstance, InstanceStatus
from evodash.instances.webhook_secret import clear_secret, seal
from evodash.servers.models import EvolutionServer
from evodash.users.models import ApiKey, User

INSTANCE_FIELDS = (
    "display_name",
    "evolution_id",
    "webhook_events",
    "allowed_numbers",
    "reply_with_summary",
    "phone_number",
    "owner_jid",
    "profile_name",
    "message_retention_days",
)
DESTINATION_FIELDS = (
    "name",
    "url",
    "events",
    "secret_header_name",
    "max_attempts",
    "retry_base_seconds",
    "enabled",
)
#: The name a legacy ``forward_url`` is imported under.
LEGACY_NAME = "forward_url"
USER_FIELDS = ("email", "role", "is_active", "password_hash")
KEY_FIELDS = ("name", "prefix", "scopes", "expires_at", "revoked_at", "can_create_keys")


def _clear(value: str | None, what: str, app_secret: str) -> str | None:
    if not value:
        return None
    try:
        return decrypt(value, secret=app_secret)
    except ValueError as exc:
        raise BackupSecretUnreadable(
            f"The {what} cannot be decrypted (SECRET_KEY changed since it was saved): "
            "enter it again before exporting."
        ) from exc


async def export_backup(session: AsyncSession, settings: Settings, passphrase: str) -> Backup:
    sealer = Sealer.new(passphrase)
    app_secret = settings.secret()

    def sealed(value: str | None) -> str | None:
        return None if value is None else sealer.seal(value)

    servers = (await session.scalars(select(EvolutionServer).order_by(EvolutionServer.id))).all()
    urls = {s.id: s.base_url for s in servers}
    instances = (
        await session.scalars(
            select(EvolutionInstance)
            .where(EvolutionInstance.deleted_at.is_(None))
            .order_by(EvolutionInstance.id)
        )
    ).all()
    destinations: dict[int, list[ForwardDestination]] = {}
    for d in (
        await session.scalars(select(ForwardDestination).order_by(ForwardDestination.id))
    ).all():
        destinations.setdefault(d.instance_id, []).append(d)
    users = (await session.scalars(select(User).order_by(User.id))).all()
    names = {u.id: u.username for u in users}
    keys = (await session.scalars(select(ApiKey).order_by(ApiKey.id))).all()
    rules = (await session.scalars(select(AlertRule).order_by(AlertRule.kind))).all()
    return Backup(
        format=FORMAT,
        version=1,
        created_at=utcnow(),
        app_version=__version__,
        encryption=sealer.encryption_header(),
        servers=[
            ServerBackup(
                name=s.name,
                base_url=s.base_url,
                api_key=sealer.seal(
                    _clear(s.api_key_encrypted, f'key of server "{s.name}"', app_secret) or ""
                ),
            )
            for s in servers
        ],
        instances=[
            InstanceBackup(
                id=i.id,
                server=urls[i.server_id],
                name=i.name,
                token=sealed(_clear(i.token_encrypted, f'token of "{i.name}"', app_secret)),
                webhook_secret=sealed(_webhook_secret(i, app_secret)),
                destinations=[
                    DestinationBackup(
                        **{f: getattr(d, f) for f in DESTINATION_FIELDS},
                        secret_header_value=sealed(
                            _clear(
                                d.secret_header_value_encrypted,
                                f'secret header of destination "{d.name}" of "{i.name}"',
                                app_secret,
                            )
                        ),
                    )
                    for d in destinations.get(i.id, [])
                ],
                **{f: getattr(i, f) for f in INSTANCE_FIELDS},
            )
            for i in instances
        ],
        users=[
            UserBackup(username=u.username, **{f: getattr(u, f) for f in USER_FIELDS})
            for u in users
        ],
        api_keys=[
            ApiKeyBackup(
                username=names[k.user_id],
                key_hash=k.key_hash,
                created_at=k.created_at,
                **{f: getattr(k, f) for f in KEY_FIELDS},
            )
            for k in keys
        ],
        alert_rules=[
            AlertRuleBackup(kind=r.kind, enabled=r.enabled, params=dict(r.params or {}))
            for r in rules
        ],
    )


def _webhook_secret(instance: EvolutionInstance, app_secret: str) -> str | None:
    try:
        return clear_secret(instance, app_secret) or None
    except ValueError as exc:
        raise BackupSecretUnreadable(
            f'The webhook secret of "{instance.name}" cannot be decrypted (SECRET_KEY changed).'
        ) from exc


def _count(counts: KindCounts, created: bool, changed: bool) -> None:
    if created:
        counts.created += 1
    elif changed:
        counts.updated += 1
    else:
        counts.unchanged += 1


def _assign(row: Any, values: dict[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _secret_differs(current: str | None, wanted: str | None, app_secret: str) -> bool:
    if current is None or wanted is None:
        return current != wanted
    try:
        return decrypt(current, secret=app_secret) != wanted
    except ValueError:
        return True


Opener = Callable[[str | None], str | None]


def _opener(sealer: Sealer) -> Opener:
    def opened(value: str | None) -> str | None:
        return None if value is None else sealer.open(value)

    return opened


def check_passphrase(backup: Backup, passphrase: str) -> Sealer:
    try:
        header = backup.encryption
        cost = ScryptCost(header.n, header.r, header.p)
        return Sealer.for_backup(passphrase, header.salt, header.check, cost)
    except WrongPassphrase as exc:
        raise BackupPassphraseWrong() from exc


def _validate(backup: Backup) -> None:
    urls = [s.base_url for s in backup.servers]
    if len(set(urls)) != len(urls):
        raise BackupInvalid("Two servers have the same URL.")
    missing = {i.server for i in backup.instances} - set(urls)
    if missing:
        raise BackupInvalid(
            f"Instances name servers that are not in the backup: {sorted(missing)}."
        )
    users = {u.username.lower() for u in backup.users}
    if len(users) != len(backup.users):
        raise BackupInvalid("Two users have the same username.")
    if {k.username.lower() for k in backup.api_keys} - users:
        raise BackupInvalid("API keys name users that are not in the backup.")


async def import_backup(
    session: AsyncSession,
    settings: Settings,
    backup: Backup,
    passphrase: str,
    *,
    dry_run: bool,
) -> ImportReport:
    sealer = check_passphrase(backup, passphrase)
    _validate(backup)
    try:
        report = ImportReport(dry_run=dry_run)
        savepoint = await session.begin_nested()
        try:
            await _import(session, settings, backup, _opener(sealer), report)
            await session.flush()
        finally:
            if dry_run:
                await savepoint.rollback()
            else:
                await savepoint.commit()
    except WrongPassphrase as exc:  # a secret sealed with another passphrase: damaged file
        raise BackupInvalid("A secret in the backup does not open with its passphrase.") from exc
    return report


async def _import(
    session: AsyncSession,
    settings: Settings,
    backup: Backup,
    opened: Opener,
    report: ImportReport,
) -> None:
    app_secret = settings.secret()
    servers = await _import_servers(session, backup, opened, report.servers, app_secret)
    await _import_instances(session, backup, servers, opened, report.instances, app_secret)
    users = await _import_users(session, backup, report.users)
    await _import_api_keys(session, backup, users, report.api_keys)
    await _import_alert_rules(session, backup, report.alert_rules)


async def _import_alert_rules(session: AsyncSession, backup: Backup, counts: KindCounts) -> None:
    rows = {r.kind: r for r in (await session.scalars(select(AlertRule))).all()}
    for item in backup.alert_rules:
        params = {
            name: min(max(value, BOUNDS[name][0]), BOUNDS[name][1])
            for name, value in item.params.items()
            if name in PARAMS[item.kind]
        }
        row = rows.get(item.kind.value)
        created = row is None
        if row is None:
            row = AlertRule(kind=item.kind.value, enabled=item.enabled, params=params)
            session.add(row)
        changed = _assign(row, {"enabled": item.enabled, "params": params})
        _count(counts, created, changed)


async def _import_servers(
    session: AsyncSession, backup: Backup, opened: Opener, counts: KindCounts, app_secret: str
) -> dict[str, EvolutionServer]:
    servers = {s.base_url: s for s in (await session.scalars(select(EvolutionServer))).all()}
    for item in backup.servers:
        key = opened(item.api_key) or ""
        row = servers.get(item.base_url)
        created = row is None
        if row is None:
            row = EvolutionServer(base_url=item.base_url, name=item.name, api_key_encrypted="")
            session.add(row)
            servers[item.base_url] = row
        changed = _assign(row, {"name": item.name})
        if _secret_differs(row.api_key_encrypted or None, key, app_secret):
            row.api_key_encrypted = encrypt(key, secret=app_secret)
            row.api_key_last4 = last4(key)
            changed = True
        _count(counts, created, changed)
    await session.flush()
    return servers


async def _import_instances(
    session: AsyncSession,
    backup: Backup,
    servers: dict[str, EvolutionServer],
    opened: Opener,
    counts: KindCounts,
    app_secret: str,
) -> None:
    live = (
        await session.scalars(
            select(EvolutionInstance).where(EvolutionInstance.deleted_at.is_(None))
        )
    ).all()
    by_key = {(i.server_id, i.name): i for i in live}
    taken = set((await session.scalars(select(EvolutionInstance.id))).all())
    explicit_ids = False
    for item in backup.instances:
        server = servers[item.server]
        row = by_key.get((server.id, item.name))
        created = row is None
        if row is None:
            row = EvolutionInstance(
                server_id=server.id, name=item.name, status=InstanceStatus.created.value
            )
            if item.id not in taken:  # keep the id: Evolution's webhook URL names it
                row.id = item.id
                taken.add(item.id)
                explicit_ids = True
            session.add(row)
        changed = _assign(row, {f: getattr(item, f) for f in INSTANCE_FIELDS})
        token = opened(item.token)
        if _secret_differs(row.token_encrypted, token, app_secret):
            row.token_encrypted = None if token is None else encrypt(token, secret=app_secret)
            row.token_last4 = None if token is None else last4(token)
            changed = True
        secret = opened(item.webhook_secret)
        if secret is not None and _secret_differs(row.webhook_secret_encrypted, secret, app_secret):
            seal(row, secret, app_secret)
            changed = True
        await session.flush()
        changed = await _import_destinations(session, row, item, opened, app_secret) or changed
        _count(counts, created, changed)
    await session.flush()
    if explicit_ids and session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('evolution_instance', 'id'), "
                "GREATEST((SELECT max(id) FROM evolution_instance), 1))"
            )
        )


async def _import_destinations(
    session: AsyncSession,
    instance: EvolutionInstance,
    item: InstanceBackup,
    opened: Opener,
    app_secret: str,
) -> bool:
    """Create or update the instance's destinations by name (never delete); a legacy
    ``forward_url`` becomes a destination taking every event unless one has its URL."""
    rows = {
        d.name: d
        for d in (
            await session.scalars(
                select(ForwardDestination).where(ForwardDestination.instance_id == instance.id)
            )
        ).all()
    }
    wanted = list(item.destinations)
    urls = {d.url for d in rows.values()} | {d.url for d in wanted}
    if item.forward_url and item.forward_url not in urls:
        wanted.append(DestinationBackup(name=LEGACY_NAME, url=item.forward_url))
    changed = False
    for d in wanted:
        row = rows.get(d.name)
        if row is None:
            if len(rows) >= MAX_DESTINATIONS:
                raise BackupInvalid(
                    f'Instance "{instance.name}" would have more than {MAX_DESTINATIONS} '
                    "destinations."
                )
            row = ForwardDestination(instance_id=instance.id, name=d.name)
            session.add(row)
            rows[d.name] = row
            changed = True
        changed = _assign(row, {f: getattr(d, f) for f in DESTINATION_FIELDS}) or changed
        value = opened(d.secret_header_value)
        if _secret_differs(row.secret_header_value_encrypted, value, app_secret):
            row.secret_header_value_encrypted = (
                None if value is None else encrypt(value, secret=app_secret)
            )
            changed = True
    return changed


async def _import_users(
    session: AsyncSession, backup: Backup, counts: KindCounts
) -> dict[str, User]:
    users = {u.username.lower(): u for u in (await session.scalars(select(User))).all()}
    for item in backup.users:
        row = users.get(item.username.lower())
        created = row is None
        if row is None:
            row = User(username=item.username, token_version=0)
            session.add(row)
            users[item.username.lower()] = row
        old_hash = row.password_hash
        changed = _assign(row, {f: getattr(item, f) for f in USER_FIELDS})
        if not created and old_hash != row.password_hash:
            row.token_version += 1  # a restored password ends the sessions of the old one
        _count(counts, created, changed)
    await session.flush()
    return users


async def _import_api_keys(
    session: AsyncSession, backup: Backup, users: dict[str, User], counts: KindCounts
) -> None:
    keys = {k.key_hash: k for k in (await session.scalars(select(ApiKey))).all()}
    for item in backup.api_keys:
        owner = users[item.username.lower()]
        row = keys.get(item.key_hash)
        created = row is None
        if row is None:
            row = ApiKey(key_hash=item.key_hash, user_id=owner.id, created_at=item.created_at)
            session.add(row)
        values = {"user_id": owner.id, **{f: getattr(item, f) for f in KEY_FIELDS}}
        _count(counts, created, _assign(row, values))

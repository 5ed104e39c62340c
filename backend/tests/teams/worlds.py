"""Two customers' worlds in one database: team A's and team B's servers, instances,
messages, jobs and history. Everything of B carries the marker, so that a response that
leaks any of it is easy to catch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from evodash.alerts.models import Alert
from evodash.core.db import utcnow
from evodash.instances.models import ConnectionEvent, EvolutionInstance
from evodash.jobs.models import ImageProcessingJob
from evodash.messages.models import WhatsAppMessage
from evodash.servers.models import EvolutionServer
from evodash.teams.models import Team, TeamInstance, TeamMember, TeamServer
from evodash.users.models import User

MARKER = "ZEBRA"


@dataclass(frozen=True)
class World:
    team_a: int
    team_b: int
    server_a: int
    #: Hosts one instance of team A's and one of team B's.
    server_b: int
    #: Team B's alone.
    server_c: int
    #: On server A (held by team A as a whole).
    instance_a: int
    #: On server B, held by team A alone (not its server).
    instance_shared: int
    #: On server B beside the shared one: team B's.
    instance_b_sibling: int
    #: On server C, team B's.
    instance_b: int
    message_a: int
    message_b: int
    job_a: int
    job_b: int


async def build(db: async_sessionmaker[AsyncSession], *, members_a: Sequence[User] = ()) -> World:
    now = utcnow()
    async with db() as s:
        server_a = EvolutionServer(
            name="Servidor A",
            base_url="http://a.example",
            api_key_encrypted="x",
            api_key_last4="aaaa",
        )
        server_b = EvolutionServer(
            name="Servidor B",
            base_url="http://b.example",
            api_key_encrypted="x",
            api_key_last4="bbbb",
        )
        server_c = EvolutionServer(
            name=f"Servidor {MARKER}",
            base_url="http://c.example",
            api_key_encrypted="x",
            api_key_last4="cccc",
        )
        s.add_all([server_a, server_b, server_c])
        await s.flush()
        a = EvolutionInstance(
            server_id=server_a.id, display_name="Loja A", name="loja-a", status="open"
        )
        shared = EvolutionInstance(
            server_id=server_b.id, display_name="Loja Compartilhada", name="loja-c", status="open"
        )
        sibling = EvolutionInstance(
            server_id=server_b.id, display_name=f"Vizinha {MARKER}", name="vizinha", status="open"
        )
        b = EvolutionInstance(
            server_id=server_c.id,
            display_name=f"Loja {MARKER}",
            name=f"loja-{MARKER.lower()}",
            status="close",
            phone_number="5511999990000",
        )
        s.add_all([a, shared, sibling, b])
        await s.flush()
        messages = []
        for instance, text in ((a, "oi da loja A"), (b, f"segredo {MARKER}")):
            message = WhatsAppMessage(
                instance_id=instance.id,
                message_id=f"M-{instance.name}",
                remote_jid="5511988887777@s.whatsapp.net",
                direction="in",
                message_type="conversation",
                text=text,
                sender_name=text,
                wa_timestamp=now - timedelta(minutes=5),
                is_allowed=True,
                raw={"text": text},
            )
            s.add(message)
            messages.append(message)
        s.add(
            ConnectionEvent(
                instance_id=b.id, state="close", previous_state="open", source="webhook", at=now
            )
        )
        for instance, label in ((a, "Loja A"), (b, f"Loja {MARKER}")):
            s.add(
                Alert(
                    rule="down",
                    subject_type="instance",
                    subject_id=instance.id,
                    subject_key=f"instance:{instance.id}",
                    subject_label=label,
                    state="firing",
                    detail=f"{label} caiu",
                    fired_at=now,
                )
            )
        s.add(
            Alert(
                rule="server_unreachable",
                subject_type="server",
                subject_id=server_c.id,
                subject_key=f"server:{server_c.id}",
                subject_label=f"Servidor {MARKER}",
                state="firing",
                fired_at=now,
            )
        )
        jobs = [ImageProcessingJob(instance_id=a.id, status="succeeded")]
        jobs.append(ImageProcessingJob(instance_id=b.id, status="failed", error=f"erro {MARKER}"))
        s.add_all(jobs)
        team_a = Team(name="Cliente A")
        team_b = Team(name=f"Cliente {MARKER}")
        s.add_all([team_a, team_b])
        await s.flush()
        s.add_all(
            [
                TeamServer(team_id=team_a.id, server_id=server_a.id),
                TeamInstance(team_id=team_a.id, instance_id=shared.id),
                TeamInstance(team_id=team_b.id, instance_id=b.id),
                TeamInstance(team_id=team_b.id, instance_id=sibling.id),
                *[TeamMember(team_id=team_a.id, user_id=u.id) for u in members_a],
            ]
        )
        await s.commit()
        return World(
            team_a=team_a.id,
            team_b=team_b.id,
            server_a=server_a.id,
            server_b=server_b.id,
            server_c=server_c.id,
            instance_a=a.id,
            instance_shared=shared.id,
            instance_b_sibling=sibling.id,
            instance_b=b.id,
            message_a=messages[0].id,
            message_b=messages[1].id,
            job_a=jobs[0].id,
            job_b=jobs[1].id,
        )

"""The only writers of client messages: recorded from a domain event in the transaction that
consumes it; the channels a client refused."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifications.client_messages import templates
from services.notifications.client_messages.models import ClientChannels, ClientChannelsRead, ClientMessage, ClientMessageRead
from services.notifications.models import ClientView
from shared.clock import now
from shared.contracts import (
    ASSESSMENT_SCHEDULED,
    CASE_CLOSED,
    DOMAIN_EVENTS,
    MEASURE_COMPLETED,
    MEASURE_STARTED,
    PLAN_ENDED,
    PLAN_MADE,
    PLAN_REVIEWED,
    from_record,
)
from shared.subscription import parse_data
from shared.envelope import Envelope

# Closures the client hears of: a registration found not eligible never started a path to end.
NOT_TOLD_CLOSURES = frozenset({"not_eligible"})


def kind_of(event_type: str, data: dict[str, Any]) -> str | None:
    """Which message a domain event makes, if any."""
    if event_type == ASSESSMENT_SCHEDULED:
        return "assessment_rescheduled" if data.get("rescheduled") else "assessment_invited"
    if event_type == PLAN_ENDED:
        # A plan ended by the case's closure: the closure's message says it all.
        return "plan_ended" if data.get("reason") == "time_limit" else None
    if event_type == CASE_CLOSED:
        return None if data.get("reason") in NOT_TOLD_CLOSURES else "case_closed"
    return {
        PLAN_MADE: "plan_made", MEASURE_STARTED: "measure_started", PLAN_REVIEWED: "plan_reviewed",
        # A completed service: its feedback question waits on the client's page (feedback/).
        MEASURE_COMPLETED: "measure_completed",
    }.get(event_type)


def sms_number(phone: str) -> str:
    """+358 40 123 4567 / 040 1234567 → +358401234567."""
    digits = phone.replace(" ", "")
    return "+358" + digits[1:] if digits.startswith("0") else digits


class ClientNotYetKnown(Exception):
    """The client's record has not arrived yet (another queue): the event is retried."""


async def record_messages(session: AsyncSession, event: Envelope) -> list[ClientMessage]:
    """The messages a domain event makes for its client: one per channel the client has and did
    not refuse, or one `not_sent` when there is none, so staff see the client was not told."""
    data = parse_data(DOMAIN_EVENTS[event.type], event).model_dump(mode="json")
    kind = kind_of(event.type, data)
    if kind is None:
        return []
    client = await session.get(ClientView, UUID(str(data["client_id"])))
    if client is None:
        raise ClientNotYetKnown(f"client {data['client_id']} not recorded yet")
    language, interpreter_needed = templates.language_of(client, data["municipality_code"])
    text = templates.render(kind, data, data["municipality_code"], language)
    channels = [
        (channel, to)
        for channel, to in (("sms", client.phone and sms_number(client.phone)), ("email", client.email))
        if to and channel not in client.refused_channels
    ]
    at = now()
    messages = [
        ClientMessage(
            id=uuid.uuid5(uuid.NAMESPACE_URL, f"kotopolku:client-message:{event.id}:{channel}"),
            case_id=UUID(str(data["case_id"])),
            client_id=client.client_id,
            municipality_code=data["municipality_code"],
            kind=kind,
            channel=channel,
            language=language,
            interpreter_needed=interpreter_needed,
            to=to,
            subject=templates.subject(language) if channel == "email" else None,
            text=text,
            state="pending" if channel != "none" else "not_sent",
            next_attempt_at=at,
            created_at=at,
        )
        for channel, to in channels or [("none", None)]
    ]
    for message in messages:
        if await session.get(ClientMessage, message.id) is None:
            session.add(message)
    return messages


def reason(message: ClientMessage) -> str:
    """`client_message.<kind>`, or what staff must act on first: a language the client may not
    read, no channel, a failure, a refused channel."""
    if message.interpreter_needed:
        return "client_message.interpreter_needed"
    if message.state in ("not_sent", "failed", "refused"):
        return f"client_message.{message.state}"
    return f"client_message.{message.kind}"


async def messages_of_case(session: AsyncSession, case_id: UUID) -> list[ClientMessageRead]:
    rows = await session.exec(select(ClientMessage).where(ClientMessage.case_id == case_id).order_by(ClientMessage.created_at))
    return [
        from_record(ClientMessageRead, row, at=row.sent_at or row.created_at, reason=reason(row))
        for row in rows
    ]


def channels_read(client: ClientView) -> ClientChannelsRead:
    return ClientChannelsRead(refused=client.refused_channels, sms=bool(client.phone), email=bool(client.email))


async def set_channels(session: AsyncSession, client: ClientView, channels: ClientChannels) -> ClientChannelsRead:
    """The client refuses these channels (and accepts the others again); what waits on a refused
    channel is not sent."""
    client.refused_channels = sorted(set(channels.refused))
    session.add(client)
    if client.refused_channels:
        waiting = await session.exec(
            select(ClientMessage).where(
                ClientMessage.client_id == client.client_id,
                ClientMessage.state == "pending",
                ClientMessage.channel.in_(client.refused_channels),
            )
        )
        for message in waiting:
            message.state = "refused"
            session.add(message)
    return channels_read(client)

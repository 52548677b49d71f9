"""A service's subscriptions: a durable queue, its bindings and a handler per event type
(shared/consumer.py consumes them), the handlers' way to refuse an event, and who an event is about
(its consumer's lane, and which events may share a transaction).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Awaitable, Callable, TypeVar

from pydantic import BaseModel, ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.envelope import Envelope, InvalidEvent, describe_errors

ModelT = TypeVar("ModelT", bound=BaseModel)


class Rejected(Exception):
    """The event can never be processed as it is; the text says why (goes to the dead letter)."""


def parse_data(model: type[ModelT], event: Envelope) -> ModelT:
    """The event's data as the model, or Rejected naming every bad field."""
    try:
        return model.model_validate(event.data)
    except ValidationError as error:
        raise Rejected(f"data of {event.type} is invalid: {describe_errors(error)}") from None


# A handler returns nothing; one of a subscription `inbox_only_when_written` says whether it wrote.
Handler = Callable[[AsyncSession, Envelope], Awaitable[bool | None]]
ContextT = TypeVar("ContextT")
ServiceHandler = Callable[[ContextT, AsyncSession, Envelope], Awaitable[None]]


@dataclass
class Subscription:
    """One durable queue of a service, bound to an exchange, with a handler per event type."""

    queue: str
    bindings: list[tuple[str, str]]  # (exchange, routing key pattern)
    handlers: dict[str, Handler]
    dead_letter_queue: str = ""
    on_committed: Callable[[Envelope], Awaitable[None]] | None = None  # e.g. wake live streams
    # A service with a second queue for the same events (webhooks, client messages beside the case
    # projection) keeps that queue's processed events apart: the inbox row's source is prefixed.
    inbox_scope: str = ""
    # An event its handler wrote nothing for (it returns False) leaves no inbox row either, so that
    # it costs no write: for handlers to which the same event coming again is harmless when it
    # changed nothing the first time (the webhooks: most events are wanted by no subscription).
    inbox_only_when_written: bool = False
    max_attempts: int = 6
    retry_delays: list[float] = field(default_factory=lambda: [1, 5, 30, 120, 600])  # seconds

    def __post_init__(self) -> None:
        self.dead_letter_queue = self.dead_letter_queue or f"{self.queue}.dead"

    @classmethod
    def of_service(
        cls, ctx: ContextT, queue: str, exchange: str, handlers: dict[str, ServiceHandler[ContextT]],
        *, routing_keys: list[str] | None = None, **options: Any,
    ) -> Subscription:
        """The convention of every service's handlers.py: module-level `handler(ctx, session, event)`
        functions by event type, given the service's context; the queue is bound to `exchange` for
        each event type they handle, or for `routing_keys` when given."""
        return cls(
            queue=queue,
            bindings=[(exchange, key) for key in (routing_keys or handlers)],
            handlers={event_type: partial(handler, ctx) for event_type, handler in handlers.items()},
            **options,
        )

    def retry_queue(self, delay: float) -> str:
        """One delay queue per pause: messages in a queue expire in order, so a queue where all
        wait equally long never holds a short wait behind a long one."""
        return f"{self.queue}.retry.{round(delay * 1000)}ms"


# Where an event names the person it is about: its data itself, or the data's `person_ref` / `person`.
PERSON_KEYS = ("external_ref", "personal_identity_code", "client_id")


def person_of(event: Envelope) -> str:
    """The identity of the person the event is about, as it names them ("" when it names none).
    `external_ref` is the source's own reference, so it counts together with the source."""
    data = event.data if isinstance(event.data, dict) else {}
    for holder in (data, data.get("person_ref"), data.get("person")):
        if not isinstance(holder, dict):
            continue
        for key in PERSON_KEYS:
            value = holder.get(key)
            if value and isinstance(value, (str, int)):
                scope = event.source if key == "external_ref" else ""
                return f"{key}|{scope}|{value}"
    return ""


def lane_of(event: Envelope | InvalidEvent, lanes: int) -> int:
    """A stable lane for the person (a crc32: the same in every process and run); lane 0 for
    events naming no one and for unreadable messages."""
    person = person_of(event) if isinstance(event, Envelope) else ""
    return zlib.crc32(person.encode()) % lanes if person else 0

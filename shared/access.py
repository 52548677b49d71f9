"""Reads of personal data reach the access log (docs/access-log.md).

The log is the notifications service's; a service that shows staff personal data from its own
tables (intake's reviews and notices, the assessment, the plan) tells it through its outbox: one
`personal_data.read` event per request, naming who, when, how, and which records — never the data
itself. The caller commits (a read that fails before its commit leaves no event: nothing was shown).
"""

from __future__ import annotations

from typing import Iterable, Mapping

from urllib.parse import urlencode

from sqlmodel.ext.asyncio.session import AsyncSession

from shared.auth import StaffUser
from shared.clock import now
from shared.contracts import INTERNAL_EXCHANGE, PERSONAL_DATA_READ, PersonalDataRead, RecordRead, service_source
from shared.messaging import publish

__all__ = ["RecordRead", "log_reads", "list_query"]


def list_query(params: Mapping[str, object]) -> str | None:
    """A list's filters as the log shows them (`status=open&municipality=109`), paging left out."""
    filters = {name: value for name, value in params.items() if value is not None and name not in ("page", "page_size")}
    return urlencode(filters) or None


def log_reads(
    session: AsyncSession, *, service: str, user: StaffUser, action: str, records: Iterable[RecordRead], query: str | None = None
) -> None:
    """Put in the outbox that `user` was shown these records (nothing when there were none)."""
    records = list(records)
    if not records:
        return
    publish(
        session,
        type=PERSONAL_DATA_READ,
        source=service_source(service),
        data=PersonalDataRead(user_sub=user.sub, user_name=user.name, at=now(), action=action, query=query, records=records),
        exchange=INTERNAL_EXCHANGE,
    )

"""How a client proves who they are to their page: the one seam a strong identification replaces.

Today: `LinkAndCode` — a one-time link sent on one channel and a six-digit code on the other
(service.py). Later: an OIDC provider such as Suomi.fi e-Identification would implement the same
protocol — after its code flow, `identify` maps the verified person to their client record and the
page opens the same session; the page's data API (api.py) reads only `ClientIdentity` and never
knows which method was used (docs/client-page.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession


@dataclass(frozen=True)
class ClientIdentity:
    """Whom a page session belongs to: the client and the case they see."""

    link_id: UUID
    client_id: UUID
    case_id: UUID
    municipality_code: str


class ClientIdentification(Protocol):
    async def identify(self, session: AsyncSession, credentials: dict[str, str]) -> tuple[ClientIdentity, str]:
        """The client the credentials prove, and a new page session's secret; raises Refused when
        they prove nothing (never saying which part was wrong beyond the code)."""
        ...

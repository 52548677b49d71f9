"""The only writers of the planning service's tables and outbox."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlmodel.ext.asyncio.session import AsyncSession

from services.planning.models import ServiceReportRecord
from shared.contracts import ServiceReport


async def record_service_report(session: AsyncSession, report: ServiceReport) -> None:
    session.add(ServiceReportRecord(**report.model_dump(), received_at=datetime.now(timezone.utc)))

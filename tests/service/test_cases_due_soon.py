"""The case list's `due_within_days` filter on a bare projection: what falls due in the next 7 or
30 days across the user's municipalities, from the projection's deadlines (never Temporal)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from services.notifications import service
from services.notifications.app import MIGRATIONS
from services.notifications.models import CaseFilters
from shared.auth import StaffUser
from shared.clock import today
from shared.contracts import CaseChanged, Deadline
from shared.db import Database
from shared.pagination import Pagination


def change(municipality: str, stage: str, status: str, due_in: list[tuple[str, int]]) -> CaseChanged:
    deadlines = sorted((Deadline(kind=kind, due_on=today() + timedelta(days=days)) for kind, days in due_in), key=lambda d: d.due_on)
    return CaseChanged(
        case_id=uuid.uuid4(), client_id=uuid.uuid4(), municipality_code=municipality, stage=stage, status=status,
        next_deadline=deadlines[0] if deadlines else None, deadlines=deadlines,
        changed_at=datetime.now(timezone.utc), reason="test",
    )


async def test_due_within_days_lists_open_cases_with_a_deadline_in_the_window_across_the_users_municipalities(tmp_path):
    database = Database("notifications", f"sqlite+aiosqlite:///{tmp_path / 'notifications.db'}")
    await database.migrate(MIGRATIONS)
    cases = {
        "review_in_3_days": change("109", "follow_up", "plan_active", [("plan_review", 3), ("plan_end", 200)]),
        "plan_start_in_7_days_vaasa": change("905", "planning", "awaiting_plan", [("plan_start", 7)]),
        "referral_in_20_days": change("109", "follow_up", "plan_active", [("plan_referral", 20), ("plan_review", 170)]),
        "passed_yesterday": change("109", "assessment", "assessment_overdue", [("assessment_start", -1)]),
        "assessment_in_45_days": change("109", "assessment", "awaiting_assessment", [("assessment_start", 45)]),
        "no_deadline": change("109", "closed", "employed", []),
        "other_municipality_in_2_days": change("091", "planning", "awaiting_plan", [("plan_start", 2)]),
    }
    user = StaffUser(sub="kaisa", roles=["coordinator"], municipalities=["109", "905"])
    try:
        async with database.session() as session:
            for update in cases.values():
                await service.apply_case_changed(session, update)
            await session.commit()
        names = {update.case_id: name for name, update in cases.items()}

        async def listed(**filters) -> list[str]:
            async with database.session() as session:
                page = await service.list_cases(session, user, CaseFilters(**filters), Pagination(page=1, page_size=50))
            return [names[view.case_id] for view, _client in page.items]

        assert await listed(due_within_days=7) == ["passed_yesterday", "review_in_3_days", "plan_start_in_7_days_vaasa"]
        assert await listed(due_within_days=30) == ["passed_yesterday", "review_in_3_days", "plan_start_in_7_days_vaasa", "referral_in_20_days"]
        assert await listed(due_within_days=0) == ["passed_yesterday"]
        assert len(await listed()) == 6  # without the filter: every case of the user's municipalities
    finally:
        await database.dispose()

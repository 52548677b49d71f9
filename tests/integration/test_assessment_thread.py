"""The assessment against real RabbitMQ, a real Temporal dev server and a database: a registration
starts the client's path, the path starts the `Assessment` child, staff commands reach it as
updates (what the HTTP routes call), and the case in the projection moves on to planning."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import pytest
from sqlmodel import select

from services.assessment import commands as c
from services.assessment.models import Assessment
from shared.clock import today
from shared.contracts import assessment_workflow_id
from shared.clock import today as finnish_today
from support import event, eventually, publish, registration, running, token, with_identity_code




async def test_registration_to_a_completed_assessment_and_the_plan_start_deadline(settings, amqp_url):
    registered_on = finnish_today()
    async with running(settings) as (runtime, http):
        await publish(amqp_url, event(with_identity_code(registration(municipality_code="109", registered_on=registered_on))))
        staff = token(settings, "109")

        async def awaiting():
            items = (await http.get("/api/v1/cases", headers=staff)).json()["items"]
            return [item for item in items if item["status"] == "awaiting_assessment"]

        [case] = await eventually(awaiting, what="the case awaiting its assessment")
        handle = runtime.temporal.get_workflow_handle(assessment_workflow_id(case["case_id"]))
        await eventually(lambda: _running(handle), what="the assessment child workflow")

        actor = c.Actor(sub="kaisa", name="Kaisa Virtanen")
        started = await handle.execute_update(c.START, c.Command(actor=actor, today=today()), result_type=c.CommandResult)
        assert started.status == "assessment_in_progress"
        completed = await handle.execute_update(
            c.COMPLETE,
            c.Command(actor=actor, today=today(), complete=c.CompleteAssessment(plan_needed=True, plan_type="individual", literacy="literate")),
            result_type=c.CommandResult,
        )
        assert completed.status == "awaiting_plan"

        plan_start = {"kind": "plan_start", "due_on": (today() + timedelta(days=14)).isoformat()}

        async def in_planning():
            detail = (await http.get(f"/api/v1/cases/{case['case_id']}", headers=staff)).json()
            return detail if detail["status"] == "awaiting_plan" else None

        detail = await eventually(in_planning, what="the case in planning")
        assert detail["stage"] == "planning"
        assert detail["next_deadline"] == plan_start
        assert plan_start in detail["deadlines"]
        assert [entry["status"] for entry in detail["timeline"]][-3:] == ["awaiting_assessment", "assessment_in_progress", "awaiting_plan"]

        # The assessment service's own record: who did what, and what the figures need.
        async with runtime.contexts["assessment"].db.session() as session:
            [row] = (await session.exec(select(Assessment).where(Assessment.case_id == UUID(case["case_id"])))).all()
        assert (row.status, row.plan_needed, row.plan_type, row.started_on, row.completed_on) == (
            "completed", True, "individual", today(), today()
        )
        assert (row.municipality_code, row.residence_basis, row.gender, row.native_language) == ("109", "international_protection", "female", "so")
        assert row.parts == {"literacy": "literate"}
        assert [action["action"] for action in row.actions] == ["opened", "started", "completed"]
        assert row.actions[-1]["name"] == "Kaisa Virtanen"


async def _running(handle) -> bool:
    try:
        return (await handle.describe()).status.name == "RUNNING"
    except Exception:
        return False

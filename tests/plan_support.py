"""What the plan workflow tests share: the default timings, the stand-in activities, starting a
plan alone or a client's path up to its plan, and giving the plan commands."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime, timedelta

from services.assessment import commands as ac
from services.assessment.workflows import AssessmentWorkflow
from services.intake.workflows import ClientPathInput, ClientPathWorkflow
from services.planning import commands as c
from services.planning.workflows import IntegrationPlanWorkflow
from shared.clock import FINNISH_TIME
from shared.contracts import (
    LANGUAGE_NEEDS_SIGNAL,
    AssessmentInput,
    AssessmentMoved,
    AssessmentTimings,
    LanguageNeedsChanged,
    PlanInput,
    PlanOutcome,
    assessment_workflow_id,
    plan_workflow_id,
    task_queue,
)
from shared.policy import load_policy, plan_timings
from workflow_support import RecordedActivities, env_today

TIMINGS = plan_timings(load_policy().default)  # 14 days, 1, 6, 12 and 24 months, reminders 14 and 3 days, 70 hours
ACTOR = c.Actor(sub="caseworker-1", name="Kaisa Virtanen")


class Recorded(RecordedActivities):
    def told(self) -> list[tuple[str, str, str]]:
        return [(n.kind, n.recipient_role, n.params.get("deadline_kind", "")) for n in self.notifications]


async def given(env, **overrides) -> PlanInput:
    today = await env_today(env)
    values = dict(
        client_id=uuid.uuid4(),
        case_id=uuid.uuid4(),
        municipality_code="109",
        assessment_completed_on=today,
        plan_start_due_on=today + timedelta(days=TIMINGS.plan_start_days),
        timings=TIMINGS,
        plan_type="individual",
        client_languages=["so", "en"],
    )
    return PlanInput(**{**values, **overrides})


async def start(env, plan: PlanInput):
    return await env.client.start_workflow(IntegrationPlanWorkflow.run, plan, id=plan_workflow_id(plan.case_id), task_queue=task_queue("planning"))


async def command(env, **body) -> c.Command:
    return c.Command(actor=ACTOR, today=await env_today(env), **body)


async def update(handle, name: str, cmd: c.Command) -> c.CommandResult:
    return await handle.execute_update(name, cmd, result_type=c.CommandResult)


async def state(handle):
    return await handle.query(IntegrationPlanWorkflow.current)


async def made(env, handle, **body) -> c.CommandResult:
    return await update(handle, c.MAKE, await command(env, make=c.MakePlan(type="individual", **body)))


def new_path_input(today: date, **fields) -> ClientPathInput:
    """A new client's path input, its assessment's with it (due in 60 days, overdue from that day);
    `fields` set the path's own."""
    client_id, case_id = uuid.uuid4(), uuid.uuid4()
    assessment = AssessmentInput(
        client_id=client_id, case_id=case_id, municipality_code="109", became_client_on=today, due_on=today + timedelta(days=60),
        timings=AssessmentTimings(reminder_days=[14], escalation_days=14, interview_reminder_days=1, plan_start_days=14),
    )
    return ClientPathInput(**{
        "client_id": client_id, "case_id": case_id, "municipality_code": "109", "reason": "test", "assessment_due_on": assessment.due_on,
        "assessment_overdue_at": datetime.combine(assessment.due_on, datetime.min.time(), tzinfo=FINNISH_TIME),
        "coordinator_escalation_after": timedelta(days=14), "assessment": assessment, "plan": TIMINGS, **fields,
    })


async def start_beside(env, path_input: ClientPathInput):
    """The assessment beside its path, as intake's relay starts it."""
    assert path_input.assessment is not None
    given = path_input.assessment.model_copy(update={"path_workflow_id": f"client-{path_input.client_id}"})
    return await env.client.start_workflow(
        AssessmentWorkflow.run, given, id=assessment_workflow_id(path_input.case_id), task_queue=task_queue("assessment")
    )


async def path_with_plan(env, recorded: Recorded, timings=TIMINGS, *, moved_during_assessment_to: str | None = None,
                         interpreter: tuple[str, str | None] | None = None, language_needs: LanguageNeedsChanged | None = None,
                         beside: bool = False):
    """A path whose assessment is completed with a plan needed, and whose plan has started (the
    client moving first, if told; with the interpreter need recorded at registration, and staff
    changing it during the assessment, if given). The path starts its assessment as its child, or,
    `beside`, both start as intake starts them today."""
    today = await env_today(env)
    path_input = new_path_input(
        today, reason="fi.kotopolku.resident.registered.v1",
        assessment_overdue_at=datetime.combine(today + timedelta(days=61), datetime.min.time(), tzinfo=FINNISH_TIME),
        plan=timings, client_languages=["so", "en"],
        interpreter_language=interpreter[0] if interpreter else None, interpreter_dialect=interpreter[1] if interpreter else None,
        assessment_beside=beside,
    )
    client_id, case_id = path_input.client_id, path_input.case_id
    path = await env.client.start_workflow(ClientPathWorkflow.run, path_input, id=f"client-{client_id}", task_queue=task_queue("intake"))
    if beside:
        await start_beside(env, path_input)
    assessment_handle = env.client.get_workflow_handle(assessment_workflow_id(case_id))
    await described(assessment_handle)
    actor = ac.Actor(sub="cw", name="Kaisa")
    if language_needs is not None:
        await path.signal(LANGUAGE_NEEDS_SIGNAL, language_needs)
    if moved_during_assessment_to:
        await assessment_handle.signal(ac.MOVED, AssessmentMoved(to_municipality_code=moved_during_assessment_to, moved_on=today))
        # Staff start it once it has re-opened there (while it moves, it refuses commands).
        for _ in range(200):
            now = await assessment_handle.query(AssessmentWorkflow.state)
            if (now.municipality_code, now.status) == (moved_during_assessment_to, "awaiting"):
                break
            await asyncio.sleep(0.05)
    await assessment_handle.execute_update(ac.START, ac.Command(actor=actor, today=today), result_type=ac.CommandResult)
    await assessment_handle.execute_update(
        ac.COMPLETE, ac.Command(actor=actor, today=today, complete=ac.CompleteAssessment(plan_needed=True, plan_type="individual")),
        result_type=ac.CommandResult,
    )
    plan = env.client.get_workflow_handle(plan_workflow_id(case_id), result_type=PlanOutcome)
    await described(plan)
    return path, plan, case_id


async def described(handle) -> None:
    for _ in range(200):
        try:
            await handle.describe()
            return
        except Exception:
            await asyncio.sleep(0.05)
    raise AssertionError(f"{handle.id} did not start")

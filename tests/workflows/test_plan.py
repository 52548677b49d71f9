"""The integration plan workflow on Temporal's time-skipping server (months pass in milliseconds),
with the production worker set-up and stand-ins for the activities it calls (the planning
service's own and intake's `record_case_change`). The plan within the client's path:
test_plan_in_path.py."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta


from services.planning import commands as c
from services.planning.workflows import IntegrationPlanWorkflow
from shared.contracts import (
    PlanOutcome,
    ServiceReport,
    plan_workflow_id,
)
from shared.i18n import MESSAGES
from shared.policy import add_months
from workflow_support import env_today, refused, sleep_until, workers
from plan_support import TIMINGS, Recorded, command, given, made, start, state, update


async def test_plan_start_reminders_then_caseworker_then_coordinator_and_a_late_plan(time_skipping_env):
    env, recorded = time_skipping_env, Recorded()
    # Due in 13 days: the 14-day reminder's moment (08:00 Finnish time) has passed whatever the
    # time of day the test runs at.
    plan = await given(env, plan_start_due_on=await env_today(env) + timedelta(days=TIMINGS.plan_start_days - 1))
    async with workers(env, recorded, "planning"):
        handle = await start(env, plan)
        due = plan.plan_start_due_on
        await sleep_until(env, due - timedelta(days=4))
        assert recorded.told() == []  # the 14-day reminder was due before the plan was awaited
        await sleep_until(env, due - timedelta(days=3))
        assert recorded.told() == [("plan_deadline_reminder", "caseworker", "plan_start")]
        assert recorded.notifications[0].params == {"deadline_kind": "plan_start", "due_on": due.isoformat(), "days": 3}

        await sleep_until(env, due + timedelta(days=1))
        assert (recorded.changes[-1].stage, recorded.changes[-1].status) == ("planning", "plan_overdue")
        assert recorded.changes[-1].deadlines[0].kind == "plan_start"
        assert recorded.told()[-1] == ("deadline_missed", "caseworker", "plan_start")
        await sleep_until(env, due + timedelta(days=TIMINGS.escalation_days + 1))
        assert recorded.told()[-1] == ("deadline_missed", "coordinator", "plan_start")

        # Made late: active, with the referral, review and end deadlines.
        result = await made(env, handle)
        today = await env_today(env)
        assert result.status == "plan_active"
        change = recorded.changes[-1]
        assert (change.stage, change.status, change.reason, change.changed_by) == ("follow_up", "plan_active", "plan.made: individual", "Kaisa Virtanen")
        assert [(d.kind, d.due_on) for d in change.deadlines] == [
            ("plan_referral", add_months(today, TIMINGS.referral_months)),
            ("plan_review", add_months(today, 6)),
            ("plan_end", add_months(today, 12)),
        ]
        assert change.next_deadline == change.deadlines[0]
        assert recorded.records[-1].status == "active"


async def test_referral_deadline_missed_then_met_by_a_referred_measure(time_skipping_env):
    env, recorded = time_skipping_env, Recorded()
    # A municipality keeping the old guidance's one month: the referral falls due before the review.
    plan = await given(env, timings=TIMINGS.model_copy(update={"referral_months": 1}))
    async with workers(env, recorded, "planning"):
        handle = await start(env, plan)
        await made(env, handle)
        referral_due = add_months(await env_today(env), 1)
        await sleep_until(env, referral_due - timedelta(days=14))
        assert recorded.told() == [("plan_deadline_reminder", "caseworker", "plan_referral")]
        await sleep_until(env, referral_due + timedelta(days=1))
        assert recorded.told()[-1] == ("deadline_missed", "caseworker", "plan_referral")
        # The status stays; the passed deadline is on the timeline and stays open.
        assert (recorded.changes[-1].status, recorded.changes[-1].reason, recorded.changes[-1].announce) == (
            "plan_active", "deadline.plan_referral.missed", True
        )
        assert recorded.changes[-1].next_deadline.kind == "plan_referral"

        today = await env_today(env)
        result = await update(handle, c.ADD_MEASURE, await command(env, measure=c.MeasureBody(
            kind="integration_training", provider="Hämeen ammatti-instituutti", language="fi", service_code="HAMI-KOTO-1",
            starts_on=today + timedelta(days=7), hours=400, status="referred",
        )))
        assert result.measure_id is not None
        assert [d.kind for d in recorded.changes[-1].deadlines] == ["plan_review", "plan_end"]
        told = len(recorded.notifications)
        await sleep_until(env, referral_due + timedelta(days=TIMINGS.escalation_days + 2))
        # Met: nothing escalates; only the provider's silence on the referral is reminded of.
        assert [n.kind for n in recorded.notifications[told:]] == ["referral_unanswered"]
        assert (await state(handle)).record.referral_met_on == today


async def test_reviews_every_six_months_each_review_restarts_the_clock(time_skipping_env):
    env, recorded = time_skipping_env, Recorded()
    plan = await given(env)
    async with workers(env, recorded, "planning"):
        handle = await start(env, plan)
        await made(env, handle, measures=[c.MeasureBody(kind="language_studies", status="referred", language="fi")])
        plan_on = await env_today(env)
        review_due = add_months(plan_on, 6)
        await sleep_until(env, review_due + timedelta(days=1))
        assert (recorded.changes[-1].status, recorded.changes[-1].reason) == ("review_overdue", "deadline.plan_review.missed")
        assert recorded.told()[-1] == ("deadline_missed", "caseworker", "plan_review")

        measure_id = (await state(handle)).record.measures[0].measure_id
        result = await update(handle, c.REVIEW, await command(env, review=c.ReviewPlan(
            notes="Progressing well", measure_changes=[c.MeasureChange(measure_id=measure_id, status="started")],
        )))
        reviewed_on = await env_today(env)
        assert result.status == "plan_active"
        assert (recorded.changes[-1].status, recorded.changes[-1].reason) == ("plan_active", "plan.reviewed")
        next_due = add_months(reviewed_on, 6)
        assert ("plan_review", next_due) in [(d.kind, d.due_on) for d in recorded.changes[-1].deadlines]
        current = await state(handle)
        [review] = current.record.reviews
        assert (review.notes, review.next_review_on, review.changes[0]["to"]) == ("Progressing well", next_due, {"status": "started"})
        assert current.record.measures[0].status == "started"
        # The coordinator is not told of the review deadline that was met late ...
        await sleep_until(env, review_due + timedelta(days=TIMINGS.escalation_days + 2))
        assert ("deadline_missed", "coordinator", "plan_review") not in recorded.told()
        # ... and the next review is due six months after this one, with its reminders.
        await sleep_until(env, next_due - timedelta(days=14))
        assert recorded.told()[-1] == ("plan_deadline_reminder", "caseworker", "plan_review")
        assert recorded.notifications[-1].params["due_on"] == next_due.isoformat()


async def test_first_plan_ends_after_a_year_an_extension_then_the_two_year_limit(time_skipping_env):
    env, recorded = time_skipping_env, Recorded()
    plan = await given(env)
    async with workers(env, recorded, "planning"):
        handle = await start(env, plan)
        await made(env, handle, measures=[c.MeasureBody(kind="job_search_support", status="referred")])
        plan_on = await env_today(env)
        first_end, limit = add_months(plan_on, 12), add_months(plan_on, 24)
        # Reviews on time, so only the plan's end is at stake.
        for months in (5, 10):
            await sleep_until(env, add_months(plan_on, months))
            await update(handle, c.REVIEW, await command(env, review=c.ReviewPlan()))
        await sleep_until(env, first_end + timedelta(days=1))
        assert (recorded.changes[-1].status, recorded.changes[-1].reason) == ("plan_expired", "deadline.plan_end.passed")
        assert recorded.told()[-1] == ("deadline_missed", "caseworker", "plan_end")
        await sleep_until(env, first_end + timedelta(days=TIMINGS.escalation_days + 1))
        assert recorded.told()[-1] == ("deadline_missed", "coordinator", "plan_end")

        # An extension beyond two years in all is refused; to the limit it is recorded.
        error = await refused(handle, c.EXTEND, await command(env, extend=c.ExtendPlan(ends_on=limit + timedelta(days=1), reason="Literacy first")))
        assert (error.type, error.details[0]["status"], error.details[0]["params"]["latest"]) == ("plan_end_beyond_limit", 422, limit.isoformat())
        result = await update(handle, c.EXTEND, await command(env, extend=c.ExtendPlan(ends_on=limit, reason="Literacy training takes longer")))
        assert result.status == "plan_active"
        [extension] = (await state(handle)).record.extensions
        assert (extension.from_ends_on, extension.ends_on, extension.by) == (first_end, limit, "Kaisa Virtanen")
        assert ("plan_end", limit) in [(d.kind, d.due_on) for d in recorded.changes[-1].deadlines]

        for months in (15, 20):
            await sleep_until(env, add_months(plan_on, months))
            await update(handle, c.REVIEW, await command(env, review=c.ReviewPlan()))
        await sleep_until(env, limit - timedelta(days=14))
        assert recorded.told()[-1] == ("plan_deadline_reminder", "caseworker", "plan_end")
        await sleep_until(env, limit + timedelta(days=1))
        outcome = await handle.result()
        assert outcome == PlanOutcome(ended_on=limit, reason="time_limit")
        assert (recorded.records[-1].status, recorded.records[-1].end_reason) == ("ended", "time_limit")


async def test_the_two_year_total_is_exceeded_only_by_a_plans_own_extension_decision_within_its_cap(time_skipping_env):
    env, recorded = time_skipping_env, Recorded()
    plan = await given(env)
    async with workers(env, recorded, "planning"):
        handle = await start(env, plan)
        await made(env, handle, measures=[c.MeasureBody(kind="literacy_training", status="referred")])
        plan_on = await env_today(env)
        limit = add_months(plan_on, TIMINGS.plans_total_max_months)
        cap = add_months(limit, TIMINGS.extension_beyond_total_max_months)
        await sleep_until(env, add_months(plan_on, 12) + timedelta(days=1))  # the first plan's year has passed

        # Beyond the total only when the decision says so, and only as far as its own cap.
        error = await refused(handle, c.EXTEND, await command(env, extend=c.ExtendPlan(ends_on=limit + timedelta(days=1), reason="x")))
        assert error.type == "plan_end_beyond_limit"
        error = await refused(handle, c.EXTEND, await command(env, extend=c.ExtendPlan(
            ends_on=cap + timedelta(days=1), reason="Literacy first", beyond_total=True)))
        assert (error.type, error.details[0]["params"]["latest"]) == ("extension_beyond_cap", cap.isoformat())
        await update(handle, c.EXTEND, await command(env, extend=c.ExtendPlan(
            ends_on=cap, reason="Literacy training takes longer for this client", beyond_total=True)))
        [extension] = (await state(handle)).record.extensions
        assert (extension.ends_on, extension.beyond_total) == (cap, True)

        # At its end the plans end, as at the total.
        await sleep_until(env, cap + timedelta(days=1))
        assert await handle.result() == PlanOutcome(ended_on=cap, reason="time_limit")


async def test_a_plan_started_before_such_decisions_stays_within_the_total(time_skipping_env):
    env, recorded = time_skipping_env, Recorded()
    plan = await given(env, timings=TIMINGS.model_copy(update={"extension_beyond_total_max_months": 0}))
    async with workers(env, recorded, "planning"):
        handle = await start(env, plan)
        await made(env, handle)
        limit = add_months(await env_today(env), TIMINGS.plans_total_max_months)
        error = await refused(handle, c.EXTEND, await command(env, extend=c.ExtendPlan(ends_on=limit + timedelta(days=1), reason="x", beyond_total=True)))
        assert error.type == "extension_beyond_cap"


async def test_continue_as_new_carries_the_whole_plan(time_skipping_env):
    env, recorded = time_skipping_env, Recorded()
    plan = await given(env, history_limit=40)
    async with workers(env, recorded, "planning"):
        handle = await start(env, plan)
        first_run = (await handle.describe()).run_id
        await made(env, handle, goals="Work as a nurse")
        for month in range(1, 6):
            await sleep_until(env, add_months(await env_today(env), 1) if month > 1 else await env_today(env) + timedelta(days=1))
            await update(handle, c.ADD_MEASURE, await command(env, measure=c.MeasureBody(kind="other", description=f"measure {month}", status="referred")))
            await update(handle, c.REVIEW, await command(env, review=c.ReviewPlan(notes=f"review {month}")))
        current = env.client.get_workflow_handle(plan_workflow_id(plan.case_id))
        described = await current.describe()
        assert described.run_id != first_run
        carried = await current.query(IntegrationPlanWorkflow.current)
        assert carried.runs > 1
        assert carried.record.goals == "Work as a nurse"
        assert [m.description for m in carried.record.measures] == [f"measure {n}" for n in range(1, 6)]
        assert [r.notes for r in carried.record.reviews] == [f"review {n}" for n in range(1, 6)]
        # Its clock runs on: the next review is due six months after the last.
        due = carried.record.review_due_on
        await sleep_until(env, due + timedelta(days=1))
        assert recorded.told()[-1] == ("deadline_missed", "caseworker", "plan_review")


async def test_every_refused_command_answers_why_and_changes_nothing(time_skipping_env):
    env, recorded = time_skipping_env, Recorded()
    plan = await given(env, wellbeing_county_participant=None)
    async with workers(env, recorded, "planning"):
        handle = await start(env, plan)
        today = await env_today(env)
        codes = []

        async def no(name, cmd, code, status):
            error = await refused(handle, name, cmd)
            assert (error.type, error.details[0]["status"]) == (code, status), error
            codes.append(code)

        await no(c.REVIEW, await command(env, review=c.ReviewPlan()), "plan_not_made", 409)
        await no(c.ADD_MEASURE, await command(env, measure=c.MeasureBody(kind="other")), "plan_not_made", 409)
        await no(c.MAKE, await command(env), "command_body_missing", 422)
        await no(c.MAKE, await command(env, make=c.MakePlan(type="multi_sectoral")), "wellbeing_participant_missing", 422)
        await no(c.MAKE, await command(env, make=c.MakePlan(type="family")), "family_members_missing", 422)
        await no(c.MAKE, await command(env, make=c.MakePlan(type="individual", plan_on=today + timedelta(days=1))), "plan_date_in_future", 422)
        await no(c.MAKE, await command(env, make=c.MakePlan(type="individual", plan_on=today - timedelta(days=1))), "plan_date_before_assessment", 422)
        await no(c.MAKE, await command(env, make=c.MakePlan(type="individual", ends_on=add_months(today, 13))), "plan_end_beyond_limit", 422)
        assert recorded.changes == []

        await update(handle, c.MAKE, await command(env, make=c.MakePlan(type="family", family_members=[uuid.uuid4()], ends_on=add_months(today, 6))))
        ends_on = add_months(today, 6)
        await no(c.MAKE, await command(env, make=c.MakePlan(type="individual")), "plan_already_made", 409)
        outside = c.MeasureBody(kind="school", starts_on=ends_on + timedelta(days=1))
        await no(c.ADD_MEASURE, await command(env, measure=outside), "measure_outside_plan_period", 422)
        reversed_ = c.MeasureBody(kind="school", starts_on=today + timedelta(days=5), ends_on=today + timedelta(days=2))
        await no(c.ADD_MEASURE, await command(env, measure=reversed_), "measure_dates_reversed", 422)
        short = c.MeasureBody(kind="civic_orientation", hours=TIMINGS.civic_orientation_min_hours - 1, language="so")
        await no(c.ADD_MEASURE, await command(env, measure=short), "civic_orientation_too_short", 422)
        unknown_language = c.MeasureBody(kind="civic_orientation", hours=70, language="de")
        await no(c.ADD_MEASURE, await command(env, measure=unknown_language), "civic_orientation_language", 422)
        await no(c.UPDATE_MEASURE, await command(env, change=c.MeasureChange(measure_id=uuid.uuid4(), status="started")), "measure_unknown", 422)
        await no(c.REVIEW, await command(env, review=c.ReviewPlan(reviewed_on=today - timedelta(days=1))), "review_before_plan", 422)
        await no(c.REVIEW, await command(env, review=c.ReviewPlan(reviewed_on=today + timedelta(days=1))), "plan_date_in_future", 422)
        await no(c.REVIEW, await command(env, review=c.ReviewPlan(next_review_on=add_months(today, 7))), "next_review_beyond_limit", 422)
        await no(c.EXTEND, await command(env, extend=c.ExtendPlan(ends_on=ends_on, reason="x")), "extension_not_later", 422)
        # A good civic orientation is taken; changing it below the minimum is refused.
        good = await update(handle, c.ADD_MEASURE, await command(env, measure=c.MeasureBody(kind="civic_orientation", hours=70, language="so")))
        await no(c.UPDATE_MEASURE, await command(env, change=c.MeasureChange(measure_id=good.measure_id, hours=20)), "civic_orientation_too_short", 422)
        changes = len(recorded.changes)

        await handle.signal(c.CLOSE, "employed")
        assert (await handle.result()).reason == "closed"
        assert recorded.records[-1].status == "ended"
        assert len(recorded.changes) == changes  # the path records the closure, not the plan
        for code in codes:
            assert set(MESSAGES[code]) == {"fi", "sv", "en"}, code


async def test_a_providers_report_updates_its_measure_and_the_timeline(time_skipping_env):
    env, recorded = time_skipping_env, Recorded()
    plan = await given(env)
    async with workers(env, recorded, "planning"):
        handle = await start(env, plan)
        today = await env_today(env)
        await made(env, handle, measures=[c.MeasureBody(kind="integration_training", service_code="KOTO-B1", status="referred", language="fi")])
        report = ServiceReport(
            client_id=plan.client_id, case_id=plan.case_id, municipality_code="109", service_code="KOTO-B1", status="completed", on=today,
            result={"language": "fi", "cefr": "B1.1"}, reported_by="urn:kotopolku:system:provider", event_id="e-1",
        )
        await handle.signal(c.SERVICE_REPORTED, report)
        await handle.signal(c.SERVICE_REPORTED, report)  # again: no second effect
        await handle.signal(c.SERVICE_REPORTED, report.model_copy(update={"service_code": "OTHER", "event_id": "e-2", "status": "started"}))

        async def settled():
            current = await state(handle)
            return current if len(current.record.unmatched_reports) == 1 else None

        for _ in range(100):
            current = await settled()
            if current:
                break
            await asyncio.sleep(0.05)
        [measure] = current.record.measures
        assert (measure.status, measure.outcome, len(measure.reports)) == ("completed", {"language": "fi", "cefr": "B1.1"}, 1)
        reasons = [change.reason for change in recorded.changes if change.announce]
        assert reasons == ["service.completed: KOTO-B1", "service.started: OTHER"]


async def test_a_referral_the_provider_does_not_answer_reminds_the_caseworker_once(time_skipping_env):
    """The referral loop: a measure referred with no report from its provider within policy
    `referral_answer_days` reminds the caseworker, once; a measure whose provider reported does
    not; the days from referral to start are kept on the measure."""
    env, recorded = time_skipping_env, Recorded()
    plan = await given(env)
    async with workers(env, recorded, "planning"):
        handle = await start(env, plan)
        today = await env_today(env)
        await made(env, handle, measures=[
            c.MeasureBody(kind="integration_training", service_code="SILENT-1", provider="Hiljainen Oy", status="referred", language="fi"),
            c.MeasureBody(kind="language_studies", service_code="ANSWERS-1", status="referred", language="fi"),
        ])
        await sleep_until(env, today + timedelta(days=3))
        report = ServiceReport(
            client_id=plan.client_id, case_id=plan.case_id, municipality_code="109", service_code="ANSWERS-1", status="started",
            on=today + timedelta(days=3), reported_by="urn:kotopolku:system:provider", event_id="r-1",
        )
        await handle.signal(c.SERVICE_REPORTED, report)
        await sleep_until(env, today + timedelta(days=TIMINGS.referral_answer_days + 20))
        reminders = [n for n in recorded.notifications if n.kind == "referral_unanswered"]
        assert len(reminders) == 1
        assert reminders[0].params == {"service_code": "SILENT-1", "provider": "Hiljainen Oy", "on": today.isoformat(),
                                       "days": TIMINGS.referral_answer_days}
        answered = next(m for m in (await state(handle)).record.measures if m.service_code == "ANSWERS-1")
        assert (answered.referred_on, answered.started_on) == (today, today + timedelta(days=3))
        started = [change for change in recorded.changes if change.fact == "service.reported"]
        assert started[-1].details["days_from_referral"] == 3

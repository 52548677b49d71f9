"""The integration plan (`plan-<case_id>`, task queue kotopolku-planning): a child workflow of the
client's path, started when the assessment found that a plan is needed. Long-lived (one to two
years): it continues as new, with its whole state, when Temporal suggests it. Import-light and
deterministic: the sandbox re-imports it.

Its clock keeps four deadlines as durable timers, each with reminders before it (policy
`plan_reminder_days`), the caseworker told when it passes and the coordinator
`plan_escalation_days` later, and a due date on the case (`deadlines`, `next_deadline`):
- `plan_start`: the plan drawn up within `plan_start_days` of the assessment (`make` meets it;
  passed: `plan_overdue`);
- `plan_referral`: a measure referred within `plan_services_referral_months` of the plan;
- `plan_review`: reviewed at least every `plan_review_months` (each review sets the next;
  passed: `review_overdue`);
- `plan_end`: the plan's period, the first plan at most `first_plan_max_months`; an extension
  decision moves it, all plans at most `plans_total_max_months` from the first. Passed: the plan
  has expired (`plan_expired`) until extended or closed; at the total limit the plan ends and the
  path closes the case with `time_limit`.

Staff commands are updates whose validators refuse what does not fit (409 state, 422 content)
before anything reaches the history. Providers' reports arrive as a signal and update the measure
of their service code; the path's `close` signal ends the plan.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from shared.durable import refuse
    from shared.case_workflows import action_entry, record_case_change, request_notification, required_body, save_record
    # By their full names: passed through, not run again for every workflow (test_sandbox_imports.py).
    import services.planning.deadlines as deadlines
    import services.planning.measures as measures
    import services.planning.participants as participants
    from services.planning.plan_clock import POLICY_RECOMPUTE, PlanClock
    from services.planning.records import ACTIVE, AWAITING, ENDED, Measure, Review, Extension, Action, PlanRecord, PlanState
    from services.planning.commands import (
        ADD_MEASURE,
        CLOSE,
        EXTEND,
        LANGUAGE_NEEDS,
        MAKE,
        MOVED,
        POLICY_CHANGED,
        REVIEW,
        SERVICE_REPORTED,
        STATE,
        UPDATE_MEASURE,
        Actor,
        Command,
        CommandResult,
        PolicyChanged,
    )
    from shared.clock import FINNISH_TIME
    from shared import lifecycle
    from shared.lifecycle import MEASURE_STATUSES, Fact, reason_text
    from shared.contracts import (
        PLAN_WORKFLOW,
        ClientMoved,
        DeadlineKind,
        LanguageNeedsChanged,
        PlanInput,
        PlanOutcome,
        ServiceReport,
    )
    from shared.policy import add_months

# What a new plan's record takes from the path's input: the fields of the same names (case,
# client, municipality, dates, languages, needs, the figures' groups). The proposed type is `plan_type`.
FROM_INPUT = set(PlanRecord.model_fields) & set(PlanInput.model_fields)


def interpreter_need(record: PlanRecord) -> dict[str, Any]:
    """The client's recorded interpreter need as referrals and reviews tell it (null: none recorded)."""
    language = record.interpreter_language
    return {"interpreter_needed": True if language else None, "interpreter_language": language,
            "interpreter_dialect": record.interpreter_dialect if language else None}


def measure_details(measure: Measure, on: date, actor: Actor | None = None, record: PlanRecord | None = None) -> dict[str, Any]:
    """What a measure's domain event carries (shared.contracts.MeasureReferred): a referral tells
    the provider the service, the place, the language, the client's interpreter need, the dates and
    who referred it; a start, how long the provider took from the referral."""
    details: dict[str, Any] = {"measure_id": measure.measure_id, "kind": measure.kind, "service_code": measure.service_code,
                               "on": on, "status": measure.status, "referred_on": measure.referred_on}
    if measure.status == "referred":
        details |= {"language": measure.language, "provider": measure.provider, "place": measure.place,
                    "starts_on": measure.starts_on, "ends_on": measure.ends_on,
                    "contact": {"name": actor.name or actor.sub} if actor else None}
        details |= interpreter_need(record) if record is not None else {}
    if measure.status == "started" and measure.referred_on is not None and measure.started_on is not None:
        details["days_from_referral"] = (measure.started_on - measure.referred_on).days
    return details


def refuse_if_future(on: date, today: date, what: str) -> None:
    """A plan, a review or an extension decision is dated today at the latest."""
    if on > today:
        raise refuse("plan_date_in_future", f"the {what}'s date is in the future", 422, on=on.isoformat())


@workflow.defn(name=PLAN_WORKFLOW)
class IntegrationPlanWorkflow(PlanClock):
    @workflow.init
    def __init__(self, given: PlanInput) -> None:
        super().__init__(given)
        if given.carried is not None:
            self.state = PlanState.model_validate(given.carried)
            self.state.runs += 1
        else:
            self.state = PlanState(
                record=PlanRecord(
                    plan_id=workflow.uuid4(), type=given.plan_type, policy_version=given.timings.policy_version,
                    **given.model_dump(include=FROM_INPUT),
                ),
                set_at={DeadlineKind.plan_start.value: workflow.now()},
            )

    # --- the clock -------------------------------------------------------------------------

    @workflow.run
    async def run(self, given: PlanInput) -> PlanOutcome:
        if given.carried is None:
            async with self.lock:
                await self._save("opened", None)
        while not self.state.closed and self.record.status != ENDED:
            if self._should_continue_as_new():
                await workflow.wait_condition(lambda: workflow.all_handlers_finished() and not self.lock.locked())
                # The timings as a changed policy left them (the same as given otherwise).
                workflow.continue_as_new(given.model_copy(update={"carried": self.state.model_dump(mode="json"), "timings": self.timings}))
            await self._tick()
        async with self.lock:
            if self.record.status != ENDED:
                self.record.status, self.record.end_reason = ENDED, "closed"
                self.record.ended_on = workflow.now().astimezone(FINNISH_TIME).date()
                await self._save("closed", None)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return PlanOutcome(ended_on=self.record.ended_on, reason=self.record.end_reason or "closed")

    # --- staff commands ----------------------------------------------------------------------

    def _check_open(self) -> None:
        if self.state.closed or self.record.status == ENDED:
            raise refuse("plan_closed", "the plan has ended")

    def _check_made(self) -> None:
        self._check_open()
        if self.record.status == AWAITING:
            raise refuse("plan_not_made", "the plan has not been drawn up yet")

    @workflow.update(name=MAKE)
    async def make(self, command: Command) -> CommandResult:
        body = required_body(command, "make", MAKE)
        plan_on = body.plan_on or command.today
        async with self.lock:
            r = self.record
            r.status, r.type, r.plan_on, r.first_plan_on = ACTIVE, body.type, plan_on, plan_on
            r.ends_on = body.ends_on or add_months(plan_on, self.timings.first_plan_max_months)
            r.referral_due_on = add_months(plan_on, self.timings.referral_months)
            r.review_due_on = add_months(plan_on, self.timings.review_months)
            participants.choose(r, body)
            r.family_members = list(body.family_members)
            r.goals = body.goals
            r.measures = [Measure(measure_id=workflow.uuid4(), **m.model_dump()) for m in body.measures]
            measures.note_progress(self.record, plan_on)
            measures.meet_referral(self.record, plan_on)
            now = workflow.now()
            for kind in (DeadlineKind.plan_referral, DeadlineKind.plan_review, DeadlineKind.plan_end):
                self.state.set_at[kind.value] = now
            self.version += 1
            referred = [measure_details(measure, plan_on, command.actor, r) for measure in r.measures if measure.status in MEASURE_STATUSES]
            await self._case(Fact.plan_made, command.actor, reason=reason_text(Fact.plan_made, body.type),
                             details={"plan_type": body.type, "made_on": plan_on, "measures": referred})
            await self._save("made", command.actor)
            return self._result()

    @make.validator
    def check_make(self, command: Command) -> None:
        self._check_open()
        body = required_body(command, "make", MAKE)
        if self.record.status != AWAITING:
            raise refuse("plan_already_made", "the plan has already been drawn up: review it instead")
        if body.type == "multi_sectoral" and not (body.wellbeing_county_participant or self.record.wellbeing_county_participant):
            raise refuse("wellbeing_participant_missing", "a multi-sectoral plan needs the wellbeing services county's participant", 422)
        if body.type == "family" and not body.family_members:
            raise refuse("family_members_missing", "a family plan links the household members' plans: name at least one", 422)
        plan_on = body.plan_on or command.today
        refuse_if_future(plan_on, command.today, "plan")
        if plan_on < self.record.assessment_completed_on:
            raise refuse("plan_date_before_assessment", "the plan's date is before the assessment was completed", 422, on=plan_on.isoformat())
        longest = add_months(plan_on, self.timings.first_plan_max_months)
        if body.ends_on is not None and not plan_on < body.ends_on <= longest:
            raise refuse("plan_end_beyond_limit", "the first plan lasts at most the policy's time", 422, ends_on=body.ends_on.isoformat(), latest=longest.isoformat())
        ends_on = body.ends_on or longest
        for measure in body.measures:
            measures.check_measure(measure, plan_on, ends_on, self.timings, self.given.client_languages)

    @workflow.update(name=REVIEW)
    async def review(self, command: Command) -> CommandResult:
        body = required_body(command, "review", REVIEW)
        reviewed_on = body.reviewed_on or command.today
        async with self.lock:
            changes = [measures.apply_change(self.record, change) for change in body.measure_changes]
            changed = [measures.find(self.record, change.measure_id) for change in body.measure_changes if change.status]
            next_review_on = body.next_review_on or add_months(reviewed_on, self.timings.review_months)
            self.record.reviews.append(
                Review(
                    review_id=workflow.uuid4(),
                    reviewed_on=reviewed_on,
                    notes=body.notes,
                    changes=changes,
                    next_review_on=next_review_on,
                    by=command.actor.name or command.actor.sub,
                    **participants.of_review(self.record, body),
                )
            )
            self.record.review_due_on = next_review_on
            measures.note_progress(self.record, reviewed_on)
            measures.meet_referral(self.record, reviewed_on)
            reviewed = {"reviewed_on": reviewed_on, "next_review_on": next_review_on, **interpreter_need(self.record),
                        "measures": [measure_details(measure, reviewed_on, command.actor, self.record) for measure in changed if measure is not None]}
            return await self._deadline_set_again(DeadlineKind.plan_review, Fact.plan_reviewed, "reviewed", command.actor, reviewed)

    @review.validator
    def check_review(self, command: Command) -> None:
        self._check_made()
        body = required_body(command, "review", REVIEW)
        reviewed_on = body.reviewed_on or command.today
        assert self.record.plan_on is not None
        refuse_if_future(reviewed_on, command.today, "review")
        if reviewed_on < self.record.plan_on:
            raise refuse("review_before_plan", "the review's date is before the plan's", 422, on=reviewed_on.isoformat())
        latest = add_months(reviewed_on, self.timings.review_months)
        if body.next_review_on is not None and not reviewed_on < body.next_review_on <= latest:
            raise refuse("next_review_beyond_limit", "the next review is due at the latest the policy's time after this one", 422,
                         on=body.next_review_on.isoformat(), latest=latest.isoformat())
        for change in body.measure_changes:
            measures.check_change(self.record, change, self.timings, self.given.client_languages)

    @workflow.update(name=ADD_MEASURE)
    async def add_measure(self, command: Command) -> CommandResult:
        assert command.measure is not None
        async with self.lock:
            measure = Measure(measure_id=workflow.uuid4(), **command.measure.model_dump())
            self.record.measures.append(measure)
            measures.note_progress(self.record, command.today)
            referral = measures.meet_referral(self.record, command.today)
            await self._case(Fact.measure_added, command.actor, announce=True, reason=reason_text(Fact.measure_added, measure.kind),
                             details=measure_details(measure, command.today, command.actor, self.record))
            await self._save("measure_added", command.actor)
            if referral:
                self.version += 1
            return self._result(measure.measure_id)

    @add_measure.validator
    def check_add_measure(self, command: Command) -> None:
        self._check_made()
        measure = required_body(command, "measure", ADD_MEASURE)
        assert self.record.plan_on is not None and self.record.ends_on is not None
        measures.check_measure(measure, self.record.plan_on, self.record.ends_on, self.timings, self.given.client_languages)

    @workflow.update(name=UPDATE_MEASURE)
    async def update_measure(self, command: Command) -> CommandResult:
        assert command.change is not None
        async with self.lock:
            measures.apply_change(self.record, command.change)
            measure = measures.find(self.record, command.change.measure_id)
            assert measure is not None
            measures.note_progress(self.record, command.today)
            if measures.meet_referral(self.record, command.today):
                self.version += 1
            await self._case(Fact.measure_updated, command.actor, announce=True,
                             reason=reason_text(Fact.measure_updated, f"{measure.kind} {measure.status}"),
                             details=measure_details(measure, command.today, command.actor, self.record))
            await self._save("measure_updated", command.actor)
            return self._result(measure.measure_id)

    @update_measure.validator
    def check_update_measure(self, command: Command) -> None:
        self._check_made()
        change = required_body(command, "change", UPDATE_MEASURE)
        measures.check_change(self.record, change, self.timings, self.given.client_languages)

    @workflow.update(name=EXTEND)
    async def extend(self, command: Command) -> CommandResult:
        body = required_body(command, "extend", EXTEND)
        assert self.record.ends_on is not None
        async with self.lock:
            self.record.extensions.append(
                Extension(
                    decided_on=body.decided_on or command.today,
                    from_ends_on=self.record.ends_on,
                    ends_on=body.ends_on,
                    reason=body.reason,
                    by=command.actor.name or command.actor.sub,
                    beyond_total=body.beyond_total,
                )
            )
            self.record.ends_on = body.ends_on
            self.record.status = ACTIVE
            extended = {"decided_on": body.decided_on or command.today, "ends_on": body.ends_on}
            return await self._deadline_set_again(DeadlineKind.plan_end, Fact.plan_extended, "extended", command.actor, extended)

    @extend.validator
    def check_extend(self, command: Command) -> None:
        self._check_made()
        body = required_body(command, "extend", EXTEND)
        assert self.record.ends_on is not None
        latest = deadlines.latest_end(self.record, self.timings)
        assert latest is not None
        if body.ends_on <= self.record.ends_on:
            raise refuse("extension_not_later", "an extension ends later than the plan does now", 422, ends_on=self.record.ends_on.isoformat())
        if body.ends_on > latest and not body.beyond_total:
            raise refuse("plan_end_beyond_limit", "all plans together last at most the policy's time", 422,
                         ends_on=body.ends_on.isoformat(), latest=latest.isoformat())
        extended = deadlines.latest_extended_end(self.record, self.timings)
        assert extended is not None
        if body.beyond_total and (body.ends_on > extended or extended == latest):
            raise refuse("extension_beyond_cap", "an extension beyond the total reaches at most the policy's own cap", 422,
                         ends_on=body.ends_on.isoformat(), latest=extended.isoformat())
        if body.decided_on is not None:
            refuse_if_future(body.decided_on, command.today, "decision")

    # --- the rules of measures ------------------------------------------------------------------

    # --- facts reported -----------------------------------------------------------------------

    @workflow.signal(name=SERVICE_REPORTED)
    async def on_service_reported(self, report: ServiceReport) -> None:
        async with self.lock:
            if self.state.closed or self.record.status == ENDED:
                return
            seen = [m for m in self.record.measures for r in m.reports if r.get("event_id") == report.event_id]
            if seen or any(r.get("event_id") == report.event_id for r in self.record.unmatched_reports):
                return  # the same report again
            entry = report.model_dump(mode="json", include={"service_code", "status", "on", "result", "reported_by", "event_id"})
            candidates = [m for m in self.record.measures if m.service_code == report.service_code]
            open_ones = [m for m in candidates if m.status not in ("completed", "cancelled")]
            measure = (open_ones or candidates or [None])[0]
            if measure is None:
                self.record.unmatched_reports.append(entry)
            else:
                measure.reports.append(entry)
                measure.status = report.status  # type: ignore[assignment]  # started | completed | interrupted
                if report.result:
                    measure.outcome = {**(measure.outcome or {}), **report.result}
                measures.note_progress(self.record, report.on)
                if measures.meet_referral(self.record, report.on):
                    self.version += 1
            if measure is None:  # a provider's report on no measure of the plan (yet)
                reported = {"service_code": report.service_code, "on": report.on, "status": report.status}
            else:
                reported = measure_details(measure, report.on)
            await self._case(Fact.service_reported, announce=True, reason=f"service.{report.status}: {report.service_code}", details=reported)
            await self._save("service_reported", None)

    @workflow.signal(name=MOVED)
    async def on_moved(self, moved: ClientMoved) -> None:
        """The plan goes on where the client lives now, with the deadlines it had; the figures
        count it there from now on."""
        async with self.lock:
            if moved.to_municipality_code == self.record.municipality_code or self.state.closed or self.record.status == ENDED:
                return  # the same move again, or nothing left to move
            self.record.municipality_code = moved.to_municipality_code
            self.version += 1
            await self._save("moved", None)

    @workflow.signal(name=LANGUAGE_NEEDS)
    async def on_language_needs(self, needs: LanguageNeedsChanged) -> None:
        """Staff changed the client's interpreter need: the next referrals and reviews tell it.
        (A signal older histories never had: saving here changes none of their commands.)"""
        async with self.lock:
            known = (self.record.interpreter_language, self.record.interpreter_dialect)
            if known == (needs.interpreter_language, needs.interpreter_dialect) or self.state.closed or self.record.status == ENDED:
                return  # the same need again, or nothing left to tell
            self.record.interpreter_language, self.record.interpreter_dialect = needs.interpreter_language, needs.interpreter_dialect
            await self._save("language_needs", None)

    @workflow.signal(name=POLICY_CHANGED)
    async def on_policy_changed(self, change: PolicyChanged) -> None:
        """A new policy applied: the deadlines it gives and their timers follow (plan_clock.py)."""
        if workflow.patched(POLICY_RECOMPUTE):
            await self._follow_policy(change)

    @workflow.signal(name=CLOSE)
    def on_close(self, reason: str | None = None) -> None:
        self.state.closed = True
        if reason and self.record.closure_reason is None:
            self.record.closure_reason = reason
        self.version += 1

    @workflow.query(name=STATE)
    def current(self) -> PlanState:
        return self.state

    # --- the hands ----------------------------------------------------------------------------

    def _result(self, measure_id: UUID | None = None) -> CommandResult:
        changed_at = self.state.case_changed_at or datetime.min.replace(tzinfo=UTC)
        return CommandResult(case_id=self.record.case_id, status=self.state.case_status.value, changed_at=changed_at, measure_id=measure_id)

    async def _deadline_set_again(self, kind: DeadlineKind, fact: Fact, action: str, actor: Actor, details: dict[str, Any]) -> CommandResult:
        """A review sets the next review's deadline, an extension the plan's end: the clock starts
        that deadline again, and a case whose deadline had passed is active again (the lifecycle
        table says which)."""
        self.state.set_at[kind.value] = workflow.now()
        self.version += 1
        await self._case(fact, actor, announce=True, details=details)
        await self._save(action, actor)
        return self._result()

    async def _case(
        self, fact: Fact, actor: Actor | None = None, *, announce: bool = False, details: dict[str, Any] | None = None, reason: str | None = None
    ) -> None:
        """Report `fact` to intake, which moves the case by the lifecycle table (the same table
        tells this workflow where the case now is)."""
        stage, status = lifecycle.move(self.state.case_stage, self.state.case_status, fact)
        open_deadlines = deadlines.open_deadlines(self.record)
        self.state.case_changed_at = await record_case_change(
            self.record.case_id, stage, status, reason or fact.value, actor,
            next_deadline=open_deadlines[0] if open_deadlines else None, deadlines=open_deadlines, announce=announce,
            fact=fact, details=details,
        )
        self.state.case_stage, self.state.case_status = stage, status

    async def _save(self, action: str, actor: Actor | None) -> None:
        await save_record("record_plan", self.record, action_entry(Action, action, actor), locally=self.given.record_locally)

    async def _notify(self, kind: str, role: str, params: dict[str, Any]) -> None:
        """Through intake, which fills in the case's municipality as it is now (the client may
        have moved since the plan began)."""
        await request_notification(kind=kind, recipient_role=role, case_id=self.record.case_id, client_id=self.record.client_id, params=params)

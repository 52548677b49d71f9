"""The plan's clock: which alarm rings next (services/planning/deadlines.py works it out) and
what ringing it does: a reminder, a passed deadline (on the case's timeline, the caseworker told),
an escalation to the coordinator, the plans' time limit, an unanswered referral. The workflow
(workflows.py) keeps the commands and signals and the hands these call (`_case`, `_notify`,
`_save`). Deterministic and import-light: the sandbox re-imports it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from services.planning import deadlines, measures
    from services.planning.records import ENDED, EXPIRED, PlanRecord, PlanState
    from shared.case_workflows import DeadlineClock
    from shared.contracts import CaseStatus, DeadlineKind
    from shared.lifecycle import MISSED_FACT, Fact, reason_text
    from services.planning.commands import PolicyChanged

# The plan's own statuses (its table's `status`), beside the case's.
TIME_LIMIT = "time_limit"
REFERRAL_REMINDERS = "referral-reminders"
# A running plan follows a policy applied after it began (the `policy_changed` signal). Its check
# can go once no worker older than this change runs (docs/policy.md).
POLICY_RECOMPUTE = "policy-recompute"


class PlanClock(DeadlineClock):
    """The plan's deadlines as durable timers. The workflow gives it `state` and the hands."""

    state: PlanState

    @property
    def record(self) -> PlanRecord:
        return self.state.record

    async def _case(self, fact: Fact, actor: Any = None, *, announce: bool = False, details: dict[str, Any] | None = None,
                    reason: str | None = None) -> None:
        raise NotImplementedError

    async def _save(self, action: str, actor: Any) -> None:
        raise NotImplementedError

    async def _notify(self, kind: str, role: str, params: dict[str, Any]) -> None:
        raise NotImplementedError

    def _has_closed(self) -> bool:
        return self.state.closed

    def _next_alarm(self) -> tuple[datetime, str] | None:
        alarm = deadlines.next_alarm(self.record, self.state, self.timings)
        referral = deadlines.next_referral_alarm(self.record, self.state, self.timings)
        # Patch REFERRAL_REMINDERS (December 2026): a timer runs for an unanswered referral. Retire
        # the check (keep the branch) once no run of IntegrationPlan started before it is open:
        # `temporal workflow list --query 'WorkflowType="IntegrationPlan" AND ExecutionStatus="Running"
        # AND StartTime < "<deploy day>"'` is empty (a run continues as new at most `history_limit` events on).
        if referral is not None and (alarm is None or referral < alarm) and workflow.patched(REFERRAL_REMINDERS):
            return referral
        return alarm

    def _should_continue_as_new(self) -> bool:
        info = workflow.info()
        return info.is_continue_as_new_suggested() or info.get_current_history_length() > self.given.history_limit

    async def _ring(self, key: str) -> None:
        if key.startswith("referral:"):
            await self._referral_unanswered(key)
            return
        kind_value, due_value, what = key.split(":")
        kind, due_on = DeadlineKind(kind_value), date.fromisoformat(due_value)
        self.state.sent.append(key)
        self.version += 1
        due = {"deadline_kind": kind.value, "due_on": due_on.isoformat()}
        if what.startswith("reminder-"):
            await self._notify("plan_deadline_reminder", "caseworker", {**due, "days": int(what.split("-", 1)[1])})
            return
        if what == "escalate":
            await self._notify("deadline_missed", "coordinator", due)
            await self._save(f"{kind.value}_escalated", None)
            return
        # The deadline has passed.
        # `>=`: an end beyond the total exists only by a decision made since it was allowed, so
        # recorded histories replay as before (no end there is later than the total).
        if kind == DeadlineKind.plan_end and deadlines.at_time_limit(self.record, self.timings, due_on):
            # All plans together have reached the policy's limit: the plan ends, the path closes the case.
            self.record.status, self.record.end_reason, self.record.ended_on = ENDED, TIME_LIMIT, due_on
            await self._save("time_limit_reached", None)
            return
        passed = {"due_on": due_on}
        if kind == DeadlineKind.plan_start:
            await self._case(Fact.plan_start_missed, details=passed)
        elif kind == DeadlineKind.plan_review and self.state.case_status == CaseStatus.plan_active:
            await self._case(Fact.plan_review_missed, details=passed)
        elif kind == DeadlineKind.plan_end:
            self.record.status = EXPIRED
            await self._case(Fact.plan_end_passed, details=passed)
        else:  # plan_referral, or a review passing while the case is already overdue or expired
            await self._case(MISSED_FACT[kind], announce=True, details=passed)
        await self._notify("deadline_missed", "caseworker", due)
        await self._save(f"{kind.value}_missed", None)

    async def _referral_unanswered(self, key: str) -> None:
        """The provider has not reported on a referred measure within policy days: the caseworker is reminded."""
        _, referred_on, measure_id = key.split(":")
        self.state.sent.append(key)
        self.version += 1
        measure = measures.find(self.record, UUID(measure_id))
        if measure is None or measure.reports or measure.status != "referred":
            return
        await self._notify("referral_unanswered", "caseworker", {
            "service_code": measure.service_code or measure.kind, "provider": measure.provider or "-",
            "on": referred_on, "days": self.timings.referral_answer_days,
        })

    # --- a changed policy ------------------------------------------------------------------------

    async def _follow_policy(self, change: PolicyChanged) -> None:
        """Work the policy-derived deadlines out again from the new numbers (deadlines.policy_due),
        the timers with them. A deadline that moves is on the timeline; one that had passed stays
        passed (its alarms count as rung for the new date: nothing is un-escalated or rung twice)."""
        async with self.lock:
            if self.state.closed or self.record.status == ENDED or change.version == self.record.policy_version:
                return  # nothing open to move, or this version again
            after = deadlines.policy_due(self.record, change.timings)
            self.timings, self.record.policy_version = change.timings, change.version
            self.version += 1
            now = workflow.now()
            for kind, new_due in after.items():
                was_due = deadlines.due_of(self.record, kind)
                if was_due is None or new_due == was_due:
                    continue
                deadlines.set_due(self.record, kind, new_due)
                old_prefix, new_prefix = f"{kind.value}:{was_due.isoformat()}:", f"{kind.value}:{new_due.isoformat()}:"
                passed = f"{old_prefix}overdue" in self.state.sent
                if passed:  # the passing and escalation stand for the new date
                    self.state.sent += [new_prefix + key[len(old_prefix):] for key in self.state.sent if key.startswith(old_prefix)]
                else:  # the new date's reminders, none of those already past
                    self.state.set_at[kind.value] = now
                fact = Fact.policy_passed_deadline_moved if passed else Fact.policy_deadline_moved
                moved = {"deadline_kind": kind.value, "from": was_due, "to": new_due, "policy_version": change.version,
                         "policy_label": change.label}
                text = f"{kind.value} {was_due.isoformat()} → {new_due.isoformat()} ({change.label or change.version})"
                await self._case(fact, announce=True, details=moved, reason=reason_text(fact, text))
            await self._save("policy_changed", None)

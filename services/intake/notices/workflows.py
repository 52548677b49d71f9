"""The recruitment notice's workflow (`notice-<notice_id>`): one per employer's notice.

Deterministic and import-light: the Temporal sandbox re-imports this module for every run. All
I/O goes through the activities named here; time is `workflow.now()`.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    # Passed through like the models: the path's module is not re-imported for every notice.
    from services.intake.workflows import ACTIVITY_OPTIONS, wait_until
    from services.intake.notices.records import NoticeInput, NoticeOutcome, NoticeState
    from shared.case_workflows import request_notification

def notice_workflow_id(notice_id: UUID | str) -> str:
    return f"notice-{notice_id}"


# The workflow starts, and an arrival or a withdrawal is signalled, just before the transaction
# that records it commits: wait for the commit, and if it never comes (rolled back), carry on without.
_UNTIL_COMMITTED = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=2))
RECORDED_OPTIONS = dict(
    start_to_close_timeout=timedelta(seconds=30), schedule_to_close_timeout=timedelta(minutes=15), retry_policy=_UNTIL_COMMITTED
)
SETTLE_OPTIONS = dict(
    start_to_close_timeout=timedelta(seconds=30), schedule_to_close_timeout=timedelta(hours=2), retry_policy=_UNTIL_COMMITTED
)


NOTICE_WORKFLOW = "RecruitmentNotice"


@workflow.defn(name=NOTICE_WORKFLOW)
class RecruitmentNoticeWorkflow:
    """`notice-<id>`: tells the destination municipality about the notice, reminds it before the
    arrival, and ends when the recruit arrives, the employer withdraws, or the grace period passes.
    Acknowledging a notice is a database change only: the timers don't depend on it."""

    def __init__(self) -> None:
        self.state = NoticeState()
        self.signalled = False  # an arrival or a withdrawal was reported

    @workflow.run
    async def run(self, notice: NoticeInput) -> NoticeState:
        if not workflow.patched("started-after-commit"):
            # Notices submitted while their workflow started before the commit: wait for it.
            try:
                await workflow.execute_activity("confirm_notice_recorded", notice.notice_id, **RECORDED_OPTIONS)
            except ActivityError:
                self.state.status = "not_recorded"  # the submission was rolled back: there is no notice
                return self.state
        await self._notify(notice, "notice_received")
        while True:
            moment = notice.expire_at if self.state.reminded else notice.remind_at
            if await wait_until(lambda: self.signalled, moment):
                try:
                    outcome = await workflow.execute_activity(
                        "settled_notice_status", notice.notice_id, result_type=NoticeOutcome, **SETTLE_OPTIONS
                    )
                except ActivityError:
                    self.signalled = False  # never committed: the notice is still open
                    continue
            elif not self.state.reminded:
                await self._notify(notice, "notice_reminder")
                self.state.reminded = True
                continue
            else:
                outcome = await workflow.execute_activity(
                    "record_notice_expiry", notice.notice_id, result_type=NoticeOutcome, **ACTIVITY_OPTIONS
                )
            return await self._finish(notice, outcome)

    @workflow.signal(name="arrived")
    def on_arrived(self, client_id: UUID) -> None:
        self.state.arrived_client_id = client_id
        self.signalled = True

    @workflow.signal(name="withdrawn")
    def on_withdrawn(self) -> None:
        self.signalled = True

    @workflow.query(name="state")
    def current_state(self) -> NoticeState:
        return self.state

    async def _finish(self, notice: NoticeInput, outcome: NoticeOutcome) -> NoticeState:
        self.state.status = outcome.status
        if outcome.status == "arrived":
            self.state.arrived_client_id = outcome.client_id
            await self._notify(notice, "notice_arrived", case_id=outcome.case_id, client_id=outcome.client_id)
        elif outcome.status == "expired":
            await self._notify(notice, "notice_expired")
        elif outcome.status == "withdrawn" and workflow.patched("tell-staff-of-withdrawal"):
            # Added while notices were running: those withdrawn before it replay without it.
            await self._notify(notice, "notice_withdrawn")
        return self.state

    async def _notify(self, notice: NoticeInput, kind: str, *, case_id: UUID | None = None, client_id: UUID | None = None) -> None:
        # The destination municipality's caseworkers; intake's own activity, on this task queue.
        await request_notification(
            kind=kind, case_id=case_id, client_id=client_id, recipient_role="caseworker", params=notice.details,
            municipality_code=notice.municipality_code, notice_id=notice.notice_id, options=ACTIVITY_OPTIONS,
        )

"""The only writers of a client's target group after registration: a staff decision, recorded
with its reason and who made it, in the same unit of work as the case's change and (when the
clock starts) the path's start."""

from __future__ import annotations

from uuid import UUID

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.identity import DecisionRefused, decide_by_staff
from services.intake.models import Client, ClientCase
from services.intake.case_events import announce_case, publish_client_recorded
from services.intake.service import apply_case_change, hold_case, path_input, start_path
from services.intake.triage.models import TargetGroupDecision, TriageItem
from services.intake.triage.workflows import DECIDED_SIGNAL, TriageDeadline, TriageDeadlineMoved, triage_workflow_id
from services.intake.workflows import path_workflow_id
from shared.auth import StaffUser, scoped
from shared.clock import now, today
from shared.contracts import CaseChange, CaseStatus, Deadline, DeadlineKind, Stage, from_record
from shared.lifecycle import Fact, reason_text
from shared.pagination import Page, Pagination, paginate
from shared.policy import PolicyBook
from shared.refusals import Conflict, NotFound
from shared.workflow_commands import signal_workflow

DECIDED = "target_group.decided"  # the path's opening reason, and the timeline's


def _cases(user: StaffUser):
    return scoped(select(ClientCase, Client).join(Client, Client.id == ClientCase.client_id), ClientCase.municipality_code, user)


async def list_triage(session: AsyncSession, *, user: StaffUser, pagination: Pagination) -> Page[TriageItem]:
    """The queue: the user's municipalities' cases waiting for the decision, the earliest due first."""
    query = _cases(user).where(ClientCase.status == CaseStatus.needs_triage)
    page = await paginate(session, query.order_by(ClientCase.next_deadline_on, ClientCase.id), pagination)
    page.items = [
        from_record(TriageItem, client, case_id=case.id, client_id=client.id, municipality_code=case.municipality_code,
                    decision_due_on=case.next_deadline_on)
        for case, client in page.items
    ]
    return page


async def decide_target_group(
    session: AsyncSession, *, user: StaffUser, case_id: UUID, decision: TargetGroupDecision, policy: PolicyBook
) -> ClientCase:
    """Record the decision; a target group starts the client's path with the statutory clock
    running from today (sent once this commits), none offers guidance."""
    row = (await session.exec(_cases(user).where(ClientCase.id == case_id))).first()
    if row is None:
        raise NotFound("case_not_found")
    case, client = row
    if case.workflow_id is not None:  # its path has started (it may not have reported yet)
        raise Conflict("target_group_already_decided")
    try:
        admission = decide_by_staff(
            status=case.status, eligibility_reason=client.eligibility_reason, target_group=decision.target_group,
            set_aside_time_limit=decision.set_aside_time_limit,
        )
    except DecisionRefused as refused:
        raise Conflict(refused.code) from None
    actor = user.name or user.sub
    client.target_group, client.admission_reason = admission.target_group, admission.reason
    client.target_group_decision, client.target_group_decided_by, client.target_group_decided_at = decision.reason, actor, now()
    if admission.reason == "time_limit_set_aside":
        client.eligible, client.eligibility_reason = True, "time_limit_set_aside"
    session.add(client)
    municipality_policy = policy.for_municipality(case.municipality_code)
    timeline = f"{DECIDED}.{admission.target_group or 'none'}: {decision.reason}"
    if case.status == CaseStatus.needs_triage:  # the decision's clock has nothing left to tell
        signal_workflow(session, triage_workflow_id(case.id), DECIDED_SIGNAL)
    if admission.outcome != "client":
        await hold_case(session, case, admission, municipality_policy, today=today(), changed_by=actor, reason=timeline)
        publish_client_recorded(session, client, case)
        return case
    case.workflow_id = path_workflow_id(client.id)
    announce_case(session, case, timeline, changed_by=actor)
    publish_client_recorded(session, client, case)
    path = path_input(client, case, municipality_policy, became_client_on=today(), reason=DECIDED)
    await start_path(session, case, path)
    return case


# --- the triage decision's clock (triage/workflows.py) asks these when its deadline passes ------


async def waiting_case(session: AsyncSession, deadline: TriageDeadline) -> ClientCase | None:
    """The case, when it still waits in the triage queue for the decision of this deadline."""
    case = await session.get(ClientCase, deadline.case_id)
    # A decided target group starts the path at once; the case leaves the queue when it reports.
    if case is None or case.status != CaseStatus.needs_triage or case.workflow_id is not None:
        return None
    if (case.next_deadline_kind, case.next_deadline_on) != (DeadlineKind.triage_decision.value, deadline.due_on):
        return None
    return case


async def record_decision_missed(session: AsyncSession, deadline: TriageDeadline, *, once: str) -> bool:
    """The deadline passed undecided: on the case's timeline (the case stays in the queue) with
    its `deadline.passed` event, once however often the activity runs. False when the case no
    longer waits for it (no one is told)."""
    if await waiting_case(session, deadline) is None:
        return False
    change = CaseChange(
        case_id=deadline.case_id, stage=Stage.intake, status=CaseStatus.needs_triage,
        next_deadline=Deadline(kind=DeadlineKind.triage_decision, due_on=deadline.due_on),
        reason=Fact.triage_decision_missed.value, fact=Fact.triage_decision_missed.value, announce=True,
        details={"due_on": deadline.due_on.isoformat()},
    )
    await apply_case_change(session, change, once=once)
    return True


async def record_decision_moved(session: AsyncSession, moved: TriageDeadlineMoved, *, once: str) -> bool:
    """An applied policy moved the deadline: the case's next deadline takes the new day and the
    move is on its timeline (one that had passed as such: the case stays in the queue, the
    caseworker was told), once however often the activity runs. False when the case no longer
    waits for it."""
    case = await waiting_case(session, moved.deadline)
    if case is None:
        return False
    change = moved.change
    fact = Fact.policy_passed_deadline_moved if moved.passed else Fact.policy_deadline_moved
    text = f"{DeadlineKind.triage_decision.value} {moved.deadline.due_on.isoformat()} → {change.due_on.isoformat()} ({change.label or change.version})"
    case_change = CaseChange(
        case_id=moved.deadline.case_id, stage=Stage.intake, status=CaseStatus.needs_triage,
        next_deadline=Deadline(kind=DeadlineKind.triage_decision, due_on=change.due_on),
        reason=reason_text(fact, text), fact=fact.value, announce=True,
        details={"deadline_kind": DeadlineKind.triage_decision.value, "from": moved.deadline.due_on.isoformat(),
                 "to": change.due_on.isoformat(), "policy_version": change.version, "policy_label": change.label},
    )
    await apply_case_change(session, case_change, once=once)
    case.next_deadline_policy_version = change.version  # the deadline now comes from this version
    session.add(case)
    return True

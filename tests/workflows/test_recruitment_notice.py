"""The recruitment-notice workflow on Temporal's time-skipping test server: months pass in moments.

First with stand-in activities (what the workflow asks for, and when), then with intake's real
activities, API and a SQLite database: a notice submitted over HTTP is reminded about and expires,
and its employer sees `expired`."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, time, timedelta, timezone

import httpx
from sqlmodel import select
from temporalio import activity
from temporalio.client import WorkflowHandle
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from services.intake.activities import IntakeActivities
from services.intake.notices.activities import NoticeActivities
from services.intake.notices.workflows import NoticeInput, NoticeOutcome, RecruitmentNoticeWorkflow, notice_workflow_id
from services.runner import Runtime, create_app
from shared.contracts import NOTIFICATION_REQUESTED, NotificationRequested, task_queue
from shared.messaging import OutboxMessage
from shared.workflow_commands import WorkflowCommandRelay
from shared.settings import load_settings
from shared.clock import today as finnish_today
from support import employer_key, notice

TASK_QUEUE = task_queue("intake")


class RecordedActivities:
    """Stand-ins for intake's notice activities that remember what the workflow asked for."""

    def __init__(self, settled: NoticeOutcome | None = None, *, recorded: bool = True) -> None:
        self.notifications: list[tuple[datetime, NotificationRequested]] = []
        self.expired_at: datetime | None = None
        self.settled = settled  # None: the signalled change never commits
        self.recorded = recorded  # False: the submission never commits

    @activity.defn(name="confirm_notice_recorded")
    async def confirm_notice_recorded(self, notice_id: uuid.UUID) -> None:
        if not self.recorded:
            raise ApplicationError("not recorded", type="NoticeNotRecorded")

    @activity.defn(name="request_notification")
    async def request_notification(self, request: NotificationRequested) -> None:
        self.notifications.append((activity.info().current_attempt_scheduled_time, request))

    @activity.defn(name="record_notice_expiry")
    async def record_notice_expiry(self, notice_id: uuid.UUID) -> NoticeOutcome:
        self.expired_at = activity.info().current_attempt_scheduled_time
        return NoticeOutcome(status="expired")

    @activity.defn(name="settled_notice_status")
    async def settled_notice_status(self, notice_id: uuid.UUID) -> NoticeOutcome:
        if self.settled is None:
            raise ApplicationError("still open", type="NoticeStillOpen")
        return self.settled

    def kinds(self) -> list[str]:
        return [request.kind for _, request in self.notifications]

    def all(self) -> list:
        return [self.confirm_notice_recorded, self.request_notification, self.record_notice_expiry, self.settled_notice_status]


def notice_input(arrival: date, *, reminder_days: int = 14, grace_days: int = 60) -> NoticeInput:
    return NoticeInput(
        notice_id=uuid.uuid4(),
        municipality_code="905",
        remind_at=datetime.combine(arrival - timedelta(days=reminder_days), time(8), tzinfo=timezone.utc),
        expire_at=datetime.combine(arrival + timedelta(days=grace_days + 1), time(0), tzinfo=timezone.utc),
        details={"employer": "Example Oy", "expected_arrival_on": arrival.isoformat(), "daycare_ages": [5], "school_ages": [8]},
    )


async def start(env, activities, arrival: date) -> tuple[WorkflowHandle, Worker, NoticeInput]:
    worker = Worker(env.client, task_queue=TASK_QUEUE, workflows=[RecruitmentNoticeWorkflow], activities=activities.all())
    data = notice_input(arrival)
    handle = await env.client.start_workflow(
        RecruitmentNoticeWorkflow.run, data, id=notice_workflow_id(data.notice_id), task_queue=TASK_QUEUE
    )
    return handle, worker, data


async def test_told_at_once_reminded_14_days_before_arrival_and_expired_60_days_after(time_skipping_env):
    env, activities = time_skipping_env, RecordedActivities()
    arrival = (await env.get_current_time()).date() + timedelta(days=40)
    handle, worker, data = await start(env, activities, arrival)
    async with worker:
        await env.sleep(timedelta(hours=1))
        assert activities.kinds() == ["notice_received"]
        [(_, received)] = activities.notifications
        assert (received.municipality_code, received.notice_id, received.case_id) == ("905", data.notice_id, None)
        assert received.recipient_role == "caseworker" and received.params == data.details

        await env.sleep(timedelta(days=25))  # 15 days before the arrival: not yet
        assert activities.kinds() == ["notice_received"]
        await env.sleep(timedelta(days=1, hours=12))
        assert activities.kinds() == ["notice_received", "notice_reminder"]
        reminded_at = activities.notifications[1][0]
        assert reminded_at.date() == arrival - timedelta(days=14)

        await env.sleep(timedelta(days=14 + 59))  # the 59th day after the arrival: still waiting
        assert activities.expired_at is None
        state = await handle.result()
        assert state.status == "expired" and state.reminded
        assert activities.expired_at.date() == arrival + timedelta(days=61)  # when day 60 is over
        assert activities.kinds() == ["notice_received", "notice_reminder", "notice_expired"]


async def test_withdrawal_ends_it_without_reminder_or_expiry(time_skipping_env):
    env, activities = time_skipping_env, RecordedActivities(settled=NoticeOutcome(status="withdrawn"))
    arrival = (await env.get_current_time()).date() + timedelta(days=40)
    handle, worker, _ = await start(env, activities, arrival)
    async with worker:
        await env.sleep(timedelta(days=3))
        await handle.signal(RecruitmentNoticeWorkflow.on_withdrawn)
        state = await handle.result()
        assert state.status == "withdrawn"
        assert activities.kinds() == ["notice_received", "notice_withdrawn"] and activities.expired_at is None


async def test_arrival_ends_it_and_tells_staff_with_the_case(time_skipping_env):
    client_id, case_id = uuid.uuid4(), uuid.uuid4()
    env = time_skipping_env
    activities = RecordedActivities(settled=NoticeOutcome(status="arrived", client_id=client_id, case_id=case_id))
    arrival = (await env.get_current_time()).date() + timedelta(days=40)
    handle, worker, _ = await start(env, activities, arrival)
    async with worker:
        await env.sleep(timedelta(days=30))  # after the reminder
        await handle.signal(RecruitmentNoticeWorkflow.on_arrived, client_id)
        state = await handle.result()
        assert (state.status, state.arrived_client_id) == ("arrived", client_id)
        assert activities.kinds() == ["notice_received", "notice_reminder", "notice_arrived"]
        arrived = activities.notifications[-1][1]
        assert (arrived.case_id, arrived.client_id) == (case_id, client_id)
        assert activities.expired_at is None


async def test_an_arrival_that_never_commits_leaves_the_notice_waiting(time_skipping_env):
    """The signal came, but the registration that sent it was rolled back: keep waiting, expire."""
    env, activities = time_skipping_env, RecordedActivities(settled=None)
    arrival = (await env.get_current_time()).date() + timedelta(days=40)
    handle, worker, _ = await start(env, activities, arrival)
    async with worker:
        await env.sleep(timedelta(days=1))
        await handle.signal(RecruitmentNoticeWorkflow.on_arrived, uuid.uuid4())
        state = await handle.result()
        assert state.status == "expired"
        assert activities.kinds() == ["notice_received", "notice_reminder", "notice_expired"]


async def test_an_arrival_sooner_than_the_reminder_period_is_reminded_at_once(time_skipping_env):
    env, activities = time_skipping_env, RecordedActivities()
    arrival = (await env.get_current_time()).date() + timedelta(days=5)
    handle, worker, _ = await start(env, activities, arrival)
    async with worker:
        await env.sleep(timedelta(minutes=5))
        assert activities.kinds() == ["notice_received", "notice_reminder"]


async def test_submitted_over_http_reminded_and_expired_with_the_real_activities(time_skipping_env, tmp_path):
    env = time_skipping_env
    runtime = Runtime(load_settings(var_dir=tmp_path / "var", log_format="console"), ["intake"])
    await runtime.migrate()
    ctx = runtime.contexts["intake"]
    ctx.temporal = env.client
    worker = Worker(env.client, task_queue=TASK_QUEUE, workflows=[RecruitmentNoticeWorkflow], activities=IntakeActivities(ctx).all() + NoticeActivities(ctx).all())
    arrival = finnish_today() + timedelta(days=30)
    try:
        transport = httpx.ASGITransport(app=create_app(runtime))
        async with worker, httpx.AsyncClient(transport=transport, base_url="http://kotopolku") as http:
            employer = await employer_key(runtime)
            body = notice(arrival=arrival, family={"adults": 2, "children_birth_years": [arrival.year - 9, arrival.year - 3]})
            submitted = await http.post("/api/v1/recruitment-notices", json=body, headers=employer)
            assert submitted.status_code == 201, submitted.text
            notice_id = submitted.json()["id"]
            # The notice's workflow starts once the submission has committed.
            assert await WorkflowCommandRelay(ctx.db, env.client).send_pending() == 1

            await env.sleep(timedelta(days=30 + 61))  # (a handle not started here doesn't skip time itself)
            handle = env.client.get_workflow_handle_for(RecruitmentNoticeWorkflow.run, notice_workflow_id(notice_id))
            state = await handle.result()
            assert state.status == "expired"
            assert (await http.get(f"/api/v1/recruitment-notices/{notice_id}", headers=employer)).json()["status"] == "expired"

            async with ctx.db.session() as session:
                query = select(OutboxMessage).where(OutboxMessage.event_type == NOTIFICATION_REQUESTED).order_by(OutboxMessage.id)
                rows = (await session.exec(query)).all()
            told = [json.loads(row.body)["data"] for row in rows]
            assert [message["kind"] for message in told] == ["notice_received", "notice_reminder", "notice_expired"]
            assert {message["municipality_code"] for message in told} == {"905"}
            reminder = told[1]["params"]
            assert (reminder["daycare_ages"], reminder["school_ages"], reminder["adults"]) == ([3], [9], 2)
            assert reminder["expected_arrival_on"] == arrival.isoformat()
    finally:
        await ctx.db.dispose()

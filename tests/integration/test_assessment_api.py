"""The staff commands of the assessment (CONTRACT §5) and who has a case, end to end: a real
Kotopolku (RabbitMQ, Temporal, SQLite and PostgreSQL) with, on the assessment's task queue, a
stand-in `Assessment` workflow that has the real interface (`services/assessment/commands.py`):
its validators refuse what does not fit the way the real one does, and its handlers move the case
through intake's real `record_case_change` activity."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID, uuid4

import pytest
from pydantic import BaseModel
from temporalio import workflow
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from services.assessment import commands
from services.assessment.commands import Command, CommandResult
from services.intake import service as intake_service
from services.intake.workflows import CaseChange, NotificationRequest
from shared.auth import mint_token
from shared.contracts import CaseStatus, Deadline, DeadlineKind, Stage, task_queue
from support import event, eventually, make_settings, publish, registration, running, token


class DoubleInput(BaseModel):
    case_id: UUID
    last_changed_at: datetime


def refuse(code: str, message: str, status: int = 409, **params) -> ApplicationError:
    return ApplicationError(message, {"status": status, "params": params}, type=code, non_retryable=True)


@workflow.defn(name="Assessment", sandboxed=False)
class AssessmentDouble:
    @workflow.init
    def __init__(self, given: DoubleInput) -> None:
        self.case_id = given.case_id
        self.last_changed_at = given.last_changed_at
        self.started_on = None
        self.completed = False
        self.log: list[str] = []

    @workflow.run
    async def run(self, given: DoubleInput) -> None:
        await workflow.wait_condition(lambda: False)

    async def _move(self, command: Command, stage: Stage, status: CaseStatus, deadline: Deadline | None, reason: str) -> None:
        self.last_changed_at = workflow.now()
        await workflow.execute_activity(
            "record_case_change",
            CaseChange(case_id=self.case_id, stage=stage, status=status, next_deadline=deadline, reason=reason, changed_by=command.actor.name),
            task_queue=task_queue("intake"),
            start_to_close_timeout=timedelta(seconds=30),
        )

    def _answer(self, status: str) -> CommandResult:
        return CommandResult(case_id=self.case_id, status=status, changed_at=self.last_changed_at)

    @workflow.update(name=commands.SCHEDULE)
    async def schedule(self, command: Command) -> CommandResult:
        self.log.append("scheduled")
        return self._answer("awaiting_assessment")

    @workflow.update(name=commands.START)
    async def start(self, command: Command) -> CommandResult:
        self.started_on = command.start.started_on or command.today
        self.log.append("started")
        await self._move(command, Stage.assessment, CaseStatus.assessment_in_progress, None, "assessment.started")
        return self._answer("assessment_in_progress")

    @start.validator
    def _start_fits(self, command: Command) -> None:
        if self.started_on is not None:
            raise refuse("assessment_already_started", "already started", started_on=self.started_on.isoformat())

    @workflow.update(name=commands.RECORD)
    async def record(self, command: Command) -> CommandResult:
        self.log.append("recorded")
        return self._answer("assessment_in_progress")

    @record.validator
    def _record_fits(self, command: Command) -> None:
        if self.started_on is None:
            raise refuse("assessment_not_started", "not started")

    @workflow.update(name=commands.COMPLETE)
    async def complete(self, command: Command) -> CommandResult:
        self.completed = True
        on = command.complete.completed_on or command.today
        if command.complete.plan_needed:
            deadline = Deadline(kind=DeadlineKind.plan_start, due_on=on + timedelta(days=14))
            await self._move(command, Stage.planning, CaseStatus.awaiting_plan, deadline, "assessment.completed")
            return self._answer("awaiting_plan")
        await self._move(command, Stage.closed, CaseStatus.completed, None, "assessment.completed")
        return self._answer("completed")

    @complete.validator
    def _complete_fits(self, command: Command) -> None:
        if self.started_on is None:
            raise refuse("assessment_not_started", "not started")

    @workflow.update(name=commands.CORRECT)
    async def correct(self, command: Command) -> CommandResult:
        self.log.append("corrected")
        return self._answer("awaiting_plan")

    @correct.validator
    def _correct_fits(self, command: Command) -> None:
        if not self.completed:  # a code the catalogue lacks: answered with the generic reason
            raise refuse("assessment_not_completed_yet", "only a completed assessment is corrected")

    @workflow.query(name=commands.STATE)
    def state(self) -> dict:
        return {"case_id": str(self.case_id), "started_on": self.started_on and self.started_on.isoformat(), "completed": self.completed, "log": self.log}


@pytest.fixture
def settings(tmp_path, amqp_url, temporal_address, database_url):
    return make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=database_url)


def no_role(settings) -> dict[str, str]:
    return {"Authorization": "Bearer " + mint_token(settings, sub="nobody", name="Ei Roolia", roles=[], municipalities=["109"])}


async def registered_case(http, amqp_url, staff) -> dict:
    data = registration(municipality_code="109")
    await publish(amqp_url, event(data))

    async def found():
        items = (await http.get("/api/v1/cases", headers=staff)).json()["items"]
        return [item for item in items if item["status"] == "awaiting_assessment"]

    [case] = await eventually(found, what="the registered case")
    return (await http.get(f"/api/v1/cases/{case['case_id']}", headers=staff)).json()


def assert_three_languages(response) -> None:
    messages = response.json()["detail"]["messages"]
    assert set(messages) == {"fi", "sv", "en"} and all(messages.values()), messages


COMMANDS = {
    "schedule": ({"on": "2030-01-10", "remote": True, "interpreter_language": "so"}, {"on": "not-a-date", "remote": "maybe"}, {"on", "remote"}),
    "start": ({}, {"started_on": "someday"}, {"started_on"}),
    "interview": ({"literacy": "literate", "goals": "Work as a nurse"}, {"literacy": "fluent", "language_skills": [{"language": "FIN"}]}, {"literacy", "language_skills.0.language"}),
    "complete": ({"plan_needed": True, "plan_type": "individual"}, {"plan_type": "solo"}, {"plan_needed", "plan_type"}),
    "corrections": ({"reason": "Wrong goal", "goals": "Work as a doctor"}, {"goals": "x"}, {"reason"}),
}


async def test_assessment_commands_answer_with_the_case(settings, amqp_url):
    caseworker = token(settings, "109", role="caseworker", sub="cw-1")
    async with running(settings) as (runtime, http):
        case = await registered_case(http, amqp_url, caseworker)
        case_id = case["case_id"]
        path = f"/api/v1/cases/{case_id}/assessment"

        # No assessment open for the case yet.
        refused = await http.post(f"{path}/start", json={}, headers=caseworker)
        assert refused.status_code == 409 and refused.json()["detail"]["code"] == "assessment_not_open", refused.text
        assert (await http.get(path, headers=caseworker)).status_code == 404

        async with Worker(runtime.temporal, task_queue=task_queue("assessment"), workflows=[AssessmentDouble]):
            await runtime.temporal.start_workflow(
                "Assessment",
                DoubleInput(case_id=UUID(case_id), last_changed_at=datetime.fromisoformat(case["changed_at"])),
                id=f"assessment-{case_id}",
                task_queue=task_queue("assessment"),
            )
            for name, (good, bad, fields) in COMMANDS.items():
                # Another municipality: 404; a role that may not: 403; a bad body: 422 naming every field.
                assert (await http.post(f"{path}/{name}", json=good, headers=token(settings, "905"))).status_code == 404
                assert (await http.post(f"{path}/{name}", json=good, headers=token(settings, "109", role="admin"))).status_code == 403
                assert (await http.post(f"{path}/{name}", json=good, headers=no_role(settings))).status_code == 403
                invalid = await http.post(f"{path}/{name}", json=bad, headers=caseworker)
                assert invalid.status_code == 422, (name, invalid.text)
                assert fields <= {problem["field"] for problem in invalid.json()["detail"]}, name

            # Commands that don't fit the assessment's state: 409 with the reason in fi/sv/en.
            for name in ("complete", "interview", "corrections"):
                refused = await http.post(f"{path}/{name}", json=COMMANDS[name][0], headers={**caseworker, "Accept-Language": "sv"})
                assert refused.status_code == 409, (name, refused.text)
                assert_three_languages(refused)
            assert refused.json()["detail"]["code"] == "assessment_refused"  # a code the catalogue lacks

            scheduled = await http.post(f"{path}/schedule", json=COMMANDS["schedule"][0], headers=caseworker)
            assert scheduled.status_code == 200, scheduled.text
            assert scheduled.json()["status"] == "awaiting_assessment"

            once = {**caseworker, "Idempotency-Key": "start-1"}
            started = await http.post(f"{path}/start", json={}, headers=once)
            assert started.status_code == 200, started.text
            assert started.json()["status"] == "assessment_in_progress"
            assert started.json() == (await http.get(f"/api/v1/cases/{case_id}", headers=caseworker)).json()
            # The same key again: the first answer, no second effect; without it: refused.
            again = await http.post(f"{path}/start", json={}, headers=once)
            assert again.status_code == 200 and again.json()["status"] == "assessment_in_progress"
            twice = await http.post(f"{path}/start", json={}, headers=caseworker)
            assert twice.status_code == 409 and twice.json()["detail"]["code"] == "assessment_already_started"
            assert_three_languages(twice)

            recorded = await http.post(f"{path}/interview", json=COMMANDS["interview"][0], headers=caseworker)
            assert recorded.status_code == 200, recorded.text

            coordinator = token(settings, "109", role="coordinator", sub="co-1")
            completed = await http.post(f"{path}/complete", json=COMMANDS["complete"][0], headers=coordinator)
            assert completed.status_code == 200, completed.text
            body = completed.json()
            assert (body["stage"], body["status"]) == ("planning", "awaiting_plan")
            assert [deadline["kind"] for deadline in body["deadlines"]] == ["plan_start"]
            assert body == (await http.get(f"/api/v1/cases/{case_id}", headers=caseworker)).json()
            statuses = [(entry["status"], entry["changed_by"]) for entry in body["timeline"]]
            assert statuses[-2:] == [("assessment_in_progress", "Testi Käyttäjä"), ("awaiting_plan", "Testi Käyttäjä")]
            assert [status for status, _ in statuses].count("assessment_in_progress") == 1

            corrected = await http.post(f"{path}/corrections", json=COMMANDS["corrections"][0], headers=caseworker)
            assert corrected.status_code == 200, corrected.text

            state = await http.get(path, headers=caseworker)
            assert state.status_code == 200 and state.json()["log"] == ["scheduled", "started", "recorded", "corrected"]
            assert (await http.get(path, headers=token(settings, "905"))).status_code == 404


async def test_a_coordinator_assigns_and_a_caseworker_takes(settings, amqp_url):
    coordinator = token(settings, "109", role="coordinator", sub="co-1")
    kaisa = token(settings, "109", role="caseworker", sub="cw-kaisa")
    other = token(settings, "109", role="caseworker", sub="cw-other")
    async with running(settings) as (runtime, http):
        case = await registered_case(http, amqp_url, coordinator)
        path = f"/api/v1/cases/{case['case_id']}/assignee"
        assert case["assignee"] is None

        # Who may: 404 for another municipality, 403 for a role that may not, 422 naming the fields.
        assert (await http.put(path, json={"sub": "cw-kaisa", "name": "Kaisa"}, headers=token(settings, "905", role="coordinator"))).status_code == 404
        assert (await http.put(path, json={"sub": "cw-kaisa", "name": "Kaisa"}, headers=kaisa)).status_code == 403
        assert (await http.post(f"{path}/take", headers=coordinator)).status_code == 403
        assert (await http.delete(path, headers=kaisa)).status_code == 403
        assert (await http.post(f"{path}/take", headers=no_role(settings))).status_code == 403
        invalid = await http.put(path, json={"sub": ""}, headers=coordinator)
        assert invalid.status_code == 422 and {problem["field"] for problem in invalid.json()["detail"]} == {"sub", "name"}

        assigned = await http.put(path, json={"sub": "cw-kaisa", "name": "Kaisa Virtanen"}, headers=coordinator)
        assert assigned.status_code == 200, assigned.text
        assert (assigned.json()["assignee"], assigned.json()["assignee_sub"]) == ("Kaisa Virtanen", "cw-kaisa")
        assert assigned.json()["timeline"][-1]["changed_by"] == "Testi Käyttäjä"
        [listed] = (await http.get("/api/v1/cases", headers=other)).json()["items"]
        assert listed["assignee"] == "Kaisa Virtanen"

        taken = await http.post(f"{path}/take", headers=other)
        assert taken.status_code == 409 and taken.json()["detail"]["code"] == "case_already_assigned"
        assert_three_languages(taken)

        # The case's caseworker notification goes to its assignee, not to every caseworker.
        async with runtime.contexts["intake"].db.session() as session:
            await intake_service.request_notification(
                session,
                NotificationRequest(notification_id=uuid4(), kind="deadline_missed", case_id=case["case_id"], recipient_role="caseworker",
                                    params={"deadline": "assessment_start", "due_on": "2030-01-01"}),
            )
            await session.commit()

        async def told(headers):
            return [item for item in (await http.get("/api/v1/notifications", headers=headers)).json() if item["case_id"] == case["case_id"]]

        [notification] = await eventually(lambda: told(kaisa), what="the assignee's notification")
        assert notification["recipient_sub"] == "cw-kaisa"
        assert await told(other) == []

        removed = await http.delete(path, headers=coordinator)
        assert removed.status_code == 200 and removed.json()["assignee"] is None
        taken = await http.post(f"{path}/take", headers=other)
        assert taken.status_code == 200, taken.text
        assert taken.json()["assignee_sub"] == "cw-other"
        reasons = [entry["reason"] for entry in taken.json()["timeline"]]
        assert reasons[-3:] == ["assignee.assigned", "assignee.removed", "assignee.taken"]

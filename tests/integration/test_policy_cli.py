"""`kotopolku policy diff` and `policy apply` on the services' databases (SQLite and PostgreSQL):
the preview touches nothing; applying records the version once and writes one `policy_changed`
signal per open assessment, open plan and waiting triage decision for each service's
workflow-command relay."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from sqlmodel import select

from services.assessment import service as assessment_service
from services.assessment.models import PolicyVersion
from services.assessment.records import AssessmentRecord
from services.cli import main
from services.cli_database import run_in_service
from shared.contracts import assessment_workflow_id
from shared.db import Database
from shared.policy import load_policy, read_policy
from shared.settings import load_settings
from shared.workflow_commands import WorkflowCommand, unwrap

OLD = load_policy().version
BECAME = date(2027, 1, 15)


@pytest.fixture
def settings(tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("KOTOPOLKU_VAR_DIR", str(tmp_path / "var"))
    if database_url:
        monkeypatch.setenv("KOTOPOLKU_DATABASE_URL", database_url)
    return load_settings(var_dir=tmp_path / "var", database_url=database_url, log_format="console")


def record(municipality_code: str, status: str = "awaiting", **fields) -> AssessmentRecord:
    return AssessmentRecord(
        assessment_id=uuid.uuid4(), case_id=uuid.uuid4(), client_id=uuid.uuid4(), municipality_code=municipality_code, status=status,
        became_client_on=BECAME, due_on=date(2027, 3, 15), policy_version=OLD, **fields,
    )


def saved(settings, *records: AssessmentRecord) -> None:
    async def save(session):
        for each in records:
            await assessment_service.save_assessment(session, each)

    run_in_service("assessment", settings=settings, work=save)


def rows(settings, table) -> list:
    async def read(session):
        return list((await session.exec(select(table))).all())

    return run_in_service("assessment", settings=settings, work=read)


def test_diff_shows_the_moves_and_apply_tells_the_open_assessments(settings, tmp_path):
    espoo, hml, started = record("049"), record("109", overdue=True), record("109", status="in_progress", started_on=BECAME)
    saved(settings, espoo, hml, started)
    new = tmp_path / "amended.toml"
    new.write_text('label = "681/2023 amended"\neffective_from = 2027-03-01\nassessment_start_months = 3\n'
                   '[municipalities."049"]\nassessment_start_months = 2\n')
    version = read_policy(new).version
    runner = CliRunner()
    table = runner.invoke(main, ["policy", "diff", str(new)])
    assert table.exit_code == 0, table.output
    assert table.output.strip().splitlines()[-1] == f"1 open deadline(s) would move under policy {version} (681/2023 amended)"
    [line] = [line for line in table.output.splitlines() if str(hml.case_id) in line]
    assert line.split() == [str(hml.case_id), "109", "assessment_start", "2027-03-15", "2027-04-15", "yes", OLD]
    answer = runner.invoke(main, ["policy", "diff", str(new), "--json"])
    shown = json.loads(answer.output.strip().splitlines()[-1])
    assert (shown["version"], shown["effective_from"]) == (version, "2027-03-01")
    assert [(m["case_id"], m["due_on"], m["moves_to"], m["passed"]) for m in shown["moves"]] == [
        (str(hml.case_id), "2027-03-15", "2027-04-15", True)
    ]
    assert rows(settings, PolicyVersion) == [] and rows(settings, WorkflowCommand) == []  # the preview touches nothing

    applied = runner.invoke(main, ["policy", "apply", str(new), "--by", "Pääkäyttäjä"])
    assert applied.exit_code == 0, applied.output
    assert applied.output.strip().splitlines()[-1] == version
    assert f"not under {version}, until the processes run with {new}" in applied.output  # the processes' file is another
    [kept] = rows(settings, PolicyVersion)
    assert (kept.label, kept.effective_from, kept.applied_by, kept.signalled) == ("681/2023 amended", date(2027, 3, 1), "Pääkäyttäjä", 2)
    assert kept.content["municipalities"] == {"049": {"assessment_start_months": 2}}
    commands = rows(settings, WorkflowCommand)
    # Both open assessments follow the new version (049's date stays, its numbers are the new ones); not the started one.
    assert sorted(c.workflow_id for c in commands) == sorted(assessment_workflow_id(r.case_id) for r in (espoo, hml))
    by_id = {c.workflow_id: unwrap(c)[1] for c in commands}
    assert by_id[assessment_workflow_id(hml.case_id)]["assessment_start_months"] == 3
    assert by_id[assessment_workflow_id(espoo.case_id)]["assessment_start_months"] == 2
    assert {c.signal for c in commands} == {"policy_changed"} and {arg["version"] for arg in by_id.values()} == {version}

    listed = runner.invoke(main, ["policy", "versions"])
    [shown_version] = [line for line in listed.output.splitlines() if line.startswith(version)]
    assert shown_version.startswith(f"{version}  681/2023 amended  effective 2027-03-01  applied ") and shown_version.endswith("by Pääkäyttäjä")
    # The workflows record the version when they follow it; until then applying again tells them again.
    again = runner.invoke(main, ["policy", "apply", str(new), "--json"])
    assert json.loads(again.output.strip().splitlines()[-1])["already_applied"] is True
    assert len(rows(settings, PolicyVersion)) == 1


def test_a_file_that_is_not_a_policy_is_refused_readably(settings, tmp_path):
    runner = CliRunner()
    bad = tmp_path / "bad.toml"
    bad.write_text("assessment_start_months = 'two'\n")
    answer = runner.invoke(main, ["policy", "diff", str(bad)])
    assert answer.exit_code != 0 and "assessment_start_months" in answer.output
    broken = tmp_path / "broken.toml"
    broken.write_text("assessment_start_months = \n")
    assert "is not TOML" in runner.invoke(main, ["policy", "apply", str(broken)]).output
    assert "cannot read" in runner.invoke(main, ["policy", "diff", str(tmp_path / "missing.toml")]).output
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("assesment_start_months = 3\n")
    assert "assesment_start_months" in runner.invoke(main, ["policy", "diff", str(unknown)]).output


async def test_a_new_path_names_its_policy_version_and_the_case_takes_a_moved_deadline(settings):
    from services.intake import service as intake_service
    from services.intake.app import MIGRATIONS as INTAKE_MIGRATIONS
    from services.intake.models import ResidentRegistered
    from support import event, registration, with_identity_code

    from services.intake.models import ClientCase
    from shared.contracts import CaseChange, Deadline, DeadlineKind

    data = with_identity_code(registration(municipality_code="109"))
    database = Database("intake", settings.service_database_url("intake"))
    try:
        await database.migrate(INTAKE_MIGRATIONS)
        async with database.session() as session:
            registered = await intake_service.register_resident(
                session, event=event(data), data=ResidentRegistered.model_validate(data), policy=load_policy().for_municipality("109"),
                data_key=settings.data_key_bytes,
            )
            await intake_service.start_path(session, registered.case, registered.path)
            await session.commit()
        assert registered.path is not None and registered.path.assessment.policy_version == OLD

        # The assessment reports its moved deadline (the policy_changed signal's fact): intake keeps
        # the case where it is, with the new date, and puts the move on the timeline.
        moved = Deadline(kind=DeadlineKind.assessment_start, due_on=registered.path.assessment_due_on.replace(day=1))
        async with database.session() as session:
            await intake_service.apply_case_change(session, CaseChange(
                case_id=registered.case.id, stage="assessment", status="awaiting_assessment", next_deadline=moved,
                reason="policy.deadline_moved: …", deadlines=[moved], announce=True, fact="policy.deadline_moved",
            ), once="test-1")
            await session.commit()
        async with database.session() as session:
            case = await session.get(ClientCase, registered.case.id)
            assert (case.stage, case.status, case.next_deadline_on) == ("assessment", "awaiting_assessment", moved.due_on)
            assert case.deadlines == [{"kind": "assessment_start", "due_on": moved.due_on.isoformat()}]
    finally:
        await database.dispose()


def test_diff_and_apply_reach_the_plans_and_the_triage_queue(settings, tmp_path):
    from services.intake import service as intake_service
    from services.intake.models import ResidentRegistered
    from services.intake.triage.workflows import triage_workflow_id
    from services.planning import service as planning_service
    from services.planning.records import PlanRecord
    from shared.clock import today
    from shared.contracts import plan_workflow_id
    from shared.policy import add_months
    from support import event, registration, with_identity_code

    completed = today()
    waiting = PlanRecord(plan_id=uuid.uuid4(), case_id=uuid.uuid4(), client_id=uuid.uuid4(), municipality_code="109",
                         assessment_completed_on=completed, plan_start_due_on=completed + timedelta(days=14), policy_version=OLD)
    made_on = date(2027, 1, 4)
    active = PlanRecord(plan_id=uuid.uuid4(), case_id=uuid.uuid4(), client_id=uuid.uuid4(), municipality_code="109", status="active",
                        assessment_completed_on=made_on, plan_start_due_on=made_on, plan_on=made_on, first_plan_on=made_on,
                        ends_on=add_months(made_on, 12), referral_due_on=add_months(made_on, 6), review_due_on=add_months(made_on, 6),
                        policy_version=OLD)

    async def plans(session):
        for each in (waiting, active):
            await planning_service.save_plan(session, each)

    run_in_service("planning", settings=settings, work=plans)
    data = with_identity_code(registration(municipality_code="109", residence_basis="family"))

    async def queued(session):
        return await intake_service.register_resident(session, event=event(data), data=ResidentRegistered.model_validate(data),
                                                      policy=load_policy().for_municipality("109"), data_key=settings.data_key_bytes)

    case = run_in_service("intake", settings=settings, work=queued).case
    assert case.status == "needs_triage"
    new = tmp_path / "amended.toml"
    new.write_text('label = "681/2023 amended"\nplan_start_days = 30\nplan_review_months = 4\ntriage_decision_days = 30\n')
    version = read_policy(new).version
    runner = CliRunner()
    table = runner.invoke(main, ["policy", "diff", str(new)])
    assert table.exit_code == 0, table.output
    kinds = {line.split()[0]: line.split()[2:5] for line in table.output.splitlines() if line[:36].strip() and line.split()[0] != "case"}
    assert kinds[str(waiting.case_id)] == ["plan_start", waiting.plan_start_due_on.isoformat(), (completed + timedelta(days=30)).isoformat()]
    assert kinds[str(active.case_id)] == ["plan_review", add_months(made_on, 6).isoformat(), add_months(made_on, 4).isoformat()]
    assert kinds[str(case.id)][0] == "triage_decision"
    # The triage deadline names the policy version it came from (the case row keeps it), as the plans' do.
    [triage_line] = [line for line in table.output.splitlines() if line.startswith(str(case.id))]
    assert triage_line.split()[-1] == load_policy().version
    assert table.output.strip().splitlines()[-1] == f"3 open deadline(s) would move under policy {version} (681/2023 amended)"

    applied = runner.invoke(main, ["policy", "apply", str(new), "--json"])
    assert applied.exit_code == 0, applied.output
    shown = json.loads(applied.output.strip().splitlines()[-1])
    assert (shown["version"], shown["told"]) == (version, {"assessments": 0, "plans": 2, "triage": 1})
    assert sorted(m["kind"] for m in shown["moves"]) == ["plan_review", "plan_start", "triage_decision"]

    async def signals(session):
        return [(c.workflow_id, c.signal, unwrap(c)[1]["version"])
                for c in (await session.exec(select(WorkflowCommand).where(WorkflowCommand.kind == "signal"))).all()]

    assert sorted(run_in_service("planning", settings=settings, work=signals)) == sorted(
        (plan_workflow_id(r.case_id), "policy_changed", version) for r in (waiting, active)
    )
    assert run_in_service("intake", settings=settings, work=signals) == [(triage_workflow_id(case.id), "policy_changed", version)]

    # The clock moves the deadline (its activity, as the signal makes it run): the case row then names the new version.
    from datetime import datetime as _datetime, time as _time
    from services.intake.models import ClientCase
    from services.intake.triage.service import record_decision_moved
    from services.intake.triage.workflows import TriageDeadline, TriageDeadlineMoved, TriagePolicyChanged
    from shared.clock import FINNISH_TIME

    due_on = case.next_deadline_on
    moved_to = case.opened_on + timedelta(days=30)
    overdue_at = _datetime.combine(moved_to + timedelta(days=1), _time(0), tzinfo=FINNISH_TIME)
    moved = TriageDeadlineMoved(
        deadline=TriageDeadline(case_id=case.id, client_id=case.client_id, due_on=due_on, overdue_at=overdue_at,
                                coordinator_escalation_after=timedelta(days=14)),
        change=TriagePolicyChanged(version=version, label="681/2023 amended", due_on=moved_to, overdue_at=overdue_at), passed=False,
    )

    async def move(session):
        assert await record_decision_moved(session, moved, once=f"test/{case.id}")

    async def row(session):
        return (await session.get(ClientCase, case.id)).model_dump()

    run_in_service("intake", settings=settings, work=move)
    after = run_in_service("intake", settings=settings, work=row)
    assert (after["next_deadline_on"], after["next_deadline_policy_version"]) == (moved_to, version)

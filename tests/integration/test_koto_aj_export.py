"""The Koto-AJ hand-over on a recorded scenario, on each service's own database (SQLite and
PostgreSQL): two municipalities, a jobseeker and clients who are not, an assessment corrected
after the first export, a client who moved. Every line follows the one JSON Schema; a second run
writes only what changed, and the same run again writes nothing twice."""

from __future__ import annotations

import csv
import hashlib
import json
import uuid
from datetime import timedelta
from pathlib import Path

from types import SimpleNamespace

import jsonschema_rs
import pytest
from click.testing import CliRunner
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlmodel import select

from services.assessment import service as assessment_service
from services.assessment.records import AssessmentRecord
from services.cli import main
from services.export import MIGRATIONS, ExportRefused, export_koto_aj, router as export_router
from services.intake import known_clients, service as intake_service
from services.intake.models import ClientCase, ResidentMoved, ResidentRegistered
from services.planning import service as planning_service
from services.planning.records import Extension, Measure, PlanRecord, Review
from shared.clock import today
from shared.auth import mint_token
from shared.contracts import CaseStatus, Stage
from shared.http import install_error_handlers
from shared.db import Database
from shared.koto_aj import KINDS, SCHEMA_FILE, KotoAjHandover
from shared.messaging import OutboxMessage
from shared.policy import load_policy
from shared.settings import load_settings
from support import event, registration, with_identity_code

POLICY = load_policy().default
TODAY = today()
PERIOD = {"period_from": TODAY - timedelta(days=30), "period_to": TODAY}


@pytest.fixture
def settings(tmp_path, database_url):
    return load_settings(var_dir=tmp_path / "var", database_url=database_url, log_format="console")


class Scenario:
    """The recorded scenario, written through each service's own writers."""

    def __init__(self, settings) -> None:
        self.settings = settings
        self.databases = {name: Database(name, settings.service_database_url(name)) for name in MIGRATIONS}

    async def __aenter__(self) -> "Scenario":
        for name, database in self.databases.items():
            await database.migrate(MIGRATIONS[name])
        return self

    async def __aexit__(self, *exc) -> None:
        for database in self.databases.values():
            await database.dispose()

    async def register(self, family_name: str, municipality_code: str, **fields) -> intake_service.Registration:
        data = with_identity_code(registration(municipality_code=municipality_code, registered_on=TODAY - timedelta(days=20), **fields))
        data["person"]["family_name"] = family_name
        async with self.databases["intake"].session() as session:
            registered = await intake_service.register_resident(
                session, event=event(data), data=ResidentRegistered.model_validate(data), policy=POLICY, data_key=self.settings.data_key_bytes
            )
            await session.commit()
        self.identity_codes = getattr(self, "identity_codes", {}) | {family_name: data["person"]["personal_identity_code"]}
        return registered

    async def assessment(self, registered, **fields) -> AssessmentRecord:
        values = dict(
            assessment_id=uuid.uuid4(), case_id=registered.case.id, client_id=registered.client.id,
            municipality_code=registered.case.municipality_code, status="completed", due_on=TODAY + timedelta(days=40),
            became_client_on=TODAY - timedelta(days=20), started_on=TODAY - timedelta(days=15), completed_on=TODAY - timedelta(days=10),
            plan_needed=True, plan_type="individual", parts={"literacy": {"level": "literate"}},
        )
        record = AssessmentRecord(**(values | fields))
        await self.save_assessment(record)
        return record

    async def save_assessment(self, record: AssessmentRecord) -> None:
        async with self.databases["assessment"].session() as session:
            await assessment_service.save_assessment(session, record)
            await session.commit()

    async def plan(self, registered) -> PlanRecord:
        plan_on = TODAY - timedelta(days=5)
        record = PlanRecord(
            plan_id=uuid.uuid4(), case_id=registered.case.id, client_id=registered.client.id,
            municipality_code=registered.case.municipality_code, status="active", assessment_completed_on=TODAY - timedelta(days=10),
            plan_start_due_on=TODAY + timedelta(days=4), type="multi_sectoral", plan_on=plan_on, first_plan_on=plan_on,
            wellbeing_county_participant="Liisa Laine", wellbeing_county_participant_sub="kh-liisa",
            ends_on=plan_on + timedelta(days=365), goals="Finnish B1.1 and work as a welder",
            measures=[Measure(measure_id=uuid.uuid4(), kind="language_studies", provider="Hämeen ammattikorkeakoulu", language="fi", hours=200)],
            reviews=[Review(review_id=uuid.uuid4(), reviewed_on=TODAY - timedelta(days=1), next_review_on=TODAY + timedelta(days=180),
                            wellbeing_county_participant="Liisa Laine", wellbeing_county_participant_sub="kh-liisa")],
            extensions=[Extension(decided_on=TODAY - timedelta(days=1), from_ends_on=plan_on + timedelta(days=365),
                                  ends_on=plan_on + timedelta(days=540), reason="Integration training continues")],
        )
        await self.save_plan(record)
        return record

    async def save_plan(self, record: PlanRecord) -> None:
        async with self.databases["planning"].session() as session:
            await planning_service.save_plan(session, record)
            await session.commit()

    async def close(self, registered, status: CaseStatus) -> None:
        async with self.databases["intake"].session() as session:
            case = await session.get(ClientCase, registered.case.id)
            await intake_service.change_case(session, case, Stage.assessment, CaseStatus.awaiting_assessment, None, "path")
            await intake_service.change_case(session, case, Stage.closed, status, None, f"case.closed.{status}")
            await session.commit()

    async def move(self, registered, to_municipality_code: str) -> None:
        moved = {"person_ref": {"client_id": str(registered.client.id)}, "from_municipality_code": registered.case.municipality_code,
                 "to_municipality_code": to_municipality_code, "moved_on": TODAY.isoformat()}
        async with self.databases["intake"].session() as session:
            await known_clients.move_client(session, event=event(moved), data=ResidentMoved.model_validate(moved), data_key=self.settings.data_key_bytes)
            await session.commit()


def lines(out: Path) -> dict[str, list[dict]]:
    return {kind: [json.loads(line) for line in (out / f"{kind}.jsonl").read_text(encoding="utf-8").splitlines()] for kind in KINDS}


def check_against_schema(out: Path) -> None:
    validator = jsonschema_rs.validator_for(json.loads((out / SCHEMA_FILE).read_text(encoding="utf-8")))
    for kind, rows in lines(out).items():
        for row in rows:
            errors = [error.message for error in validator.iter_errors(row)]
            assert errors == [], (kind, errors)
        with (out / f"{kind}.csv").open(encoding="utf-8") as table:
            assert len(list(csv.DictReader(table))) == len(rows)


async def test_the_hand_over_is_validated_incremental_and_idempotent(settings, tmp_path):
    async with Scenario(settings) as scenario:
        # Hämeenlinna (109): a refugee with an assessment, a plan (a measure, a review, an
        # extension), and a jobseeker whose records are the employment authority's.
        amina = await scenario.register("Hassan", "109")
        jobseeker = await scenario.register("Nguyen", "109", jobseeker=True)
        amina_assessment = await scenario.assessment(amina)
        await scenario.plan(amina)
        await scenario.assessment(jobseeker)
        await scenario.plan(jobseeker)
        # Vaasa (905): an assessment only started, and a case closed when the client found work.
        omar = await scenario.register("Karimi", "905")
        await scenario.assessment(omar, status="in_progress", completed_on=None, plan_needed=None, plan_type=None)
        fatima = await scenario.register("Yusuf", "905")
        await scenario.close(fatima, CaseStatus.employed)

        first = tmp_path / "export-1"
        done = await export_koto_aj(settings, **PERIOD, out=first, municipalities=[], operator="tester")
        assert done.export_id is not None
        check_against_schema(first)
        rows = lines(first)
        everyone = {amina.client.id, omar.client.id, fatima.client.id}
        assert {uuid.UUID(row["client_id"]) for kind in rows for row in rows[kind]} == everyone  # never the jobseeker
        assert {row["data"]["family_name"] for row in rows["client"]} == {"Hassan", "Karimi", "Yusuf"}
        opened = {row["data"]["family_name"]: row["data"]["personal_identity_code"] for row in rows["client"]}
        assert opened == {name: scenario.identity_codes[name] for name in ("Hassan", "Karimi", "Yusuf")}  # opened only here
        assert [(row["data"]["reason"], row["municipality_code"]) for row in rows["closure"]] == [("employed", "905")]
        assert {row["municipality_code"] for row in rows["assessment"]} == {"109", "905"}
        assert [len(rows[kind]) for kind in ("plan", "measure", "review", "extension")] == [1, 1, 1, 1]
        assert rows["extension"][0]["data"]["reason"] == "Integration training continues"
        # The multi-sectoral plan's review names the county's participant (data set 1.1).
        assert rows["review"][0]["data"]["wellbeing_county_participant"] == "Liisa Laine"
        manifest = json.loads((first / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["dataset_version"] == "1.1" and manifest["counts"]["assessment"] == 2

        # The same export again: nothing new, nothing written twice (its directory is kept as it was).
        assert (await export_koto_aj(settings, **PERIOD, out=first, municipalities=[], operator="tester")).export_id is None
        assert lines(first) == rows

        # A correction of Amina's assessment and her move to Tampere (837): only these are new versions.
        corrected = amina_assessment.model_copy(update={"parts": {"literacy": {"level": "literate_other_alphabet"}}})
        await scenario.save_assessment(corrected)
        await scenario.move(amina, "837")
        with pytest.raises(ExportRefused, match="already holds"):
            await export_koto_aj(settings, **PERIOD, out=first, municipalities=[], operator="tester")
        second = tmp_path / "export-2"
        assert (await export_koto_aj(settings, **PERIOD, out=second, municipalities=[], operator="tester")).export_id is not None
        check_against_schema(second)
        again = lines(second)
        assert [row["record_key"] for row in again["assessment"]] == [f"assessment:{amina_assessment.assessment_id}"]
        assert again["assessment"][0]["data"]["results"] == {"literacy": {"level": "literate_other_alphabet"}}
        assert again["assessment"][0]["record_version"] != next(
            row["record_version"] for row in rows["assessment"] if row["record_key"] == again["assessment"][0]["record_key"]
        )
        assert [(row["data"]["family_name"], row["municipality_code"]) for row in again["client"]] == [("Hassan", "837")]
        assert [again[kind] for kind in ("plan", "measure", "review", "extension", "closure")] == [[], [], [], [], []]

        # Upgrading from 1.0: the ledger holds each review's 1.0 version (its content without the
        # participant), so the first export after the upgrade hands every review over once again — only those.
        review = rows["review"][0]
        before = {name: value for name, value in review["data"].items() if name != "wellbeing_county_participant"}
        version_1_0 = hashlib.sha256(json.dumps(before, sort_keys=True).encode()).hexdigest()[:16]
        assert version_1_0 != review["record_version"]
        async with scenario.databases["planning"].session() as session:
            handed = await session.get(KotoAjHandover, review["record_key"])
            handed.record_version = version_1_0
            session.add(handed)
            await session.commit()
        upgraded = tmp_path / "export-upgraded"
        assert (await export_koto_aj(settings, **PERIOD, out=upgraded, municipalities=[], operator="tester")).export_id is not None
        check_against_schema(upgraded)
        once_more = lines(upgraded)
        assert [row["record_key"] for row in once_more["review"]] == [review["record_key"]]
        assert once_more["review"][0]["dataset_version"] == "1.1"
        assert [once_more[kind] for kind in ("assessment", "plan", "measure", "extension", "closure")] == [[], [], [], [], []]
        assert set((await export_koto_aj(settings, **PERIOD, out=tmp_path / "export-4", municipalities=[], operator="tester")).counts.values()) == {0}

        # Each export is in the access log (the services' outboxes carry the reads).
        async with scenario.databases["assessment"].session() as session:
            bodies = [json.loads(row.body) for row in (await session.exec(select(OutboxMessage))).all()]
        reads = [body["data"] for body in bodies if body["data"].get("action") == "koto_aj.export"]
        assert [len(read["records"]) for read in reads] == [2, 1]


def test_the_command_prints_the_directory_last_and_refuses_a_bad_period(settings, tmp_path, monkeypatch):
    monkeypatch.setenv("KOTOPOLKU_VAR_DIR", str(settings.var_dir))
    if settings.database_url:
        monkeypatch.setenv("KOTOPOLKU_DATABASE_URL", settings.database_url)
    out = tmp_path / "out"
    runner = CliRunner()
    answer = runner.invoke(main, ["export", "koto-aj", "--from", "2027-01-01", "--to", "2027-12-31", "--out", str(out)])
    assert answer.exit_code == 0, answer.output
    assert answer.output.strip().splitlines()[-1] == str(out)
    assert (out / SCHEMA_FILE).exists() and (out / "assessment.jsonl").read_text() == ""
    refused = runner.invoke(main, ["export", "koto-aj", "--from", "2027-12-31", "--to", "2027-01-01", "--out", str(tmp_path / "x")])
    assert refused.exit_code != 0 and "before" in refused.output


async def test_an_admin_exports_their_municipalities_through_the_api(settings, tmp_path):
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(export_router)
    async with Scenario(settings) as scenario:
        app.state.settings = settings
        app.state.contexts = {name: SimpleNamespace(db=database) for name, database in scenario.databases.items()}
        amina = await scenario.register("Hassan", "109")
        await scenario.assessment(amina)
        omar = await scenario.register("Karimi", "905")
        await scenario.assessment(omar)

        def as_(role: str, *municipalities: str) -> dict[str, str]:
            return {"Authorization": "Bearer " + mint_token(settings, sub=f"{role}-1", name=role, roles=[role], municipalities=list(municipalities))}

        period = {"from": PERIOD["period_from"].isoformat(), "to": PERIOD["period_to"].isoformat()}
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as http:
            url = "/api/v1/admin/koto-aj/exports"
            assert (await http.post(url, json=period, headers=as_("coordinator", "109"))).status_code == 403
            assert (await http.post(url, json={**period, "municipalities": ["905"]}, headers=as_("admin", "109"))).status_code == 404
            bad = await http.post(url, json={"from": period["to"], "to": period["from"]}, headers=as_("admin", "109"))
            assert bad.status_code == 422 and bad.json()["detail"]["code"] == "export_refused"

            done = await http.post(url, json=period, headers=as_("admin", "109"))
            assert done.status_code == 200, done.text
            assert (done.json()["counts"]["assessment"], done.json()["counts"]["client"]) == (1, 1)
            files = done.json()["files"]
            assessments = await http.get(next(f for f in files if f.endswith("/assessment.jsonl")), headers=as_("admin", "109"))
            assert assessments.status_code == 200
            [row] = [json.loads(line) for line in assessments.text.splitlines()]
            assert row["municipality_code"] == "109" and row["client_id"] == str(amina.client.id)
            # Another municipality's admin does not see it; the same export again has nothing new.
            assert (await http.get(files[0], headers=as_("admin", "905"))).status_code == 404
            again = await http.post(url, json=period, headers=as_("admin", "109"))
            assert again.json() == {"export_id": None, "counts": again.json()["counts"], "files": []}
            assert not any(again.json()["counts"].values())

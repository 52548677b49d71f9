"""The wellbeing services county's view (role `wellbeing_county`) against a real Kotopolku: it
reads the multi-sectoral assessments and plans of its own county's municipalities only (the
county of each municipality from shared/data), read-only; another county's case, or a case that
is not multi-sectoral, answers 404, and no command is its to send."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from services.assessment.models import Assessment
from services.planning.models import IntegrationPlan
from shared.auth import mint_token
from shared.clock import now
from support import make_settings, running, token

KANTA_HAME = "Kanta-Hämeen hyvinvointialue"  # Hämeenlinna (109) is in it; Vaasa (905) is not


@pytest.fixture
def settings(tmp_path, amqp_url, temporal_address, database_url):
    return make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=database_url)


def county(settings, *counties: str) -> dict[str, str]:
    jwt = mint_token(settings, sub="hva-1", name="Hanna Sosiaalityöntekijä", roles=["wellbeing_county"], municipalities=[],
                     wellbeing_counties=list(counties))
    return {"Authorization": f"Bearer {jwt}"}


async def seed(runtime, municipality_code: str, plan_type: str) -> UUID:
    """A case's completed assessment and its plan, as their workflows write them."""
    case_id, client_id = uuid4(), uuid4()
    participant = "Hanna Sosiaalityöntekijä" if plan_type == "multi_sectoral" else None
    async with runtime.contexts["assessment"].db.session() as session:
        session.add(Assessment(
            id=uuid4(), case_id=case_id, client_id=client_id, municipality_code=municipality_code, status="completed",
            due_on=date(2027, 3, 1), completed_on=date(2027, 2, 1), plan_needed=True, plan_type=plan_type,
            became_client_on=date(2027, 1, 1), wellbeing_county_participant=participant, updated_at=now(),
        ))
        await session.commit()
    async with runtime.contexts["planning"].db.session() as session:
        session.add(IntegrationPlan(
            id=uuid4(), case_id=case_id, client_id=client_id, municipality_code=municipality_code, status="active", type=plan_type,
            plan_on=date(2027, 2, 10), record={"type": plan_type, "wellbeing_county_participant": participant}, updated_at=now(),
        ))
        await session.commit()
    return case_id


async def test_the_county_reads_its_own_multi_sectoral_assessments_and_plans_only(settings):
    async with running(settings) as (runtime, http):
        ours = await seed(runtime, "109", "multi_sectoral")
        other_county = await seed(runtime, "905", "multi_sectoral")
        individual = await seed(runtime, "109", "individual")
        staff = county(settings, KANTA_HAME)

        plan = await http.get(f"/api/v1/county/plans/{ours}", headers=staff)
        assert plan.status_code == 200, plan.text
        assert (plan.json()["municipality_code"], plan.json()["plan"]["type"]) == ("109", "multi_sectoral")
        assessment = await http.get(f"/api/v1/county/assessments/{ours}", headers=staff)
        assert assessment.status_code == 200, assessment.text
        assert (assessment.json()["plan_type"], assessment.json()["wellbeing_county_participant"]) == ("multi_sectoral", "Hanna Sosiaalityöntekijä")
        listed = (await http.get("/api/v1/county/plans", headers=staff)).json()
        assert [item["case_id"] for item in listed["items"]] == [str(ours)] and listed["total"] == 1

        for case_id in (other_county, individual):
            assert (await http.get(f"/api/v1/county/plans/{case_id}", headers=staff)).status_code == 404
            assert (await http.get(f"/api/v1/county/assessments/{case_id}", headers=staff)).status_code == 404
        # The other county sees its own, not ours.
        pohjanmaa = county(settings, "Pohjanmaan hyvinvointialue")
        assert (await http.get(f"/api/v1/county/plans/{other_county}", headers=pohjanmaa)).status_code == 200
        assert (await http.get(f"/api/v1/county/plans/{ours}", headers=pohjanmaa)).status_code == 404

        # Read-only: no staff command is the county's, and the municipality's case views are not its.
        for path, body in (("plan/reviews", {}), ("plan", {"type": "individual"}), ("assessment/start", {}), ("closure", {"reason": "other"})):
            refused = await http.post(f"/api/v1/cases/{ours}/{path}", json=body, headers=staff)
            assert refused.status_code in (403, 404), (path, refused.status_code)
        assert (await http.get(f"/api/v1/cases/{ours}/plan", headers=staff)).status_code in (403, 404)
        assert (await http.get("/api/v1/cases", headers=staff)).json()["items"] == []
        # The municipality's own staff have their routes; the county's are not theirs.
        assert (await http.get(f"/api/v1/county/plans/{ours}", headers=token(settings, "109"))).status_code == 403

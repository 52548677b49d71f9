"""The wellbeing services county's staff in the dashboard, in a real browser (Debian's Chromium
driven by Playwright): signed in with the `wellbeing_county` role they see their county's
multi-sectoral plans — the municipality, the plan's dates, the county's participant — and open one
read-only with its measures, in Swedish; the municipality's case list is not theirs. A caseworker
never sees the county's section."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest
from playwright.async_api import async_playwright, expect

from services.assessment.models import Assessment
from services.planning.models import IntegrationPlan
from shared.auth import mint_token
from shared.clock import now
from browser import launch, signed_in
from support import app_of, free_port, make_settings, running, serving

pytestmark = pytest.mark.e2e

KANTA_HAME = "Kanta-Hämeen hyvinvointialue"  # Hämeenlinna (109, Tavastehus in Swedish) is in it


async def multi_sectoral_plan(runtime) -> UUID:
    """A completed multi-sectoral assessment and its plan, as their workflows write them."""
    case_id, client_id = uuid4(), uuid4()
    async with runtime.contexts["assessment"].db.session() as session:
        session.add(Assessment(
            id=uuid4(), case_id=case_id, client_id=client_id, municipality_code="109", status="completed",
            due_on=date(2027, 3, 1), completed_on=date(2027, 2, 1), plan_needed=True, plan_type="multi_sectoral",
            became_client_on=date(2027, 1, 1), wellbeing_county_participant="Liisa Laine", updated_at=now(),
        ))
        await session.commit()
    record = {
        "type": "multi_sectoral", "status": "active", "plan_on": "2027-02-10", "review_due_on": "2027-08-10",
        "wellbeing_county_participant": "Liisa Laine", "goals": "Työ hoiva-alalla",
        "measures": [{"kind": "work_try_out", "status": "referred", "provider": "Hämeenlinnan kaupunki"}],
    }
    async with runtime.contexts["planning"].db.session() as session:
        session.add(IntegrationPlan(
            id=uuid4(), case_id=case_id, client_id=client_id, municipality_code="109", status="active", type="multi_sectoral",
            plan_on=date(2027, 2, 10), record=record, updated_at=now(),
        ))
        await session.commit()
    return case_id


async def test_the_countys_staff_read_their_countys_multi_sectoral_plans(tmp_path, amqp_url, temporal_address):
    settings = make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=None)
    async with running(settings) as (runtime, _http):
        case_id = await multi_sectoral_plan(runtime)
        county = mint_token(settings, sub="kh-liisa", name="Liisa Laine", roles=["wellbeing_county"], municipalities=[],
                            wellbeing_counties=[KANTA_HAME])
        caseworker = mint_token(settings, sub="aino", name="Aino Virtanen", roles=["caseworker"], municipalities=["109"])
        async with serving(app_of(runtime), free_port()) as base, async_playwright() as playwright:
            browser = await launch(playwright)
            page = await signed_in(browser, base, county, locale="sv-FI")
            section = page.locator("#county")
            await expect(section).to_be_visible(timeout=15_000)
            await expect(section.locator("h2")).to_have_text("Välfärdsområdets sektorsövergripande planer")
            row = page.locator(f"#county-plans-body tr[data-case-id='{case_id}']")
            await expect(row).to_contain_text("Tavastehus")
            await expect(row).to_contain_text("Liisa Laine")
            await expect(row).to_contain_text("Gällande")
            # The municipality's own lists are not the county's.
            await expect(page.locator(".cases-section")).to_be_hidden()
            await expect(page.locator("#figures")).to_be_hidden()

            await row.locator("button").click()
            detail = page.locator("#county-detail")
            await expect(detail).to_contain_text("Plan, Tavastehus")
            await expect(detail).to_contain_text("Arbetsprövning")
            await expect(detail).to_contain_text("Hämeenlinnan kaupunki")
            await expect(detail).to_contain_text("Den inledande kartläggningen slutförd")

            staff = await signed_in(browser, base, caseworker)
            await expect(staff.locator(".cases-section")).to_be_visible()
            await expect(staff.locator("#county")).to_be_hidden()
            await browser.close()

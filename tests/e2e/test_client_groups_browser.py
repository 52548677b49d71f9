"""The groups the projects reach and the choices of a plan in a real browser (Debian's Chromium
driven by Playwright): the client's groups on the case and the staff decision on them; the
wellbeing services county's participant chosen from the county's staff list, and a family plan's
members from the client's household — nothing typed."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import async_playwright, expect

from shared.auth import mint_token
from browser import launch, signed_in
from support import answers_200, app_of, event, eventually, every_count_shown, free_port, make_settings, person, publish, registration, running, serving

pytestmark = pytest.mark.e2e


async def _awaiting_plan(http: httpx.AsyncClient, amqp_url: str, staff: dict[str, str], **more) -> str:
    """A registration's case taken through the assessment routes to `awaiting_plan`."""
    await publish(amqp_url, event(registration(municipality_code="109", **more)))

    async def registered():
        items = (await http.get("/api/v1/cases", headers=staff)).json()["items"]
        return [item["case_id"] for item in items if item["status"] == "awaiting_assessment"]

    [case_id] = await eventually(registered, what="the registered case")
    assessment = f"/api/v1/cases/{case_id}/assessment"
    await eventually(lambda: answers_200(http.get(assessment, headers=staff)), what="the assessment workflow")
    assert (await http.post(f"{assessment}/start", json={}, headers=staff)).status_code == 200
    completed = await http.post(f"{assessment}/complete", json={"plan_needed": True, "plan_type": "individual"}, headers=staff)
    assert completed.status_code == 200, completed.text
    await eventually(lambda: answers_200(http.get(f"/api/v1/cases/{case_id}/plan", headers=staff)), what="the case's plan workflow")
    return case_id


async def test_a_caseworker_records_groups_and_chooses_the_plans_participant_and_family(tmp_path, amqp_url, temporal_address):
    settings = make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=None, policy_file=every_count_shown(tmp_path))
    async with running(settings) as (runtime, _http):
        async with serving(app_of(runtime), free_port()) as base, async_playwright() as playwright:
            jwt = mint_token(settings, sub="aino", name="Aino Virtanen", roles=["caseworker"], municipalities=["109"])
            staff = {"Authorization": f"Bearer {jwt}"}
            admin = {"Authorization": "Bearer " + mint_token(settings, sub="adm", name="Ylläpito", roles=["admin"], municipalities=["109"])}
            async with httpx.AsyncClient(base_url=base) as http:
                staff_list = {"staff": [{"sub": "kh-liisa", "name": "Liisa Laine", "title": "sosiaalityöntekijä"}]}
                assert (await http.put("/api/v1/county/staff/Kanta-Hämeen hyvinvointialue", json=staff_list, headers=admin)).status_code == 200
                child = await _awaiting_plan(http, amqp_url, staff, household_id="HML-HH-7", person=person(given_names="Hodan", birth_date="2015-06-01"))
                case_id = await _awaiting_plan(http, amqp_url, staff, household_id="HML-HH-7", client_groups=["disabled"])

            browser = await launch(playwright)
            page = await signed_in(browser, base, jwt)
            row = page.locator(f"#cases tr[data-case-id='{case_id}']")
            await expect(row).to_have_attribute("data-status", "awaiting_plan", timeout=20_000)
            await row.locator("button").first.click()

            # The client's groups, in Finnish; the staff decision adds one, with its reason.
            await expect(page.locator("#client-groups-now")).to_have_text("Vammainen henkilö", timeout=15_000)
            await page.click("#client-groups-decision summary")
            await page.check("#client-group-stay_at_home_parents")
            await page.fill("#client-groups-reason", "Hoitaa kotona kahta lasta")
            # A live change of the case draws its view afresh: the form stays open and filled in.
            async with httpx.AsyncClient(base_url=base) as http:
                needs = {"interpreter": {"language": "so"}, "integration_language": "sv"}
                assert (await http.put(f"/api/v1/cases/{case_id}/language-needs", json=needs, headers=staff)).status_code == 200
            await expect(page.locator("#detail-client")).to_contain_text("Kotoutumisen kieliRuotsi", timeout=15_000)
            await expect(page.locator("#client-groups-decision")).to_have_attribute("open", "", timeout=5_000)
            await expect(page.locator("#client-group-stay_at_home_parents")).to_be_checked()
            await expect(page.locator("#client-groups-reason")).to_have_value("Hoitaa kotona kahta lasta")
            await page.click("#client-groups-form button[type='submit']")
            await expect(page.locator("#client-groups-status")).to_have_text("Ryhmät tallennettu.", timeout=15_000)
            await expect(page.locator("#client-groups-now")).to_have_text("Kotivanhempi, Vammainen henkilö", timeout=15_000)

            # The county's participant is a select of its staff; the family's members, the household's other cases.
            participant = page.locator("select#plan-wellbeing")
            await expect(participant.locator("option[value='kh-liisa']")).to_have_text("Liisa Laine (sosiaalityöntekijä)", timeout=15_000)
            await expect(page.locator(f"#plan-family-{child}")).to_have_count(1, timeout=15_000)
            await page.select_option("#plan-type", "multi_sectoral")
            await participant.select_option("kh-liisa")
            await page.check(f"#plan-family-{child}")
            await page.click("#plan-form button[type='submit']")
            await expect(page.locator("#plan-panel")).to_have_attribute("data-plan-status", "active", timeout=15_000)
            await expect(page.locator("#plan-state")).to_contain_text("Liisa Laine")
            await browser.close()

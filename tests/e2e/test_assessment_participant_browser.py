"""The dashboard's assessment completion form in a real browser (Debian's Chromium driven by
Playwright): the wellbeing services county's participant of a multi-sectoral assessment is chosen
from the county's staff list, never typed, and the plan that follows inherits the chosen person."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import async_playwright, expect

from shared.auth import mint_token
from browser import launch, signed_in
from support import app_of, event, eventually, free_port, make_settings, publish, registration, running, serving

pytestmark = pytest.mark.e2e


async def test_a_caseworker_chooses_the_assessments_county_participant(tmp_path, amqp_url, temporal_address):
    settings = make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=None)
    async with running(settings) as (runtime, _http):
        async with serving(app_of(runtime), free_port()) as base, async_playwright() as playwright:
            jwt = mint_token(settings, sub="aino", name="Aino Virtanen", roles=["caseworker"], municipalities=["109"])
            staff = {"Authorization": f"Bearer {jwt}"}
            admin = {"Authorization": "Bearer " + mint_token(settings, sub="adm", name="Ylläpito", roles=["admin"], municipalities=["109"])}
            async with httpx.AsyncClient(base_url=base) as http:
                staff_list = {"staff": [{"sub": "kh-liisa", "name": "Liisa Laine", "title": "sosiaalityöntekijä"}]}
                assert (await http.put("/api/v1/county/staff/Kanta-Hämeen hyvinvointialue", json=staff_list, headers=admin)).status_code == 200
                await publish(amqp_url, event(registration(municipality_code="109")))

                async def registered():
                    items = (await http.get("/api/v1/cases", headers=staff)).json()["items"]
                    return [item["case_id"] for item in items if item["status"] == "awaiting_assessment"]

                [case_id] = await eventually(registered, what="the registered case")
                assessment = f"/api/v1/cases/{case_id}/assessment"

                async def open_():
                    return (await http.get(assessment, headers=staff)).status_code == 200

                await eventually(open_, what="the assessment workflow")
                assert (await http.post(f"{assessment}/start", json={}, headers=staff)).status_code == 200

            browser = await launch(playwright)
            page = await signed_in(browser, base, jwt, locale="sv-FI")
            row = page.locator(f"#cases tr[data-case-id='{case_id}']")
            await expect(row).to_have_attribute("data-status", "assessment_in_progress", timeout=20_000)
            await row.locator("button").first.click()

            participant = page.locator("select#complete-wellbeing")
            await expect(participant.locator("option[value='kh-liisa']")).to_have_text("Liisa Laine (sosiaalityöntekijä)", timeout=15_000)
            await expect(page.locator("input#complete-wellbeing")).to_have_count(0)
            await page.select_option("#complete-plan-needed", "yes")
            await page.select_option("#complete-plan-type", "multi_sectoral")
            await participant.select_option("kh-liisa")
            await page.click("#complete-form button[type='submit']")
            await expect(row).to_have_attribute("data-status", "awaiting_plan", timeout=20_000)
            await browser.close()

            async with httpx.AsyncClient(base_url=base) as http:
                async def plan():
                    answer = await http.get(f"/api/v1/cases/{case_id}/plan", headers=staff)
                    return answer.json() if answer.status_code == 200 else None

                record = await eventually(plan, what="the case's plan workflow")
                assert (record["wellbeing_county_participant"], record["wellbeing_county_participant_sub"]) == ("Liisa Laine", "kh-liisa")

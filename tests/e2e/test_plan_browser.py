"""A caseworker's plan in the staff dashboard, in a real browser (Debian's Chromium driven by
Playwright): from a case awaiting its plan to the plan drawn up, followed and the case closed, in
Finnish and Swedish."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from playwright.async_api import async_playwright, expect

from shared.auth import mint_token
from shared.clock import today as finnish_today
from shared.figures import month_end
from browser import launch, signed_in
from support import app_of, event, every_count_shown, eventually, free_port, make_settings, publish, registration, running, serving

pytestmark = pytest.mark.e2e


async def _case_awaiting_plan(http: httpx.AsyncClient, amqp_url: str, staff: dict[str, str]) -> str:
    """A registration's case taken through the assessment routes to `awaiting_plan`, once its
    plan workflow is open."""
    await publish(amqp_url, event(registration(municipality_code="109")))

    async def registered():
        items = (await http.get("/api/v1/cases", headers=staff)).json()["items"]
        return [item["case_id"] for item in items if item["status"] == "awaiting_assessment"]

    [case_id] = await eventually(registered, what="the registered case")
    assessment = f"/api/v1/cases/{case_id}/assessment"
    await eventually(lambda: _status(http.get(assessment, headers=staff), 200), what="the assessment workflow")
    assert (await http.post(f"{assessment}/start", json={}, headers=staff)).status_code == 200
    completed = await http.post(f"{assessment}/complete", json={"plan_needed": True, "plan_type": "individual"}, headers=staff)
    assert completed.status_code == 200 and completed.json()["status"] == "awaiting_plan", completed.text
    await eventually(lambda: _status(http.get(f"/api/v1/cases/{case_id}/plan", headers=staff), 200), what="the case's plan workflow")
    return case_id


async def _status(call, status: int) -> bool:
    return (await call).status_code == status


async def test_a_caseworker_draws_up_follows_and_closes_a_plan_in_finnish_and_swedish(tmp_path, amqp_url, temporal_address):
    """From a case awaiting its plan: the due-soon switch finds it, the plan is drawn up, a
    language-studies measure added and completed with its level, a review recorded (a refused one
    first, its reason in Swedish), and the case closed as employed."""
    settings = make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=None, policy_file=every_count_shown(tmp_path))
    async with running(settings) as (runtime, _http):
        async with serving(app_of(runtime), free_port()) as base, async_playwright() as playwright:
            jwt = mint_token(settings, sub="aino", name="Aino Virtanen", roles=["caseworker"], municipalities=["109"])
            async with httpx.AsyncClient(base_url=base) as http:
                case_id = await _case_awaiting_plan(http, amqp_url, {"Authorization": f"Bearer {jwt}"})

            browser = await launch(playwright)
            page = await signed_in(browser, base, jwt)
            await expect(page.locator("#app-view")).to_be_visible()
            row = page.locator(f"#cases tr[data-case-id='{case_id}']")
            await expect(row).to_have_attribute("data-status", "awaiting_plan", timeout=20_000)

            # What is due soon: the plan is due in 14 days (policy), so within 30 days, not 7.
            await page.select_option("#filter-due", "7")
            await expect(row).to_have_count(0, timeout=10_000)
            await page.select_option("#filter-due", "30")
            await expect(row).to_have_count(1, timeout=10_000)
            await expect(page.locator("#filter-due option[value='30']")).to_have_text("30 päivän sisällä")
            # Back to every case: once the plan is made its nearest deadline (the referral, a
            # calendar month on) may fall just outside 30 days.
            await page.select_option("#filter-due", "")

            await row.locator("button").first.click()
            panel = page.locator("#plan-panel")
            await expect(panel).to_have_attribute("data-plan-status", "awaiting", timeout=15_000)
            await expect(page.locator("#plan-title")).to_have_text("Kotoutumissuunnitelma")

            # Draw up the plan.
            await page.select_option("#plan-type", "individual")
            await page.fill("#plan-goals", "Suomen kieli B1-tasolle, työ hitsaajana")
            await page.click("#plan-form button[type='submit']")
            await expect(panel).to_have_attribute("data-plan-status", "active", timeout=15_000)
            await expect(row).to_have_attribute("data-status", "plan_active", timeout=15_000)
            await expect(page.locator("#plan-state")).to_contain_text("Yksilöllinen")
            # The timeline says what happened in words, not as a code.
            await expect(page.locator("#detail-timeline li").first).to_contain_text(
                "Kotoutumissuunnitelma laadittu: Yksilöllinen", timeout=15_000
            )

            # A language-studies measure, started.
            await page.select_option("#measure-kind", "language_studies")
            await page.fill("#measure-provider", "Hämeen kesäyliopisto")
            await page.fill("#measure-language", "fi")
            await page.fill("#measure-hours", "300")
            await page.select_option("#measure-status", "started")
            await page.click("#measure-form button[type='submit']")
            measure = page.locator("#plan-measures li[data-kind='language_studies']")
            await expect(measure).to_have_count(1, timeout=15_000)
            await expect(measure).to_have_attribute("data-status", "started")
            await expect(measure).to_contain_text("Suomen tai ruotsin kielen opinnot")

            # In Swedish: the panel, and a refused review with its reason.
            await page.click("button[data-lang='sv']")
            await expect(page.locator("#plan-title")).to_have_text("Integrationsplan")
            await expect(measure).to_contain_text("Studier i finska eller svenska")
            await expect(measure).to_contain_text("Påbörjad")
            await page.fill("#review-on", (finnish_today() - timedelta(days=30)).isoformat())
            await page.click("#review-form button[type='submit']")
            await expect(page.locator("#plan-message")).to_be_visible(timeout=15_000)
            await expect(page.locator("#plan-message")).to_contain_text("före planens datum")

            # The measure completed with the level reached; then a review.
            measure_id = await measure.get_attribute("data-measure-id")
            await page.select_option(f"#measure-status-{measure_id}", "completed")
            await page.select_option(f"#measure-outcome-level-{measure_id}", "B1.1")
            await page.fill(f"#measure-outcome-language-{measure_id}", "fi")
            await page.click(f"#measure-form-{measure_id} button[type='submit']")
            await expect(measure).to_have_attribute("data-status", "completed", timeout=15_000)
            await expect(measure).to_contain_text("B1.1")
            await expect(page.locator("#plan-message")).to_be_hidden()

            await page.fill("#review-on", finnish_today().isoformat())
            await page.fill("#review-notes", "Framsteg enligt planen")
            await page.click("#review-form button[type='submit']")
            await expect(page.locator("#plan-reviews li")).to_have_count(1, timeout=15_000)
            await expect(page.locator("#plan-reviews")).to_contain_text("Framsteg enligt planen")
            # The timeline shows what the client was told of the plan, how and in which language.
            await expect(page.locator("#detail-timeline")).to_contain_text(
                "Klienten har fått besked om planen (sms, fi)", timeout=15_000
            )

            # Close the case: employed (a closed case is due nothing: the list shows all again).
            await page.click("button[data-lang='fi']")
            await page.select_option("#filter-due", "")
            await page.select_option("#closure-reason", "employed")
            await page.click("#closure-form button[type='submit']")
            await expect(row).to_have_attribute("data-status", "employed", timeout=15_000)
            await expect(panel).to_have_attribute("data-plan-status", "ended", timeout=15_000)
            await expect(page.locator("#closure-form")).to_have_count(0)

            # The figures view: this year's plan figures, one plan made and ended as employed, next
            # to the assessment figures of the same period; each table has its own CSV file.
            await page.select_option("#figures-by", "municipality")
            await page.click("#figures-show")
            plans = page.locator("#plan-figures-body tr[data-group='all']")
            await expect(plans.locator("td[data-column='plans_made']")).to_have_text("1", timeout=10_000)
            await expect(plans.locator("td[data-column='share_made_within_deadline']")).to_have_text("100 %")
            await expect(plans.locator("td[data-column='plans_ended']")).to_have_text("1")
            await expect(plans.locator("td[data-column='ended_employed']")).to_have_text("1")
            await expect(plans.locator("td[data-column='ended_other']")).to_have_text("0")
            await expect(page.locator("#plan-figures-body tr[data-group='109'] td[data-column='plans_made']")).to_have_text("1")
            await expect(page.locator("#plan-figures-head th").nth(9)).to_have_text("Päättyi: työllistyi")
            await expect(page.locator("#figures-body tr[data-group='all'] td[data-column='completed']")).to_have_text("1")
            today = finnish_today().isoformat()
            period = f"from={today[:4]}-01-01&to={month_end(finnish_today()).isoformat()}&by=municipality&format=csv"
            await expect(page.locator("#plan-figures-csv")).to_have_attribute("href", f"/api/v1/figures/plans?{period}")
            await expect(page.locator("#figures-csv")).to_have_attribute("href", f"/api/v1/figures/assessments?{period}")
            csv = await page.request.get(base + f"/api/v1/figures/plans?{period}")  # as the link does: the session cookie
            assert csv.ok and "109;1;" in (await csv.text()), await csv.text()
            await browser.close()

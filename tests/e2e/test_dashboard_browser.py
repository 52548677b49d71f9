"""The staff dashboard in a real browser (Debian's Chromium driven by Playwright): sign in, see a
new client's case arrive live, read it in Finnish and Swedish, open it."""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import httpx
import pytest
from playwright.async_api import async_playwright, expect

from services.intake.employers import service
from shared.auth import mint_token
from support import app_of, event, free_port, make_settings, notice, publish, registration, running, serving

pytestmark = pytest.mark.e2e


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("Chromium is needed for the dashboard tests: `apt-get install chromium` (.ci/run does)", pytrace=False)
    return path


async def test_staff_follow_a_new_case_live_in_finnish_and_swedish(tmp_path, amqp_url, temporal_address):
    settings = make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=None)
    async with running(settings) as (runtime, _http):
        async with serving(app_of(runtime), free_port()) as base, async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=chromium(), args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
            )
            page = await (await browser.new_context(locale="fi-FI")).new_page()
            await page.goto(base + "/")

            # Signed out: the sign-in form, in Finnish.
            await expect(page.locator("#signin-view")).to_be_visible()
            token = mint_token(settings, sub="aino", name="Aino Virtanen", roles=["caseworker"], municipalities=["109"])
            await page.fill("#token", token)
            await page.click("#signin-submit")
            await expect(page.locator("#app-view")).to_be_visible()
            await expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
            await expect(page.locator("#cases tr[data-case-id]")).to_have_count(0)

            # A municipal system registers a resident: the row appears without reloading.
            await publish(amqp_url, event(registration(municipality_code="109")))
            row = page.locator("#cases tr[data-case-id][data-status='awaiting_assessment']")
            await expect(row).to_have_count(1, timeout=20_000)
            await expect(row).to_contain_text("Hassan")
            await expect(row).to_contain_text("Odottaa alkukartoitusta")
            await expect(row).to_contain_text("Hämeenlinna")

            await page.click("button[data-lang='sv']")
            await expect(row).to_contain_text("Väntar på inledande kartläggning")
            await expect(row).to_contain_text("Tavastehus")
            assert await page.get_attribute("html", "lang") == "sv"

            await row.click()
            detail = page.locator("#case-detail")
            await expect(detail).to_be_visible()
            await expect(page.locator("#detail-deadlines li[data-kind='assessment_start']")).to_have_count(1)
            await browser.close()


async def test_staff_acknowledge_a_recruitment_notice(tmp_path, amqp_url, temporal_address):
    settings = make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=None)
    async with running(settings) as (runtime, _http):
        async with runtime.contexts["intake"].db.session() as session:
            _employer, key = await service.create_employer(session, business_id="0112038-9", name="Esimerkki Oy")
            await session.commit()
        async with serving(app_of(runtime), free_port()) as base, async_playwright() as playwright:
            async with httpx.AsyncClient(base_url=base) as http:
                body = notice(arrival=date.today() + timedelta(days=30), municipality_code="109")
                submitted = await http.post("/api/v1/recruitment-notices", json=body, headers={"X-API-Key": key})
                assert submitted.status_code == 201, submitted.text
                notice_id = submitted.json()["id"]

            browser = await playwright.chromium.launch(
                executable_path=chromium(), args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
            )
            page = await (await browser.new_context(locale="fi-FI")).new_page()
            await page.goto(base + "/")
            await expect(page.locator("#signin-view")).to_be_visible()
            token = mint_token(settings, sub="aino", name="Aino Virtanen", roles=["caseworker"], municipalities=["109"])
            await page.fill("#token", token)
            await page.click("#signin-submit")
            await expect(page.locator("#app-view")).to_be_visible()

            # The notice is listed for the destination municipality's staff, as received.
            row = page.locator(f"#notices [data-notice-id='{notice_id}']")
            await expect(row).to_have_attribute("data-status", "received", timeout=20_000)
            await expect(row).to_contain_text("Nguyen Van An")
            await expect(row).to_contain_text("Esimerkki Oy")
            await expect(row).to_contain_text("Welder")
            await expect(row).to_contain_text("Vastaanotettu")
            await expect(page.locator("#reviews [data-review-id]")).to_have_count(0)
            await expect(page.locator("#reviews-empty")).to_be_visible()

            await row.locator("button[data-action='acknowledge']").click()
            await expect(row).to_have_attribute("data-status", "acknowledged")
            await expect(row).to_contain_text("Kuitattu")
            await expect(row).to_contain_text("Aino Virtanen")
            await expect(row.locator("button[data-action='acknowledge']")).to_have_count(0)

            await page.click("button[data-lang='sv']")
            await expect(row).to_contain_text("Kvitterad")
            await browser.close()

            # The employer sees it too.
            async with httpx.AsyncClient(base_url=base) as http:
                answer = await http.get(f"/api/v1/recruitment-notices/{notice_id}", headers={"X-API-Key": key})
            assert answer.status_code == 200 and answer.json()["status"] == "acknowledged"

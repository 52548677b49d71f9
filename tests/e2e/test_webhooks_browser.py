"""The admins' webhook section of the dashboard in a real browser: an admin subscribes a case
system and is shown the secret once; the section follows the page's language; a caseworker does
not see it."""

from __future__ import annotations

import pytest
from playwright.async_api import async_playwright, expect

from shared.auth import mint_token
from browser import launch, signed_in
from support import app_of, free_port, make_settings, running, serving

pytestmark = pytest.mark.e2e


async def test_an_admin_subscribes_a_case_system_from_the_dashboard(tmp_path, amqp_url, temporal_address):
    settings = make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=None)
    async with running(settings, ["notifications"]) as (runtime, http):
        async with serving(app_of(runtime), free_port()) as base, async_playwright() as playwright:
            browser = await launch(playwright)
            caseworker = await signed_in(browser, base, mint_token(settings, sub="aino", name="Aino", roles=["caseworker"], municipalities=["109"]))
            await expect(caseworker.locator("#app-view")).to_be_visible()
            await expect(caseworker.locator("#webhooks")).to_be_hidden()

            admin = await signed_in(browser, base, mint_token(settings, sub="ilmari", name="Ilmari", roles=["admin"], municipalities=["109"]))
            section = admin.locator("#webhooks")
            await expect(section).to_be_visible()
            await expect(admin.locator("#webhooks-title")).to_have_text("Webhookit")
            await expect(admin.locator("#webhooks-municipalities")).to_have_value("109")

            await admin.fill("#webhooks-url", "https://10.0.0.8/hook")
            await admin.click("#webhooks-form button[type=submit]")
            await expect(admin.locator("#webhooks-message")).to_contain_text("url")

            await admin.fill("#webhooks-url", "http://127.0.0.1:9/hook")
            await admin.click("#webhooks-form button[type=submit]")
            await expect(admin.locator("#webhooks-secret-value")).to_contain_text("whsec_")
            await expect(admin.locator("#webhooks-list tr")).to_have_count(1)
            await expect(admin.locator("#webhooks-list tr")).to_contain_text("fi.kotopolku.case.updated.v1")
            await expect(admin.locator("#webhooks-list tr")).to_contain_text("Käytössä")

            await admin.click("button[data-lang='sv']")
            await expect(admin.locator("#webhooks-list tr")).to_contain_text("I bruk")
            await expect(admin.locator("#webhooks th").nth(1)).to_have_text("Händelsetyper")
            await browser.close()

"""The pages' ES modules in a real browser: the dashboard (signed out and signed in, in each
language) and the client's page load every one of their modules (static/dashboard/, static/lib/)
with no failed import, no script error and nothing in the console; a section added through the
registry is drawn with the others."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect

from shared.auth import mint_token
from shared.i18n import texts_under
from browser import launch
from support import app_of, free_port, make_settings, running, serving

pytestmark = pytest.mark.e2e

STATIC = Path(__file__).resolve().parents[2] / "services/notifications/static"
# The modules each page loads; a file added to these folders should be imported by its page.
DASHBOARD = {f"/static/{path.relative_to(STATIC)}" for path in (STATIC / "dashboard").glob("*.js")} | {
    f"/static/lib/{name}" for name in ("api.js", "forms.js", "i18n.js")
} | {"/static/webhooks.js", "/static/plan_choices.js", "/static/client_groups.js"}
CLIENT = {"/static/client.js", "/static/client_feedback.js"} | {f"/static/lib/{name}" for name in ("api.js", "forms.js", "i18n.js")}


SECTION = """
import { addSection } from "/static/dashboard/sections.js";
import { t } from "/static/dashboard/ui.js";
const mark = (what) => (document.body.dataset.testSection = (document.body.dataset.testSection || "") + what);
document.body.dataset.testSection = "bound"; // added once signed in: bind and enter are past, render is seen
addSection({ name: "test", enter: () => mark(" entered"), render: () => t("page_title") && mark(" rendered"), leave: () => mark(" left") });
"""


async def watched(browser):
    """A page that keeps every script it loaded and every error it had."""
    page = await (await browser.new_context(locale="fi-FI")).new_page()
    page.scripts, page.errors = set(), []
    # An API call refused while signed out, or to a service this test does not run, is the page's
    # to handle; the browser logs it as "Failed to load resource". Scripts are checked below.
    page.on(
        "console",
        lambda message: message.type in ("error", "warning") and not message.text.startswith("Failed to load resource") and page.errors.append(message.text),
    )
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("requestfailed", lambda request: page.errors.append(f"{request.url}: {request.failure}"))

    def loaded(response):
        if response.request.resource_type == "script":
            page.scripts.add("/" + response.url.split("/", 3)[3])
            if response.status != 200 or not response.headers.get("content-type", "").startswith("text/javascript"):
                page.errors.append(f"{response.url}: {response.status} {response.headers.get('content-type')}")

    page.on("response", loaded)
    return page


async def test_every_module_of_the_dashboard_and_the_client_page_loads_without_errors(tmp_path, amqp_url, temporal_address):
    settings = make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=None)
    async with running(settings, ["notifications"]) as (runtime, _http):
        async with serving(app_of(runtime), free_port()) as base, async_playwright() as playwright:
            browser = await launch(playwright)
            page = await watched(browser)
            await page.goto(base + "/")
            await expect(page.locator("#signin-view")).to_be_visible()
            assert page.scripts == DASHBOARD
            await page.fill("#token", mint_token(settings, sub="aino", name="Aino", roles=["admin", "coordinator", "caseworker"], municipalities=["109"]))
            await page.click("#signin-submit")
            await expect(page.locator("#app-view")).to_be_visible()
            await expect(page.locator("#webhooks")).to_be_visible()
            # what loads on signing in: the summary, the live stream, the notifications
            await expect(page.locator("[data-summary='total'] .summary-count")).to_have_text("0")
            await expect(page.locator("#summary-overdue")).to_have_text("0")
            await expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
            await expect(page.locator("#notifications-empty")).to_be_visible()
            # a section added as the entry module's comment says is drawn with the others
            await page.add_script_tag(type="module", content=SECTION)
            await expect(page.locator("body")).to_have_attribute("data-test-section", "bound")
            for lang in ("sv", "en", "fi"):
                await page.click(f"button[data-lang='{lang}']")
                await expect(page.locator("html")).to_have_attribute("lang", lang)
                texts = texts_under("dashboard.", lang)
                await expect(page.locator("#cases-count")).to_contain_text(texts["cases_count_other"].split("{n}")[-1].strip())
                await expect(page.locator("#webhooks th").nth(1)).to_have_text(texts["webhooks_event_types"])
            await expect(page.locator("body")).to_have_attribute("data-test-section", re.compile(r"^bound( rendered){3,}$"))
            assert page.errors == [], page.errors

            client = await watched(browser)
            await client.goto(base + "/client/#not-a-token")
            await expect(client.locator("#code-view")).to_be_visible()
            assert client.scripts == CLIENT
            assert client.errors == []
            await browser.close()

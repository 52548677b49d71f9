"""What the browser tests share: Debian's Chromium, launched the same way by each, and a staff
member signed in to the dashboard."""

from __future__ import annotations

import shutil

import pytest
from playwright.async_api import expect


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("Chromium is needed for the dashboard tests: `apt-get install chromium` (.ci/run does)", pytrace=False)
    return path


async def launch(playwright):
    return await playwright.chromium.launch(executable_path=chromium(), args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])


async def signed_in(browser, base: str, token: str, *, locale: str = "fi-FI"):
    """A page of the dashboard, signed in with `token` (the case list is on it)."""
    page = await (await browser.new_context(locale=locale)).new_page()
    await page.goto(base + "/")
    await page.fill("#token", token)
    await page.click("#signin-submit")
    await expect(page.locator("#app-view")).to_be_visible()
    return page

"""The client's own page in a real browser (Debian's Chromium driven by Playwright) at a phone's
size: the client opens the link that came by SMS, gives the code that came by e-mail, reads their
next step and their municipality's welcome package in Arabic, right to left, and in Finnish; they send a self-report that staff then read in the
assessment; a revoked and an expired link show nothing."""

from __future__ import annotations

import email
import email.policy
import json
import re
from datetime import timedelta
from uuid import UUID

import httpx
import pytest
from aiosmtpd.controller import Controller
from playwright.async_api import async_playwright, expect

from services.notifications.client_page.models import ClientLink
from shared.clock import now
from browser import launch, signed_in
from support import app_of, event, eventually, free_port, make_settings, person, publish, registration, running, serving, token, with_identity_code

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


class Mailbox:
    def __init__(self) -> None:
        self.texts: list[tuple[str, str]] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler interface
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.texts.append((message["To"], message.get_content()))
        return "250 OK"


@pytest.fixture
def mailbox():
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    box.port = port
    yield box
    controller.stop()


async def test_the_client_reads_their_next_step_in_arabic_and_finnish_and_old_links_show_nothing(
    tmp_path, amqp_url, temporal_address, mailbox
):
    settings = make_settings(
        tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=None, smtp_host="127.0.0.1", smtp_port=mailbox.port
    )
    staff = token(settings, "091", role="caseworker", sub="cw-page")
    sms_file = settings.var_dir / "sms.jsonl"
    async with running(settings) as (runtime, _http):
        async with serving(app_of(runtime), free_port()) as base, async_playwright() as playwright, httpx.AsyncClient(base_url=base) as http:
            await publish(amqp_url, event(with_identity_code(registration(municipality_code="091", person=person(
                given_names="Layla", family_name="Haddad", native_language="ar", preferred_languages=["ar"],
                contact={"email": "layla@example.org", "phone": "040 555 0101"},
            )))))

            async def case_listed():
                items = (await http.get("/api/v1/cases", headers=staff)).json()["items"]
                return [item for item in items if item["client"] and item["client"]["family_name"] == "Haddad" and item["next_deadline"]]

            [case] = await eventually(case_listed, what="the client's case")
            due = date_text(case["next_deadline"]["due_on"])

            async def new_link() -> tuple[str, str, str]:
                """A link made by staff: its URL as the SMS carries it, its code as the e-mail does."""
                made = await http.post(f"/api/v1/cases/{case['case_id']}/client/link", json={"link_channel": "sms"}, headers=staff)
                assert made.status_code == 201, made.text
                sms_before, mail_before = len(sms_lines()), len(mailbox.texts)

                async def both_sent():
                    return len(sms_lines()) > sms_before and len(mailbox.texts) > mail_before

                await eventually(both_sent, what="the link and its code sent")
                [sms] = sms_lines()[sms_before:]
                [(to, mail)] = mailbox.texts[mail_before:]
                assert (sms["to"], sms["language"], sms["kind"], to) == ("+358405550101", "ar", "page_link", "layla@example.org")
                url = re.search(r"(http\S+/client/#\S+)", sms["text"]).group(1)
                return made.json()["id"], url, re.search(r"\b(\d{6})\b", mail).group(1)

            def sms_lines() -> list[dict]:
                return [json.loads(line) for line in sms_file.read_text(encoding="utf-8").splitlines()] if sms_file.exists() else []

            # The municipality's coordinator added an item of its own to the welcome package.
            own = {"section": "housing", "language": "ar", "title": "استشارات السكن", "body": "تساعدك استشارات السكن في المدينة أيام الاثنين."}
            coordinator = token(settings, "091", role="coordinator", sub="co-page")
            assert (await http.put("/api/v1/municipalities/091/welcome", json={"items": [own]}, headers=coordinator)).status_code == 200

            link_id, url, code = await new_link()
            browser = await launch(playwright)
            page = await (await browser.new_context(locale="fi-FI", **PHONE)).new_page()
            await page.goto(url)

            # Nothing about the client before the code.
            await expect(page.locator("#code-view")).to_be_visible()
            await expect(page.locator("#page-view")).to_be_hidden()
            assert "Layla" not in await page.content()
            await page.fill("#code", "000000" if code != "000000" else "111111")
            await page.click("#code-submit")
            await expect(page.locator("#code-error")).to_be_visible()

            await page.fill("#code", code)
            await page.click("#code-submit")
            await expect(page.locator("#page-view")).to_be_visible()
            assert (await page.get_attribute("html", "lang"), await page.get_attribute("html", "dir")) == ("ar", "rtl")
            next_step = page.locator("#next-step")
            await expect(next_step).to_have_attribute("data-kind", "assessment_start")
            await expect(next_step).to_have_text(f"يبدأ تقييمك الأولي في موعد أقصاه {due}.")
            await expect(page.locator("#hello")).to_contain_text("Layla")
            assert await next_step.evaluate("element => getComputedStyle(element).direction") == "rtl"
            assert "#" not in page.url  # the token left the address bar
            housing = page.locator("#welcome details[data-section='housing']")
            await expect(housing.locator("article[data-own='true']")).to_have_text(re.compile(own["title"]))

            await page.click("button[data-lang='fi']")
            assert (await page.get_attribute("html", "lang"), await page.get_attribute("html", "dir")) == ("fi", "ltr")
            await expect(next_step).to_have_text(f"Alkukartoituksesi alkaa viimeistään {due}.")
            await expect(page.locator("#contact")).to_contain_text("Helsinki")
            await expect(housing.locator("summary")).to_have_text("Asuminen")
            await expect(page.locator("#welcome details")).to_have_count(6)  # the national package in Finnish

            # Before the assessment the client tells of themselves (here in Arabic); staff see it in the assessment.
            await page.click("button[data-lang='ar']")
            await expect(page.locator("#self-report")).to_be_visible()
            await page.fill("#sr-language-0", "العربية")
            await page.select_option("#sr-level-0", "native")
            await page.fill("#sr-language-1", "English")
            await page.select_option("#sr-level-1", "good")
            await page.fill("#sr-work-history", "محاسبة لمدة ست سنوات")
            await page.fill("#sr-help-wanted", "دورة اللغة الفنلندية")
            await page.click("#sr-submit")
            await expect(page.locator("#sr-sent")).to_be_visible()

            staff_page = await signed_in(browser, base, staff["Authorization"].removeprefix("Bearer "))
            await staff_page.locator(f"#cases tr[data-case-id='{case['case_id']}']").click()
            told = staff_page.locator("#self-report")
            await expect(told).to_have_attribute("data-verified", "false", timeout=20_000)
            await expect(told).to_contain_text("Asiakkaan oma kuvaus")
            await expect(told).to_contain_text("ei tarkistettu")
            await expect(told).to_contain_text("محاسبة لمدة ست سنوات")
            await expect(told).to_contain_text("English (hyvä)")
            await page.click("button[data-lang='fi']")

            # Revoked: the open page shows nothing on its next read, the link opens nothing.
            revoked = await http.post(f"/api/v1/cases/{case['case_id']}/client/links/{link_id}/revocation", headers=staff)
            assert revoked.status_code == 200, revoked.text
            await page.reload()
            await expect(page.locator("#not-valid")).to_be_visible()
            await expect(page.locator("#page-view")).to_be_hidden()
            fresh = await (await browser.new_context(locale="fi-FI", **PHONE)).new_page()
            await shows_nothing(fresh, url, code)

            # Expired: nothing either.
            second_id, second_url, second_code = await new_link()
            async with runtime.contexts["notifications"].db.session() as session:
                link = await session.get(ClientLink, UUID(second_id))
                link.expires_at = now() - timedelta(minutes=1)
                session.add(link)
                await session.commit()
            await shows_nothing(fresh, second_url, second_code)
            await browser.close()


async def shows_nothing(page, url: str, code: str) -> None:
    await page.goto(url)
    await page.fill("#code", code)
    await page.click("#code-submit")
    await expect(page.locator("#not-valid")).to_be_visible()
    await expect(page.locator("#page-view")).to_be_hidden()
    assert "Layla" not in await page.content()


def date_text(iso: str) -> str:
    year, month, day = (int(part) for part in iso.split("-"))
    return f"{day}.{month}.{year}"

"""The client's page's words: every key its script uses is in the catalogue's `client` domain, in
every client language, with the same placeholders; Arabic and Persian are right to left."""

from __future__ import annotations

import re
from typing import get_args
from pathlib import Path

from services.notifications.client_messages import templates
from services.notifications.feedback.models import Understood
from services.planning.commands import MeasureKind
from services.notifications.client_page.models import WELCOME_SECTIONS
from services.notifications.client_page.service import RTL_LANGUAGES, national_welcome
from shared.contracts import DeadlineKind, Stage

STATIC = Path(__file__).resolve().parents[2] / "services/notifications/static"


def test_every_key_the_page_uses_is_in_every_client_language_with_the_same_placeholders():
    script = "\n".join(path.read_text(encoding="utf-8") for path in sorted(STATIC.glob("client*.js")))
    page = (STATIC / "client.html").read_text(encoding="utf-8")
    used = set(re.findall(r"i18n\.t\(\s*\"([a-z_.]+)\"", script)) | set(re.findall(r'data-text="([a-z_.]+)"', page))
    used = {key for key in used if not key.endswith(".")}  # "stage." + … : the prefixes, completed below
    used |= {f"stage.{stage.value}" for stage in Stage} | {f"next.{kind.value}" for kind in DeadlineKind}
    used |= {f"section.{section}" for section in WELCOME_SECTIONS}
    used |= {f"level.{level}" for level in ("beginner", "basic", "good", "fluent", "native")}
    used |= {f"measure_kind.{kind}" for kind in get_args(MeasureKind)} | {f"understood.{value}" for value in get_args(Understood)}
    used |= {f"measure_status.{status}" for status in ("referred", "started", "completed", "interrupted")}
    assert len(used) > 20  # the search finds them
    catalogue = templates.catalogue()
    for code in [f"client.page.{key}" for key in sorted(used)] + ["client.page_link", "client.page_code"]:
        texts = catalogue.get(code, {})
        assert set(texts) == set(templates.LANGUAGES), code
        assert len({frozenset(re.findall(r"{(\w+)}", text)) for text in texts.values()}) == 1, code


def test_right_to_left_languages_are_those_written_so():
    assert RTL_LANGUAGES == {"ar", "fa"} and RTL_LANGUAGES <= set(templates.LANGUAGES)


def test_the_national_welcome_package_covers_every_section_in_finnish_swedish_and_english():
    package = national_welcome()
    assert set(package) == {"fi", "sv", "en"}
    for language, entries in package.items():
        assert [entry.section for entry in entries] == list(WELCOME_SECTIONS), language
        assert all(entry.title and entry.body and not entry.own for entry in entries)

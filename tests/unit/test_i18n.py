"""The translation catalogue (shared/locale/) is complete: every message in Finnish, Swedish and
English with the same placeholders, and every message code the code uses is in it."""

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from services.notifications.dashboard import build_dashboard
from shared.contracts import CaseStatus, DeadlineKind, NotificationKind, Stage
from shared.http import install_error_handlers
from shared.i18n import LANGUAGES, all_languages, catalogue, negotiate, po_path, texts_under, translate
from shared.locale import import_table

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{(\w*)\}")
CODE = r"\"([a-z][a-z0-9_.]*)\""


def sources(pattern: str) -> str:
    return "\n".join(path.read_text(encoding="utf-8") for folder in ("services", "shared") for path in (ROOT / folder).rglob(pattern))


def test_every_message_is_in_finnish_swedish_and_english():
    for code, texts in catalogue().items():
        missing = [language for language in LANGUAGES if not (texts.get(language) or "").strip()]
        assert not missing, f"{code} has no text in {missing} (empty and fuzzy translations count as missing)"


def test_placeholders_are_the_same_in_every_language():
    for code, texts in catalogue().items():
        names = {language: sorted(PLACEHOLDER.findall(texts.get(language, ""))) for language in LANGUAGES}
        assert len({tuple(value) for value in names.values()}) == 1, f"{code}: {names}"


def test_the_three_files_name_the_same_messages_and_their_language():
    for language in LANGUAGES:
        text = po_path(language).read_text(encoding="utf-8")
        assert f'"Language: {language}\\n"' in text
        assert text.count('\nmsgid "') == len(catalogue()) + 1, f"{language} has messages the others lack"  # + the header


def test_every_code_the_python_code_uses_is_in_the_catalogue():
    python = sources("*.py")
    used = set(re.findall(r"\b(?:ApiError|[A-Z]\w*Refused|Refused|NotFound|Forbidden|Conflict)\(\s*(?:\d+\s*,\s*)?" + CODE, python))
    used |= set(re.findall(r"\b(?:translate|all_languages)\(\s*" + CODE, python))
    used |= set(re.findall(r"\berror_body\(\s*\w+\s*,\s*" + CODE, python))
    assert {"case_not_found", "not_authenticated", "notice.housing_advice"} <= used  # the search finds them
    assert sorted(code for code in used if code not in catalogue()) == []


def test_every_notification_kind_has_a_title_and_a_body():
    for kind in NotificationKind:
        assert f"notification.{kind}.title" in catalogue()
        assert f"notification.{kind}.body" in catalogue()


def test_every_stage_status_and_deadline_has_a_name():
    for prefix, values in (
        ("dashboard.stage.", Stage),
        ("dashboard.status.", CaseStatus),
        ("dashboard.deadline.", DeadlineKind),
        ("deadline.", DeadlineKind),
    ):
        assert [f"{prefix}{value}" for value in values if f"{prefix}{value}" not in catalogue()] == []


def test_every_text_key_the_dashboard_uses_is_in_the_catalogue():
    static = ROOT / "services/notifications/static"
    # the dashboard's modules (dashboard/*.js), the shared ones (lib/*.js) and the self-contained
    # sections beside them (webhooks.js); the client's page has its own texts
    client_page = {"client.js", "client_feedback.js", "i18n.js"}
    script = "\n".join(path.read_text(encoding="utf-8") for path in sorted(static.rglob("*.js")) if path.name not in client_page)
    page = (static / "dashboard.html").read_text(encoding="utf-8")
    assert not re.search(r"\b(?:fi|sv|en)\s*:\s*\{", script), "the dashboard has a text table of its own again"
    used = set(re.findall(r"\bt\(\s*" + CODE, script))
    used |= set(re.findall(r"\bkey\s*:\s*" + CODE, script))
    used |= set(re.findall(r"data-i18n(?:-placeholder|-aria-label)?=\"([^\"]+)\"", page))
    used |= {f"{base}_{form}" for base in re.findall(r"\bplural\(\s*" + CODE, script) for form in ("one", "other")}
    used |= {f"{prefix}.{value}" for prefix, values in (("stage", Stage), ("status", CaseStatus)) for value in values}
    assert len(used) > 60  # the search finds them
    assert sorted(key for key in used if f"dashboard.{key}" not in catalogue()) == []


async def test_the_dashboard_gets_its_texts_from_the_catalogue():
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(build_dashboard(SimpleNamespace(settings=None)))
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        for language in LANGUAGES:
            answer = await client.get(f"/dashboard/texts/{language}.json")
            assert answer.status_code == 200
            assert answer.json() == texts_under("dashboard.", language)
        assert (await client.get("/dashboard/texts/fi.json")).json()["status.awaiting_assessment"] == "Odottaa alkukartoitusta"
        assert (await client.get("/dashboard/texts/sv.json")).json()["page_title"] == "Kotopolku – ärenden"
        assert (await client.get("/dashboard/texts/de.json")).status_code == 404


def test_language_negotiation():
    assert negotiate("sv-FI,sv;q=0.9,en;q=0.5") == "sv"
    assert negotiate("de, en;q=0.3, fi;q=0.8") == "fi"
    assert negotiate("de") == "en"
    assert negotiate(None) == "en"


def test_parameters_are_filled_in():
    assert translate("forbidden_role", "fi", roles="admin") == "Tämä toiminto vaatii roolin: admin."
    assert all_languages("case_not_found") == {"fi": "Asiakkuutta ei löydy.", "sv": "Ärendet hittades inte.", "en": "Case not found."}
    assert translate("case_not_found", "de") == "Case not found."


def test_a_table_is_merged_into_the_three_files(tmp_path, monkeypatch):
    monkeypatch.setattr(import_table, "po_path", lambda language: tmp_path / language / "kotopolku.po")
    table = {
        "plan_not_found": {"fi": "Suunnitelmaa ei löydy.", "sv": "Planen hittades inte.", "en": "Plan not found."},
        "plan_closed": {"fi": "Asiakkuus {case} on päättynyt.", "sv": "Ärendet {case} är avslutat.", "en": "Case {case} is closed."},
    }
    (tmp_path / "table.json").write_text(json.dumps(table), encoding="utf-8")
    assert import_table.main([str(tmp_path / "table.json")]) == 0
    for language in LANGUAGES:
        catalog = import_table.read_catalog(language)
        assert [message.id for message in catalog if message.id] == ["plan_not_found", "plan_closed"]
        assert catalog.get("plan_closed").string == table["plan_closed"][language]

    changed = {"plan_not_found": {**table["plan_not_found"], "en": "No such plan."}}
    assert any(line.startswith("kept plan_not_found [en]") for line in import_table.merge(changed))
    assert import_table.read_catalog("en").get("plan_not_found").string == "Plan not found."
    import_table.merge(changed, overwrite=True)
    assert import_table.read_catalog("en").get("plan_not_found").string == "No such plan."

    with pytest.raises(ValueError, match="plan_open: no Swedish text"):
        import_table.merge({"plan_open": {"fi": "Auki {x}.", "sv": "", "en": "Open {x}."}})
    with pytest.raises(ValueError, match="placeholders differ"):
        import_table.merge({"plan_open": {"fi": "Auki {x}.", "sv": "Öppen.", "en": "Open {x}."}})


def test_a_message_may_have_a_parameter_named_language():
    from shared.i18n import all_languages

    texts = all_languages("civic_orientation_language", language="ar", known="fa, en")
    assert set(texts) == {"fi", "sv", "en"} and all("ar" in text and "fa, en" in text for text in texts.values())


def test_every_measure_kind_is_offered_and_named():
    from services.planning.commands import MeasureKind

    kinds = list(MeasureKind.__args__)  # type: ignore[attr-defined]
    assert {"mentoring", "work_pair", "hygiene_passport", "vocational_preparatory_studies", "working_life_rules_training"} <= set(kinds)
    script = (ROOT / "services/notifications/static/dashboard/plan.js").read_text(encoding="utf-8")
    offered = re.search(r"var MEASURE_KINDS = \[(.*?)\];", script, re.S).group(1)
    assert re.findall(r'"(\w+)"', offered) == kinds
    assert [kind for kind in kinds if f"dashboard.measure_kind.{kind}" not in catalogue()] == []

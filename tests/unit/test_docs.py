"""The documents operators read stay true to the code: every event, status and setting is in them."""

from pathlib import Path

import yaml

from shared import contracts
from shared.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_asyncapi_names_every_event_and_exchange():
    text = (ROOT / "docs" / "asyncapi.yaml").read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    assert document["asyncapi"].startswith("3.")
    names = [value for name, value in vars(contracts).items() if name.isupper() and isinstance(value, str)]
    event_types = [value for value in names if value.startswith("fi.kotopolku.")]
    assert len(event_types) >= 9
    for value in names:
        if value.startswith(("fi.kotopolku.", "kotopolku.")):
            assert value in text, f"{value} is not in docs/asyncapi.yaml"


def test_case_statuses_document_every_stage_and_status():
    text = (ROOT / "docs" / "case-statuses.md").read_text(encoding="utf-8")
    for stage, statuses in contracts.STATUSES_BY_STAGE.items():
        assert f"`{stage.value}`" in text
        for status in statuses:
            assert f"`{status.value}`" in text, f"{status.value} is not in docs/case-statuses.md"


def test_readme_lists_every_setting():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"KOTOPOLKU_{name.upper()}" in text, f"KOTOPOLKU_{name.upper()} is not in the README"


def test_readme_lists_every_webhook_setting():
    from services.notifications.webhooks.models import WebhookSettings

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in WebhookSettings.model_fields:
        assert f"KOTOPOLKU_WEBHOOK_{name.upper()}" in text, f"KOTOPOLKU_WEBHOOK_{name.upper()} is not in the README"
    assert "docs/webhooks.md" in text


def test_figures_doc_explains_every_figure_and_grouping():
    from services.assessment.figures.models import COLUMNS, Grouping

    text = (ROOT / "docs" / "figures.md").read_text(encoding="utf-8")
    for name in [*COLUMNS, *(grouping.value for grouping in Grouping)]:
        assert f"`{name}`" in text or f"`{name}," in text or f", `{name}`" in text, f"{name} is not in docs/figures.md"
    assert "docs/figures.md" in (ROOT / "README.md").read_text(encoding="utf-8")

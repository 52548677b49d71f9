"""docs/asyncapi.yaml is a valid AsyncAPI document (checked with npm's @asyncapi/parser, as CI does)
and documents exactly the event types Kotopolku publishes on kotopolku.events."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from shared.contracts import DOMAIN_EVENTS, EMPLOYMENT_AUTHORITY_EVENTS, EVENTS_EXCHANGE, PUBLIC_EVENT_TYPES

ROOT = Path(__file__).resolve().parents[2]
CHECKER = ROOT / "deploy" / "asyncapi"
INSTALL = "npm ci --prefix deploy/asyncapi  (Node.js 18 or newer: apt-get install nodejs npm)"


def test_the_asyncapi_document_parses():
    node = shutil.which("node")
    if node is None:
        pytest.fail(f"node is not installed; install it and the parser with: {INSTALL}")
    if not (CHECKER / "node_modules" / "@asyncapi" / "parser").is_dir():
        pytest.fail(f"the AsyncAPI parser is not installed; install it with: {INSTALL}")
    checked = subprocess.run([node, str(CHECKER / "validate.mjs")], capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_document_names_exactly_the_events_published_on_kotopolku_events():
    document = yaml.safe_load((ROOT / "docs" / "asyncapi.yaml").read_text(encoding="utf-8"))
    channel = document["channels"]["events"]
    assert channel["address"] == EVENTS_EXCHANGE
    documented = set()
    for reference in channel["messages"].values():
        message = document["components"]["messages"][reference["$ref"].rsplit("/", 1)[1]]
        documented.add(message["payload"]["allOf"][1]["properties"]["type"]["const"])
        assert message["bindings"]["amqp"]["messageType"] == message["title"]
    assert documented == set(PUBLIC_EVENT_TYPES)
    # Every one of them is published by an operation.
    published = {
        ref["$ref"].rsplit("/", 1)[1]
        for operation in document["operations"].values()
        if operation["channel"]["$ref"] == "#/channels/events"
        for ref in operation["messages"]
    }
    assert published == set(channel["messages"])


def test_each_domain_event_s_data_is_documented_field_for_field():
    document = yaml.safe_load((ROOT / "docs" / "asyncapi.yaml").read_text(encoding="utf-8"))
    schemas = document["components"]["schemas"]
    for message in document["components"]["messages"].values():
        event_type = message["title"]
        model = DOMAIN_EVENTS.get(event_type) or EMPLOYMENT_AUTHORITY_EVENTS.get(event_type)  # the hand-over's too
        if model is not None:
            data = message["payload"]["allOf"][1]["properties"]["data"]["$ref"].rsplit("/", 1)[1]
            assert set(schemas[data]["properties"]) == set(model.model_fields), event_type
            assert {"case_id", "client_id", "municipality_code"} <= set(schemas[data]["required"]), event_type

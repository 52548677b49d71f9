import json

import pytest

from shared.envelope import STRUCTURED_CONTENT_TYPE, Envelope, InvalidEvent, parse_amqp

GOOD = {
    "specversion": "1.0",
    "id": "e-1",
    "source": "urn:kotopolku:system:hameenlinna-register",
    "type": "fi.kotopolku.resident.registered.v1",
    "time": "2026-11-23T10:00:00Z",
    "datacontenttype": "application/json",
    "data": {"a": 1},
}


def test_structured_mode():
    envelope = parse_amqp(json.dumps(GOOD).encode(), STRUCTURED_CONTENT_TYPE, {})
    assert (envelope.id, envelope.source, envelope.data) == ("e-1", GOOD["source"], {"a": 1})


@pytest.mark.parametrize("prefix", ["cloudEvents_", "cloudEvents:"])
def test_binary_mode_with_either_header_prefix(prefix):
    headers = {f"{prefix}{name}": GOOD[name] for name in ("specversion", "id", "source", "type", "time")}
    envelope = parse_amqp(b'{"a": 1}', "application/json", headers)
    assert envelope.type == GOOD["type"] and envelope.data == {"a": 1}


def test_binary_headers_as_bytes_are_read():
    headers = {f"cloudEvents_{name}": GOOD[name].encode() for name in ("specversion", "id", "source", "type", "time")}
    assert parse_amqp(b"{}", "application/json", headers).id == "e-1"


def test_written_event_reads_back_in_both_modes():
    envelope = Envelope.new(type="t.v1", source="urn:x", data={"k": "ä"})
    assert parse_amqp(envelope.to_json(), STRUCTURED_CONTENT_TYPE, None) == envelope
    assert parse_amqp(json.dumps(envelope.data).encode(), "application/json", envelope.binary_headers()) == envelope


@pytest.mark.parametrize(
    "body, content_type, reason",
    [
        (b"plain text", "text/plain", "not a CloudEvent"),
        (b"{not json", STRUCTURED_CONTENT_TYPE, "the body is not JSON"),
        (b"[1, 2]", STRUCTURED_CONTENT_TYPE, "not a JSON object"),
        (json.dumps({**GOOD, "specversion": "0.3"}).encode(), STRUCTURED_CONTENT_TYPE, "specversion"),
        (json.dumps({k: v for k, v in GOOD.items() if k != "time"}).encode(), STRUCTURED_CONTENT_TYPE, "time: Field required"),
        (json.dumps({k: v for k, v in GOOD.items() if k != "id"}).encode(), STRUCTURED_CONTENT_TYPE, "id: Field required"),
        (json.dumps({**GOOD, "time": "yesterday"}).encode(), STRUCTURED_CONTENT_TYPE, "time"),
        (json.dumps({**GOOD, "time": "2026-11-23T10:00:00"}).encode(), STRUCTURED_CONTENT_TYPE, "time"),
        (json.dumps({**GOOD, "datacontenttype": "application/xml"}).encode(), STRUCTURED_CONTENT_TYPE, "datacontenttype"),
    ],
)
def test_what_is_refused_says_why(body, content_type, reason):
    with pytest.raises(InvalidEvent, match=reason):
        parse_amqp(body, content_type, {})


def test_binary_data_must_be_json():
    headers = {f"cloudEvents_{name}": GOOD[name] for name in ("specversion", "id", "source", "type", "time")}
    with pytest.raises(InvalidEvent, match="data is not JSON"):
        parse_amqp(b"\xff\xfe", "application/json", headers)


def test_json_nested_deeper_than_any_event_is_refused_not_recursed_into():
    from shared.envelope import MAX_JSON_DEPTH

    deep = b'{"specversion": "1.0", "data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with pytest.raises(InvalidEvent, match=f"deeper than {MAX_JSON_DEPTH}"):
        parse_amqp(deep, "application/cloudevents+json", {})
    with pytest.raises(InvalidEvent, match="deeper"):
        parse_amqp(b"[" * 5000 + b"]" * 5000, "application/json", {"cloudEvents_id": "1"})


def test_a_header_that_is_not_utf8_is_a_reason_not_a_crash():
    headers = {"cloudEvents_id": b"\xff\xfe", "cloudEvents_type": "x", "cloudEvents_source": "s", "cloudEvents_specversion": "1.0"}
    with pytest.raises(InvalidEvent, match="cloudEvents_id is not UTF-8"):
        parse_amqp(b"{}", "application/json", headers)


def test_a_brace_inside_a_string_is_not_nesting():
    body = json.dumps({"specversion": "1.0", "id": "1", "source": "s", "type": "t", "time": "2026-11-23T10:00:00Z",
                       "data": {"note": "[" * 200 + '\\" {{{'}}).encode()
    assert parse_amqp(body, "application/cloudevents+json", {}).data["note"].startswith("[[[")


def test_people_with_control_characters_in_their_names_are_refused():
    from pydantic import ValidationError

    from services.intake.models import Person

    with pytest.raises(ValidationError, match="control characters"):
        Person(given_names="Amina\x00", family_name="Hassan", birth_date="1990-04-12", nationality="SO", native_language="so")

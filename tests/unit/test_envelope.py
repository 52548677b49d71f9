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

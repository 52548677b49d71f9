"""The CloudEvents 1.0 envelope over AMQP: read in both modes (structured and binary),
written structured."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from shared.tracing import TRACEPARENT, current_traceparent

STRUCTURED_CONTENT_TYPE = "application/cloudevents+json"
JSON_CONTENT_TYPE = "application/json"
BINARY_PREFIXES = ("cloudEvents_", "cloudEvents:")


class InvalidEvent(ValueError):
    """The message cannot be accepted; the text is the reason given to the dead-letter queue."""


class Envelope(BaseModel):
    model_config = ConfigDict(extra="allow")  # extension attributes travel along

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(min_length=1)
    source: str = Field(min_length=1)
    type: str = Field(min_length=1)
    time: AwareDatetime
    datacontenttype: Literal["application/json"] = JSON_CONTENT_TYPE
    subject: str | None = None
    data: Any = None

    @classmethod
    def new(cls, *, type: str, source: str, data: Any, subject: str | None = None) -> "Envelope":
        # The distributed-tracing extension: whoever consumes the event continues this trace.
        traceparent = current_traceparent()
        return cls(
            id=str(uuid.uuid4()),
            source=source,
            type=type,
            time=datetime.now(timezone.utc),
            subject=subject,
            data=data,
            **({TRACEPARENT: traceparent} if traceparent else {}),
        )

    def trace_parent(self) -> str | None:
        """The event's `traceparent` extension attribute, if it has one."""
        value = (self.model_extra or {}).get(TRACEPARENT)
        return value if isinstance(value, str) else None

    def to_json(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()

    def binary_headers(self) -> dict[str, str]:
        """Attributes as `cloudEvents_<name>` headers, for producers using the binary mode."""
        attributes = self.model_dump(mode="json", exclude_none=True, exclude={"data", "datacontenttype"})
        return {f"cloudEvents_{name}": str(value) for name, value in attributes.items()}


def parse_amqp(body: bytes, content_type: str | None, headers: dict[str, Any] | None) -> Envelope:
    """Read a CloudEvent from an AMQP message in structured or binary mode.

    Parsed here rather than by the `cloudevents` library because it quietly fills a missing
    `time` with the current time, and the contract makes `time` required.
    """
    try:
        return _parse_amqp(body, content_type, headers or {})
    except InvalidEvent:
        raise
    except RecursionError:
        raise InvalidEvent(f"not acceptable: JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    except Exception as error:  # whatever a producer sends, one message never stops a consumer
        raise InvalidEvent(f"not a readable CloudEvent ({type(error).__name__})") from None


MAX_JSON_DEPTH = 64  # deeper than any event of the contract; far below Python's recursion limit


def _loads(raw: bytes | str) -> Any:
    """JSON, refused when nested deeper than MAX_JSON_DEPTH (before the parser recurses into it)."""
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_JSON_DEPTH:
                raise InvalidEvent(f"not acceptable: JSON nested deeper than {MAX_JSON_DEPTH} levels")
        elif char in "]}":
            depth -= 1
    return json.loads(text)


def _header_text(name: str, value: Any) -> str:
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidEvent(f"header {name} is not UTF-8 text") from None
    return str(value)


def _parse_amqp(body: bytes, content_type: str | None, headers: dict[str, Any]) -> Envelope:
    if (content_type or "").lower().startswith("application/cloudevents"):
        try:
            attributes = _loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise InvalidEvent("not a CloudEvent: the body is not JSON") from None
        if not isinstance(attributes, dict):
            raise InvalidEvent("not a CloudEvent: the body is not a JSON object")
    else:
        attributes = {}
        for name, value in headers.items():
            for prefix in BINARY_PREFIXES:
                if name.startswith(prefix):
                    attributes[name[len(prefix):]] = _header_text(name, value)
        if not attributes:
            raise InvalidEvent(
                "not a CloudEvent: content type is not application/cloudevents+json and there are no cloudEvents_* headers"
            )
        attributes["datacontenttype"] = content_type
        try:
            attributes["data"] = _loads(body) if body else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise InvalidEvent("data is not JSON") from None
    attributes.setdefault("datacontenttype", JSON_CONTENT_TYPE)
    if "data_base64" in attributes:
        raise InvalidEvent("data must be JSON, not data_base64")
    try:
        return Envelope.model_validate(attributes)
    except ValidationError as error:
        raise InvalidEvent(f"invalid CloudEvent attributes: {describe_errors(error)}") from None


def describe_errors(error: ValidationError) -> str:
    """Pydantic errors as one readable line: `data.person.birth_date: Input should be a valid date`."""
    parts = []
    for item in error.errors():
        location = ".".join(str(part) for part in item["loc"]) or "(body)"
        parts.append(f"{location}: {item['msg']}")
    return "; ".join(parts)

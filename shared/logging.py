"""JSON logs (structlog) that never carry a personal identity code."""

from __future__ import annotations

import logging
import re
import sys

import structlog

# DDMMYY, a century sign, three digits and a check character: redacted wherever it appears.
IDENTITY_CODE = re.compile(r"\b\d{6}[-+ABCDEFYXWVU]\d{3}[0-9A-Y]\b", re.IGNORECASE)
REDACTED = "[identity code removed]"


def redact(value):
    if isinstance(value, str):
        return IDENTITY_CODE.sub(REDACTED, value)
    if isinstance(value, dict):
        return {key: redact(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact(item) for item in value)
    return value


def _redact_processor(_logger, _method, event_dict):
    return {key: redact(value) for key, value in event_dict.items()}


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    renderer = structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer(colors=False)
    shared_processors = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        _redact_processor,
    ]
    structlog.configure(
        processors=[*shared_processors, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    # Library logs (uvicorn, aio-pika, temporalio) pass through the same redaction and format.
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer], foreign_pre_chain=shared_processors)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())

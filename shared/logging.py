"""JSON logs (structlog) that never carry a personal identity code, nor any other personal data:
the values of a failed statement and fields named for a person's data are dropped."""

from __future__ import annotations

import logging
import re
import sys

import structlog

from shared.tracing import add_trace_ids

# DDMMYY, a century sign, three digits and a check character: redacted wherever it appears.
IDENTITY_CODE = re.compile(r"\b\d{6}[-+ABCDEFYXWVU]\d{3}[0-9A-Y]\b", re.IGNORECASE)
REDACTED = "[identity code removed]"

# What a database error adds to its message: the statement, its values (every engine hides them,
# shared/db.py, but a driver's own message may not), and PostgreSQL's "Key (column)=(value)".
STATEMENT_TAILS = re.compile(r"\n?\[SQL: .*?\](?=\n|$)|\n?\[parameters: [^\n]*|^DETAIL: [^\n]*\n?", re.DOTALL | re.MULTILINE)
# Fields a log line never carries, at any depth: a person's data, or values given to a statement.
PERSONAL_FIELDS = frozenset({
    "personal_identity_code", "identity_code", "hetu", "given_names", "given_name", "first_name", "family_name",
    "last_name", "full_name", "birth_date", "date_of_birth", "email", "phone", "address", "street_address",
    "parameters", "params",
})


def redact(value):
    if isinstance(value, str):
        return IDENTITY_CODE.sub(REDACTED, STATEMENT_TAILS.sub("", value))
    if isinstance(value, dict):
        return {key: redact(item) for key, item in value.items() if key not in PERSONAL_FIELDS}
    if isinstance(value, (list, tuple)):
        return type(value)(redact(item) for item in value)
    return value


def _redact_processor(_logger, _method, event_dict):
    return redact(dict(event_dict))


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    renderer = structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer(colors=False)
    shared_processors = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        add_trace_ids,  # the trace a line belongs to (shared/tracing.py)
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

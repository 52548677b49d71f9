import json
import logging

import structlog

from services.intake.identity import make_identity_code
from shared.logging import REDACTED, configure_logging, redact
from datetime import date


def test_identity_codes_are_removed_wherever_they_appear():
    codes = [make_identity_code(date(1990, 4, 12), 123), make_identity_code(date(2005, 1, 2), 456, "B"), make_identity_code(date(1950, 6, 7), 789, "Y")]
    text = f"person {codes[0]} and {codes[1].lower()} and {codes[2]}"
    assert redact(text) == f"person {REDACTED} and {REDACTED} and {REDACTED}"
    assert redact({"nested": [codes[0]]}) == {"nested": [REDACTED]}


def test_json_logs_never_print_an_identity_code(capsys):
    code = make_identity_code(date(1990, 4, 12), 123)
    configure_logging("INFO", "json")
    structlog.get_logger("test").info("registered", detail=f"code {code}")
    logging.getLogger("library").warning("library said %s", code)
    lines = [json.loads(line) for line in capsys.readouterr().err.strip().splitlines()]
    assert len(lines) == 2
    assert code not in json.dumps(lines)
    assert lines[0]["event"] == "registered" and lines[0]["level"] == "info"

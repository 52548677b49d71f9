"""One way to say no: a refusal carries an HTTP status, a message code from the translation
catalogue, and the code's parameters. Service functions raise it (or a subclass naming the
domain's reason); one handler (shared.http) answers it in Finnish, Swedish and English."""

from __future__ import annotations


class Refused(Exception):
    """The request can't be done as asked; `code` names the reason in the catalogue."""

    status: int = 409

    def __init__(self, code: str, *, status: int | None = None, headers: dict | None = None, **params) -> None:
        super().__init__(code)
        self.code = code
        if status is not None:
            self.status = status
        self.headers = headers
        self.params = params

    def __str__(self) -> str:
        details = ", ".join(f"{name}={value}" for name, value in self.params.items())
        return f"{self.code} ({details})" if details else self.code


class NotFound(Refused):
    status = 404


class Forbidden(Refused):
    status = 403


class Conflict(Refused):
    """The command does not fit the record's current state."""

    status = 409


def found(record, code: str):
    """The record, or NotFound(code) when there is none (or the caller may not see it)."""
    if record is None:
        raise NotFound(code)
    return record

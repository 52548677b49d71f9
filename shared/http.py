"""HTTP conventions every service follows: errors people can read in fi/sv/en, health checks."""

from __future__ import annotations

from typing import Awaitable, Callable

import structlog
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from temporalio.service import RPCError

from shared.i18n import all_languages, catalogue, negotiate, translate
from shared.refusals import Refused

log = structlog.get_logger(__name__)


class ApiError(Refused):
    """A refusal raised by the HTTP layer itself (authentication, a missing record), status first."""

    def __init__(self, status: int, code: str, *, headers: dict | None = None, **params) -> None:
        super().__init__(code, status=status, headers=headers, **params)


class Answer(Exception):
    """Raised by a dependency that can answer the request by itself (before the body is validated)."""

    def __init__(self, response: Response) -> None:
        super().__init__("answered")
        self.response = response


async def _answer(_request: Request, answer: Answer) -> Response:
    return answer.response


def error_body(request: Request, code: str, **params) -> dict:
    return {
        "code": code,
        "message": translate(code, negotiate(request.headers.get("accept-language")), **params),
        "messages": all_languages(code, **params),
    }


async def _refused(request: Request, error: Refused) -> JSONResponse:
    return JSONResponse(
        {"detail": error_body(request, error.code, **error.params)}, status_code=error.status, headers=error.headers
    )


async def _validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    # `detail` keeps FastAPI's list (each bad field with its location); the message names them all.
    problems = [
        {"loc": list(item["loc"]), "field": ".".join(str(part) for part in item["loc"][1:]), "msg": item["msg"], "type": item["type"]}
        for item in error.errors()
    ]
    fields = ", ".join(sorted({problem["field"] or "body" for problem in problems}))
    return JSONResponse(
        {"detail": problems, **error_body(request, "invalid_request", fields=fields)}, status_code=422
    )


async def _temporal_unreachable(request: Request, error: RPCError) -> JSONResponse:
    """Temporal did not answer a route's start or signal: nothing was committed, try again."""
    part = f"Temporal ({error.status.name if error.status else 'unavailable'})"
    return JSONResponse({"detail": error_body(request, "dependency_down", parts=part)}, status_code=503)


async def _unexpected_error(request: Request, error: Exception) -> JSONResponse:
    log.exception("unhandled error", path=request.url.path)
    return JSONResponse({"detail": error_body(request, "internal_error")}, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    catalogue()  # the translation catalogue is read now: a broken file fails at start-up, not on the first refusal
    app.add_exception_handler(Answer, _answer)
    app.add_exception_handler(Refused, _refused)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(RPCError, _temporal_unreachable)
    app.add_exception_handler(Exception, _unexpected_error)


Check = Callable[[], Awaitable[None]]


def health_router(checks: Callable[[], dict[str, Check]]) -> APIRouter:
    """`/healthz` (the process is up), `/readyz` (every dependency answers, else 503 naming it)."""
    router = APIRouter(tags=["health"])

    @router.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        results, failing = {}, []
        for name, check in checks().items():
            try:
                await check()
                results[name] = "ok"
            except Exception as error:
                results[name] = f"down: {error}".strip()[:200]
                failing.append(name)
        if failing:
            body = {"status": "unavailable", "checks": results, **error_body(request, "dependency_down", parts=", ".join(failing))}
            return JSONResponse(body, status_code=503)
        return JSONResponse({"status": "ready", "checks": results})

    @router.get("/metrics", include_in_schema=False)
    async def metrics() -> PlainTextResponse:
        return PlainTextResponse(generate_latest().decode(), media_type=CONTENT_TYPE_LATEST)

    return router

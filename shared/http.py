"""HTTP conventions every service follows: errors people can read in fi/sv/en, health checks."""

from __future__ import annotations

from typing import Awaitable, Callable

import structlog
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CONTENT_TYPE_LATEST
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


class RequestTooLarge(HTTPException):
    """A body past the limit, found while a route reads it (an HTTPException, so that FastAPI's
    body parsing passes it on instead of answering 400)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413)
        self.limit = limit


def too_large_body(request: Request | None, limit: int) -> dict:
    code, params = "request_too_large", {"limit": limit}
    if request is None:
        return {"detail": {"code": code, "message": translate(code, **params), "messages": all_languages(code, **params)}}
    return {"detail": error_body(request, code, **params)}


async def _too_large(request: Request, error: RequestTooLarge) -> JSONResponse:
    return JSONResponse(too_large_body(request, error.limit), status_code=413)


class DevelopmentSecretsLocalOnly:
    """While the development secrets are in use (they are published with the source: anyone can
    mint a staff token with them), only requests straight from this machine are answered. A request
    a proxy forwarded (X-Forwarded-For or Forwarded) may come from anywhere, even when the proxy
    runs on this host and the service listens on loopback: it is refused with 403."""

    PROXY_HEADERS = (b"x-forwarded-for", b"forwarded")

    def __init__(self, app: ASGIApp, active: bool) -> None:
        self.app = app
        self.active = active

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.active and scope["type"] == "http" and any(name in self.PROXY_HEADERS for name, _ in scope["headers"]):
            log.warning("a request through a proxy refused: the development secrets are in use", path=scope.get("path"))
            request = Request(scope)
            body = {"detail": error_body(request, "development_secrets_behind_proxy")}
            return await JSONResponse(body, status_code=403)(scope, receive, send)
        return await self.app(scope, receive, send)


class BodySizeLimit:
    """Refuses a request body larger than `limit` bytes with 413 (KOTOPOLKU_MAX_REQUEST_BYTES):
    at once when its Content-Length says so, else as soon as what arrives passes it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            return await self._refuse(scope, receive, send)
        received, started = 0, False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise RequestTooLarge(self.limit)
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, sending)
        except RequestTooLarge:  # read outside a route (or before its handler): answered here
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        await JSONResponse(too_large_body(Request(scope), self.limit), status_code=413)(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    catalogue()  # the translation catalogue is read now: a broken file fails at start-up, not on the first refusal
    app.add_exception_handler(Answer, _answer)
    app.add_exception_handler(Refused, _refused)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(RequestTooLarge, _too_large)
    app.add_exception_handler(RPCError, _temporal_unreachable)
    app.add_exception_handler(Exception, _unexpected_error)


Check = Callable[[], Awaitable[None]]


def health_router(checks: Callable[[], dict[str, Check]], exposition: Callable[[], Awaitable[bytes]]) -> APIRouter:
    """`/healthz` (the process is up), `/readyz` (every dependency answers, else 503 naming it),
    `/metrics` (`exposition`: the Prometheus text of the process, and of its worker process)."""
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
        return PlainTextResponse((await exposition()).decode(), media_type=CONTENT_TYPE_LATEST)

    return router

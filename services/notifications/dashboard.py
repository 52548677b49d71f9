"""The built-in staff dashboard at `/`: cases, deadlines and live updates, in fi/sv/en."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from shared.auth import SESSION_COOKIE, AuthError, CurrentStaff, verify_token
from shared.http import ApiError
from shared.i18n import LANGUAGES, texts_under
from shared.service import ServiceContext

STATIC = Path(__file__).with_name("static")
STATIC_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}


def build_dashboard(ctx: ServiceContext) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/", response_class=HTMLResponse)
    async def dashboard() -> HTMLResponse:
        return HTMLResponse((STATIC / "dashboard.html").read_text(encoding="utf-8"))

    @router.get("/static/{name:path}")
    async def static_file(name: str) -> Response:
        """The pages' own files: that folder and its subfolders (the ES modules), no hidden files,
        no other kinds of file; `.js` as text/javascript, which module scripts need."""
        path = STATIC / name
        media_type = STATIC_TYPES.get(path.suffix)
        hidden = any(part.startswith(".") for part in Path(name).parts)
        if media_type is None or hidden or not path.resolve().is_relative_to(STATIC.resolve()) or not path.is_file():
            raise ApiError(404, "not_found")
        return Response(path.read_bytes(), media_type=media_type, headers={"Cache-Control": "no-cache"})

    @router.get("/dashboard/texts/{language}.json")
    async def texts(language: str) -> JSONResponse:
        """The dashboard's texts in one language: the catalogue's `dashboard.*` messages, keyed
        without the prefix (shared/locale/, docs/translations.md)."""
        if language not in LANGUAGES:
            raise ApiError(404, "not_found")
        return JSONResponse(texts_under("dashboard.", language), headers={"Cache-Control": "no-cache"})

    @router.get("/dashboard/me")
    async def me(user: CurrentStaff) -> JSONResponse:
        """Who is signed in (the token's name, roles and municipalities): the dashboard offers
        what the role may do (take a case, assign it); the API still decides."""
        return JSONResponse(user.model_dump(include={"sub", "name", "roles", "municipalities", "regions"}), headers={"Cache-Control": "no-store"})

    @router.post("/session")
    async def sign_in(request: Request, token: str = Form(...)):
        """Signs in with a token (from the identity provider or `kotopolku dev-token`)."""
        try:
            verify_token(ctx.settings, token.strip())
        except AuthError:
            return RedirectResponse("/?error=token", status_code=303)
        response = RedirectResponse("/", status_code=303)
        # Secure when reached over HTTPS (through a trusted proxy's X-Forwarded-Proto) or published at an https URL.
        secure = request.url.scheme == "https" or (ctx.settings.public_url or "").startswith("https:")
        response.set_cookie(SESSION_COOKIE, token.strip(), httponly=True, samesite="strict", secure=secure)
        return response

    @router.post("/session/end")
    async def sign_out():
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    return router

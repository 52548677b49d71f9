"""The pages' own files: the ES modules in the static folder's subfolders are served as
text/javascript (module scripts need it); hidden files, other kinds of file and anything outside
the folder are not found; every module is under ~450 lines and imports only files that exist."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from services.notifications.dashboard import STATIC, build_dashboard
from shared.http import install_error_handlers


@pytest.fixture
async def client():
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(build_dashboard(SimpleNamespace(settings=None)))
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as http:
        yield http


async def test_modules_are_served_as_javascript_from_their_folders(client):
    for path in ("/static/dashboard/main.js", "/static/lib/api.js", "/static/webhooks.js", "/static/dashboard.css"):
        answer = await client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["cache-control"] == "no-cache"
    assert (await client.get("/static/lib/forms.js")).headers["content-type"] == "text/javascript; charset=utf-8"


@pytest.mark.parametrize(
    "path",
    ["/static/dashboard/missing.js", "/static/dashboard/", "/static/.hidden.js", "/static/lib/.x/a.js", "/static/%2e%2e/dashboard.py", "/static/lib/../../dashboard.py", "/static/dashboard"],
)
async def test_nothing_else_is_served(client, path):
    assert (await client.get(path)).status_code == 404


def exported(module: Path) -> set[str]:
    text = module.read_text(encoding="utf-8")
    names = set(re.findall(r"^export (?:var|let|const|function|class) ([\w$]+)", text, re.M))
    for group in re.findall(r"^export \{([^}]*)\}", text, re.M):
        names |= {name.strip().split(" as ")[-1] for name in group.split(",")}
    return names


def test_every_module_is_small_and_imports_what_exists():
    modules = sorted(STATIC.rglob("*.js"))
    assert len(modules) > 15
    for module in modules:
        text = module.read_text(encoding="utf-8")
        assert text.count("\n") < 460, module.name
        imports = re.findall(r'^import \{([^}]*)\} from "([^"]+)";', text, re.M) + [("", target) for target in re.findall(r'^import "([^"]+)";', text, re.M)]
        for names, target in imports:
            resolved = (STATIC / target.removeprefix("/static/") if target.startswith("/static/") else module.parent / target).resolve()
            assert resolved.is_file(), f"{module.name} imports {target}"
            missing = {name.strip().split(" as ")[0] for name in names.split(",") if name.strip()} - exported(resolved)
            assert not missing, f"{module.name} imports {missing} from {target}, which does not export them"

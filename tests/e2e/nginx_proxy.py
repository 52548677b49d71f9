"""Debian's nginx running deploy/proxy/nginx.conf for a test: the file as the compose stack mounts
it, with only what differs on a test machine rendered in — the upstream addresses (the services'
own ports on 127.0.0.1 instead of compose's container names), a free listen port, and the pid,
logs and temporary files in the test's directory."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).parents[2]
PROXY_CONF = ROOT / "deploy" / "proxy" / "nginx.conf"
SERVICES = ("intake", "assessment", "planning", "notifications")


def nginx() -> str:
    path = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.path.exists(p)), None)
    if path is None:
        pytest.fail("nginx is needed for the proxy test: `apt-get install nginx-light` (or `nginx`; .ci/run does)", pytrace=False)
    return path


def render(conf: str, *, listen_port: int, upstreams: dict[str, str]) -> str:
    """The server block with the test's listen port and upstream addresses; every other line as shipped."""
    conf, listens = re.subn(r"^(\s*)listen\s+8080;", rf"\1listen 127.0.0.1:{listen_port};", conf, flags=re.M)
    assert listens == 1, "deploy/proxy/nginx.conf: expected one `listen 8080;`"
    for service in SERVICES:
        pattern = rf"^(\s*set \${service}\s+)http://serve-{service}:8000;"
        conf, found = re.subn(pattern, rf"\g<1>{upstreams[service]};", conf, flags=re.M)
        assert found == 1, f"deploy/proxy/nginx.conf: expected `set ${service} http://serve-{service}:8000;`"
    return conf


def main_conf(prefix: Path, server_conf: Path) -> str:
    """What the nginx image's own /etc/nginx/nginx.conf gives around conf.d: an http block that
    includes the server, here with every file nginx writes under `prefix`."""
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers may then open files in the test's directory
    return (
        f"{user}worker_processes 1;\n"
        f"pid {prefix}/nginx.pid;\n"
        f"error_log {prefix}/error.log info;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        f"    access_log {prefix}/access.log;\n"
        f"    client_body_temp_path {prefix}/body;\n"
        f"    proxy_temp_path {prefix}/proxy;\n"
        f"    fastcgi_temp_path {prefix}/fastcgi;\n"
        f"    uwsgi_temp_path {prefix}/uwsgi;\n"
        f"    scgi_temp_path {prefix}/scgi;\n"
        f"    include {server_conf};\n"
        "}\n"
    )


@contextmanager
def proxy(prefix: Path, *, listen_port: int, upstreams: dict[str, str]) -> Iterator[Path]:
    """nginx in the foreground (its own process, stopped at the end); yields its directory (logs)."""
    binary = nginx()
    prefix.mkdir(parents=True, exist_ok=True)
    server_conf = prefix / "kotopolku.conf"
    server_conf.write_text(render(PROXY_CONF.read_text(encoding="utf-8"), listen_port=listen_port, upstreams=upstreams))
    conf = prefix / "nginx.conf"
    conf.write_text(main_conf(prefix, server_conf))
    checked = subprocess.run([binary, "-t", "-p", str(prefix), "-c", str(conf)], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, f"nginx -t refused the rendered deploy/proxy/nginx.conf:\n{checked.stderr}"
    with (prefix / "nginx.out").open("w") as out:
        process = subprocess.Popen(
            [binary, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"], stdout=out, stderr=subprocess.STDOUT
        )
        try:
            yield prefix
        finally:
            process.terminate()  # SIGTERM: nginx's fast shutdown
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

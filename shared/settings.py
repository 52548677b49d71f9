"""Typed configuration from `KOTOPOLKU_*` environment variables.

A missing or malformed value fails at start-up with the variable's name, so an operator sees
`KOTOPOLKU_AMQP_URL` in the error rather than a stack trace from deep inside a driver.
"""

from __future__ import annotations

import base64
import os
import sys
from functools import cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.crypto import DataKey

SERVICES = ("intake", "assessment", "planning", "notifications")

# Secrets good enough for a laptop; refused when KOTOPOLKU_ENVIRONMENT=production.
DEV_JWT_SECRET = "kotopolku-development-only-jwt-secret-change-me"
DEV_DATA_KEY = base64.b64encode(b"kotopolku-development-only-key!!").decode()
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def _published_beyond_this_machine(url: str) -> bool:
    """An https address (what people outside use), or any address whose host is not loopback."""
    parts = urlsplit(url)
    return parts.scheme == "https" or (parts.hostname or "") not in LOOPBACK_HOSTS


class ConfigurationError(RuntimeError):
    """A setting is missing or wrong; the message names the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KOTOPOLKU_", extra="ignore")

    environment: Literal["development", "production"] = "development"
    http_host: str = "127.0.0.1"
    http_port: int = Field(8000, ge=1, le=65535)
    public_url: str | None = None  # how people reach the dashboard, when behind a proxy
    # Proxies whose X-Forwarded-Proto/-For are believed (uvicorn's forwarded_allow_ips): "*" where
    # only the proxy reaches the services (compose, Kubernetes).
    forwarded_allow_ips: str = "127.0.0.1,::1"
    # Where intake and assessment read the case as staff see it (the notifications service's case
    # API), when notifications runs in another process; in one process it is read in-process.
    notifications_url: str = "http://127.0.0.1:8000"
    # Where assessment reads the wellbeing services county's staff list (the planning service's),
    # when planning runs in another process; in one process it is read in-process.
    planning_url: str = "http://127.0.0.1:8000"
    # A request body larger than this is refused (413) by the application itself, whatever the
    # proxy in front allows (deploy/proxy/nginx.conf has the same 1 MiB).
    max_request_bytes: int = Field(1024 * 1024, ge=1024)

    var_dir: Path = Path("var")
    database_url: str | None = None  # None: one SQLite file per service under var_dir
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_ui_url: str = "http://127.0.0.1:8233"
    temporal_embedded: bool = True  # `kotopolku run` starts a dev server when none answers
    # The embedded dev server's memory (Go's soft limit, GOMEMLIMIT): near it, its garbage collector
    # works harder instead of letting the heap grow; it is never stopped for it. With 300 MB it kept
    # to about 330 MB through 10 000 clients, where it grew to 476 MB without (docs/benchmarks.md).
    temporal_embedded_memory_mb: int = Field(300, ge=64, le=65_536)
    # `kotopolku run` runs the Temporal workers in a second process, so that on a machine with more
    # than one core the workflows do not wait for the HTTP requests, consumers and feed (or they for
    # the workflows) on one interpreter (docs/benchmarks.md); false: everything in one process.
    # Linux only (it forks, and watches the process through a pidfd).
    run_worker_process: bool = sys.platform == "linux"

    # Staff authentication (OIDC-style JWT). With a public key set, tokens are RS256/ES256 from
    # the organisation's identity provider and `dev-token` is refused.
    jwt_secret: str = DEV_JWT_SECRET
    # The secret before a rotation: tokens signed with it are still accepted until they expire;
    # new tokens are signed only with KOTOPOLKU_JWT_SECRET.
    jwt_secret_previous: str | None = None
    jwt_public_key: str | None = None
    jwt_jwks_url: str | None = None  # the identity provider's JWKS (RS256/ES256 keys by `kid`)
    jwt_issuer: str = "kotopolku-dev"
    jwt_audience: str = "kotopolku"
    # A token may live at most this long (exp - iat); clocks may differ by the leeway.
    jwt_max_lifetime_hours: float = Field(12, gt=0, le=24 * 7)
    jwt_leeway_seconds: int = Field(30, ge=0, le=300)

    # 32-byte key (base64) for Temporal payload encryption and identity-code lookup hashes.
    data_key: str = DEV_DATA_KEY
    # Keys before a rotation (comma-separated, base64): still accepted for reading what was sealed
    # or encrypted with them; everything new uses KOTOPOLKU_DATA_KEY (README, "Rotating keys").
    data_key_previous: str | None = None

    # Live case streams (SSE) open at once in one process, and per staff member.
    max_live_streams: int = Field(500, ge=1)
    max_live_streams_per_user: int = Field(5, ge=1)

    # Rate limits (shared/ratelimit.py, per process): recruitment notices an employer may submit,
    # staff API requests per staff member, live streams a staff member may open.
    employer_notices_per_hour: int = Field(60, ge=1)
    staff_requests_per_minute: int = Field(600, ge=1)
    live_stream_opens_per_minute: int = Field(30, ge=1)

    # Each queue's consumer handles up to this many events at once, in lanes by the person the
    # event is about (one client's events in order), holding at most `in_flight` from the broker.
    # Unset: 8 on PostgreSQL, 1 on SQLite, whose single writer parallel lanes only make wait
    # for each other (docs/benchmarks.md).
    consumer_lanes: int | None = Field(None, ge=1, le=256)
    consumer_in_flight: int = Field(32, ge=1, le=1000)
    # A lane with events waiting handles up to this many of different people in one transaction:
    # on SQLite one turn at its single writer and one commit for them all; on PostgreSQL fewer
    # commits beside the other lanes' (both: docs/benchmarks.md). 1: each event alone.
    consumer_together: int = Field(16, ge=1, le=256)

    # How SQLite (Kotopolku's own files and the embedded Temporal server's) makes a commit durable.
    # "full": each commit is on disk before it is answered, so an event acked or a workflow start
    # reported after it survives a power cut. "normal" (WAL) saves that flush per commit; a crash of
    # the process loses nothing, but a power cut or an OS crash may lose the last commits — events
    # already acked at the broker, starts already marked sent. See docs/benchmarks.md.
    sqlite_synchronous: Literal["full", "normal"] = "full"
    # Workflows a Temporal worker keeps in memory between their steps (per task queue): a bound on
    # memory however many clients are on their path; one evicted is replayed from its history when
    # it next has something to do (a staff command on it then costs about 5 ms more CPU time). 500
    # kept 10 000 clients in 716 MB with the Temporal server (docs/benchmarks.md).
    worker_max_cached_workflows: int = Field(500, ge=0, le=10_000)
    # Whether the workers run each workflow inside Temporal's sandbox. Off: a workflow's first step
    # and each replay of one that left the cache cost a fraction of the CPU time (the sandbox runs the
    # workflow's module afresh for each), which keeps a replay on a busy machine well inside
    # Temporal's 2 s limit for one step. What the sandbox guards against, a workflow calling the
    # clock, chance or I/O itself, is caught by the workflow tests instead: they run every workflow
    # in it, and every recorded history is replayed both ways (docs/benchmarks.md, 2026-12-06, afternoon).
    worker_sandbox: bool = False

    # Events that fail for a reason that may pass are retried after these pauses, then dead-lettered.
    retry_delays_seconds: list[float] = Field(default_factory=lambda: [1, 5, 30, 120, 600])

    # E-mail to staff (none when no host is set: notifications are then only on the dashboard).
    smtp_host: str | None = None
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "Kotopolku <kotopolku@localhost>"
    recipients_file: Path | None = None  # who is told, per municipality and role (see docs)

    # SMS to clients: through this HTTP gateway (a JSON POST with a bearer token) when set, else
    # appended to var_dir/sms.jsonl (the development provider, CONTRACT §7).
    sms_gateway_url: str | None = None
    sms_gateway_token: str | None = None
    sms_sender: str = "Kotopolku"

    policy_file: Path | None = None  # overrides of the default policy (deadlines per municipality)
    log_level: str = "INFO"
    log_format: Literal["json", "console"] = "json"
    # Traces go to this OTLP/HTTP collector (e.g. http://collector:4318); unset: the standard
    # OTEL_EXPORTER_OTLP_ENDPOINT, and without either no traces leave the process.
    otel_exporter_otlp_endpoint: str | None = None

    @field_validator(
        "jwt_public_key", "jwt_jwks_url", "public_url", "database_url", "policy_file", "smtp_host", "recipients_file",
        "sms_gateway_url", "data_key_previous", "jwt_secret_previous", mode="before"
    )
    @classmethod
    def _empty_is_unset(cls, value):
        # An empty variable (KOTOPOLKU_JWT_PUBLIC_KEY=) means "not set", never "set to nothing".
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("data_key")
    @classmethod
    def _key_is_32_bytes(cls, value: str) -> str:
        try:
            raw = base64.b64decode(value, validate=True)
        except ValueError as error:
            raise ValueError("must be base64") from error
        if len(raw) != 32:
            raise ValueError("must decode to exactly 32 bytes")
        return value

    @field_validator("data_key_previous")
    @classmethod
    def _previous_keys_are_32_bytes(cls, value: str | None) -> str | None:
        for number, part in enumerate((value or "").split(","), start=1):
            if value is None:
                break
            try:
                raw = base64.b64decode(part.strip(), validate=True)
            except ValueError as error:
                raise ValueError(f"key {number} must be base64") from error
            if len(raw) != 32:
                raise ValueError(f"key {number} must decode to exactly 32 bytes")
        return value

    @field_validator("amqp_url")
    @classmethod
    def _amqp_scheme(cls, value: str) -> str:
        if not value.startswith(("amqp://", "amqps://")):
            raise ValueError("must start with amqp:// or amqps://")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_scheme(cls, value: str | None) -> str | None:
        if value and not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @model_validator(mode="after")
    def _no_development_secrets_where_others_reach(self) -> "Settings":
        """The development secrets are published with the source: anyone could mint staff tokens
        with them. They are refused in production, whenever the service listens beyond this
        machine (any address but loopback), and when it is published through a proxy at an address
        of its own (KOTOPOLKU_PUBLIC_URL https, or not loopback): a proxy on the same host makes a
        loopback listener reachable from everywhere. (A request that comes through a proxy anyway
        is refused while they are in use: shared.http.DevelopmentSecretsLocalOnly.)"""
        where = None
        if self.environment == "production":
            where = "in production"
        elif self.http_host not in LOOPBACK_HOSTS:
            where = f"when listening on {self.http_host}"
        elif self.public_url and _published_beyond_this_machine(self.public_url):
            where = f"when published at {self.public_url} (KOTOPOLKU_PUBLIC_URL)"
        if where is not None:
            if self.jwt_public_key is None and self.jwt_jwks_url is None and self.jwt_secret == DEV_JWT_SECRET:
                raise ValueError(f"KOTOPOLKU_JWT_PUBLIC_KEY (or KOTOPOLKU_JWT_SECRET) must be set {where}")
            if self.data_key == DEV_DATA_KEY:
                raise ValueError(f"KOTOPOLKU_DATA_KEY must be set {where}")
        if self.environment == "production":
            if self.jwt_public_key is None and self.jwt_jwks_url is None and len(self.jwt_secret) < 32:
                raise ValueError("KOTOPOLKU_JWT_SECRET must be at least 32 characters in production")
            if self.jwt_issuer == "kotopolku-dev":
                raise ValueError("KOTOPOLKU_JWT_ISSUER must name the identity provider in production (not kotopolku-dev)")
            if len(base64.b64decode(self.data_key)) != 32:
                raise ValueError("KOTOPOLKU_DATA_KEY must be 32 bytes, base64-encoded")
        return self

    @property
    def uses_development_secrets(self) -> bool:
        """Staff tokens or the data key are the published development ones."""
        development_tokens = self.jwt_public_key is None and self.jwt_jwks_url is None and self.jwt_secret == DEV_JWT_SECRET
        return development_tokens or self.data_key == DEV_DATA_KEY

    @property
    def data_key_bytes(self) -> DataKey:
        """The current data key, carrying the previous ones (KOTOPOLKU_DATA_KEY_PREVIOUS) for reading."""
        previous = [base64.b64decode(part.strip()) for part in self.data_key_previous.split(",")] if self.data_key_previous else ()
        return DataKey(base64.b64decode(self.data_key), previous)

    def service_database_url(self, service: str) -> str:
        """Each service's own database: `KOTOPOLKU_<SERVICE>_DATABASE_URL`, else the shared URL
        (services keep apart by PostgreSQL schema), else its own SQLite file."""
        own = os.environ.get(f"KOTOPOLKU_{service.upper()}_DATABASE_URL")
        if own:
            return own
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.var_dir / f'{service}.db'}"

    def service_port(self, service: str) -> int:
        """Port of a service run alone (`serve <service>`): `KOTOPOLKU_<SERVICE>_HTTP_PORT`."""
        value = os.environ.get(f"KOTOPOLKU_{service.upper()}_HTTP_PORT")
        if value is None:
            return self.http_port
        if not value.isdigit() or not 0 < int(value) < 65536:
            raise ConfigurationError(f"KOTOPOLKU_{service.upper()}_HTTP_PORT: must be a port number, got {value!r}")
        return int(value)


def load_settings(**overrides) -> Settings:
    """Read the environment; raise ConfigurationError naming each bad variable."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            field = ".".join(str(part) for part in item["loc"])
            name = f"KOTOPOLKU_{field.upper()}" if field else "configuration"
            problems.append(f"{name}: {item['msg']}")
        raise ConfigurationError("; ".join(problems)) from None


@cache
def settings() -> Settings:
    return load_settings()

import base64

import pytest

from shared.settings import ConfigurationError, load_settings


def test_defaults_are_the_embedded_ones(monkeypatch):
    for name in ("KOTOPOLKU_DATABASE_URL", "KOTOPOLKU_INTAKE_DATABASE_URL", "KOTOPOLKU_HTTP_PORT"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.http_port == 8000
    assert settings.amqp_url == "amqp://guest:guest@127.0.0.1:5672/"
    assert settings.temporal_address == "127.0.0.1:7233"
    assert settings.service_database_url("intake") == "sqlite+aiosqlite:///var/intake.db"


def test_a_wrong_value_fails_naming_the_variable(monkeypatch):
    monkeypatch.setenv("KOTOPOLKU_HTTP_PORT", "eighty")
    with pytest.raises(ConfigurationError, match="KOTOPOLKU_HTTP_PORT"):
        load_settings()


def test_a_wrong_database_url_fails_naming_the_variable(monkeypatch):
    monkeypatch.setenv("KOTOPOLKU_DATABASE_URL", "mysql://somewhere/db")
    with pytest.raises(ConfigurationError, match="KOTOPOLKU_DATABASE_URL: .*postgresql\\+asyncpg"):
        load_settings()


def test_production_refuses_the_development_secrets(monkeypatch):
    monkeypatch.setenv("KOTOPOLKU_ENVIRONMENT", "production")
    with pytest.raises(ConfigurationError, match="KOTOPOLKU_JWT_PUBLIC_KEY"):
        load_settings()


def test_one_service_may_have_its_own_database(monkeypatch):
    monkeypatch.setenv("KOTOPOLKU_DATABASE_URL", "postgresql+asyncpg://db/kotopolku")
    monkeypatch.setenv("KOTOPOLKU_PLANNING_DATABASE_URL", "postgresql+asyncpg://other/planning")
    settings = load_settings()
    assert settings.service_database_url("intake") == "postgresql+asyncpg://db/kotopolku"
    assert settings.service_database_url("planning") == "postgresql+asyncpg://other/planning"


def test_service_port_is_checked(monkeypatch):
    monkeypatch.setenv("KOTOPOLKU_INTAKE_HTTP_PORT", "99999")
    with pytest.raises(ConfigurationError, match="KOTOPOLKU_INTAKE_HTTP_PORT"):
        load_settings().service_port("intake")


@pytest.mark.parametrize("host", ["0.0.0.0", "10.1.2.3", "::"])
def test_development_secrets_are_refused_when_others_can_reach_the_service(host):
    with pytest.raises(ConfigurationError, match="KOTOPOLKU_JWT_PUBLIC_KEY"):
        load_settings(http_host=host)
    load_settings(http_host=host, jwt_secret="s" * 40, data_key=base64.b64encode(b"k" * 32).decode())


def test_production_refuses_short_secrets_and_the_development_issuer():
    key = base64.b64encode(b"k" * 32).decode()
    with pytest.raises(ConfigurationError, match="at least 32"):
        load_settings(environment="production", jwt_secret="short", data_key=key, jwt_issuer="https://login.example.fi")
    with pytest.raises(ConfigurationError, match="kotopolku-dev"):
        load_settings(environment="production", jwt_secret="s" * 40, data_key=key)
    load_settings(environment="production", jwt_secret="s" * 40, data_key=key, jwt_issuer="https://login.example.fi")


@pytest.mark.parametrize("public_url", ["https://kotopolku.example.fi", "https://127.0.0.1:8443", "http://kotopolku.example.fi"])
def test_development_secrets_are_refused_when_published_through_a_proxy(public_url):
    # Listening on loopback, but a proxy on the same host publishes it: others reach it all the same.
    with pytest.raises(ConfigurationError, match="KOTOPOLKU_PUBLIC_URL"):
        load_settings(http_host="127.0.0.1", public_url=public_url)
    with pytest.raises(ConfigurationError, match="KOTOPOLKU_DATA_KEY"):
        load_settings(http_host="127.0.0.1", public_url=public_url, jwt_secret="s" * 40)
    assert not load_settings(public_url=public_url, jwt_secret="s" * 40, data_key=base64.b64encode(b"k" * 32).decode()).uses_development_secrets


@pytest.mark.parametrize("public_url", [None, "http://127.0.0.1:8000", "http://localhost:8000/"])
def test_development_secrets_stay_usable_on_this_machine(public_url):
    assert load_settings(http_host="127.0.0.1", public_url=public_url).uses_development_secrets

"""Production mode's edges: the secret key's standard, the database connections' default, the
response headers (Content-Security-Policy, Permissions-Policy), and the browsable API and the
schema/docs off or staff-only (settings)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from saypro.secret_key import secret_key_problem
from tests.accounts.factories import BuyerFactory, StaffFactory

BASE_DIR = Path(__file__).resolve().parents[2]
STRONG_KEY = secrets.token_urlsafe(64)


def _settings_value(expression: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Load saypro.settings in a fresh process with ``env`` and print ``expression``."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "API_", "SECRET_KEY", "DEBUG"))
    }
    environment.update({"DJANGO_SETTINGS_MODULE": "saypro.settings", **env})
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=120
    )


# --- The secret key ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("changeme", "is a well-known placeholder"),
        ("CHANGEME", "is a well-known placeholder"),
        ("secret", "is a well-known placeholder"),
        ("changeme-" + "x" * 60, "contains the placeholder word 'changeme'"),
        ("django-insecure-" + "a1b2c3d4e5" * 6, "contains the placeholder word 'insecure'"),
        ("Qx7!pLm2#vRt9", "is shorter than 50 characters"),
        ("ab" * 40, "has fewer than 5 distinct characters"),
    ],
)
def test_weak_secret_keys_are_named(key: str, problem: str) -> None:
    assert secret_key_problem(key) == problem


def test_a_random_key_passes() -> None:
    assert secret_key_problem(STRONG_KEY) is None


@pytest.mark.parametrize("key", ["changeme", "x" * 20 + "abcdefghij", "django-insecure-" + "k" * 50])
def test_production_mode_refuses_to_start_with_a_weak_secret_key(key: str) -> None:
    result = _settings_value("settings.DEBUG", DJANGO_DEBUG="0", DJANGO_SECRET_KEY=key)

    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY" in result.stderr
    assert "production mode (DJANGO_DEBUG=0) needs 50+ random characters" in result.stderr


def test_production_mode_starts_with_a_strong_key_and_development_with_any() -> None:
    production = _settings_value("settings.DEBUG", DJANGO_DEBUG="0", DJANGO_SECRET_KEY=STRONG_KEY)
    development = _settings_value("settings.DEBUG", DJANGO_DEBUG="1", DJANGO_SECRET_KEY="changeme")

    assert (production.returncode, production.stdout.strip()) == (0, "False"), production.stderr
    assert (development.returncode, development.stdout.strip()) == (0, "True"), development.stderr


# --- Database connections --------------------------------------------------------------------


def test_postgres_connections_are_not_kept_by_default_and_health_checked() -> None:
    """runserver opens a thread per request: a kept connection per thread piles up idle."""
    result = _settings_value(
        "settings.DATABASES['default']['CONN_MAX_AGE'], settings.DATABASES['default']['CONN_HEALTH_CHECKS']",
        DATABASE_URL="postgres://saypro@127.0.0.1:5432/saypro",
    )

    assert result.stdout.strip() == "0 True", result.stderr


def test_gunicorn_deployments_set_the_connection_age() -> None:
    result = _settings_value(
        "settings.DATABASES['default']['CONN_MAX_AGE']",
        DATABASE_URL="postgres://saypro@127.0.0.1:5432/saypro",
        DATABASE_CONN_MAX_AGE="60",
    )
    compose = (BASE_DIR / "docker-compose.yml").read_text()

    assert result.stdout.strip() == "60", result.stderr
    assert "DATABASE_CONN_MAX_AGE:" in compose


def test_production_mode_turns_the_browsable_api_and_public_docs_off() -> None:
    result = _settings_value(
        "settings.API_BROWSABLE, settings.API_DOCS_PUBLIC", DJANGO_DEBUG="0", DJANGO_SECRET_KEY=STRONG_KEY
    )

    assert result.stdout.strip() == "False False", result.stderr


# --- Response headers ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/admin/login/", "/api/v1/users/me/", "/healthz"])
def test_every_response_carries_the_content_security_and_permissions_policies(url: str) -> None:
    response = Client().get(url)

    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"].startswith("'self'")
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-eval" not in directives["script-src"]
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_no_template_has_an_inline_script_without_the_nonce() -> None:
    """script-src allows only files from this site and scripts carrying the request's nonce."""
    for template in (BASE_DIR / "templates").rglob("*.html"):
        for line in template.read_text().splitlines():
            if "<script" in line and "src=" not in line:
                assert "request.csp_nonce" in line, f"{template}: {line.strip()}"


@pytest.mark.django_db
def test_the_api_docs_page_has_no_inline_script() -> None:
    response = Client().get("/api/docs/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>" not in html
    assert Client().get("/api/docs/?script=").status_code == 200


# --- Browsable API and docs ------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(API_BROWSABLE=False)
def test_without_the_browsable_api_a_browser_gets_json() -> None:
    client = APIClient()
    client.force_authenticate(BuyerFactory())

    response = client.get("/api/v1/users/me/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


@pytest.mark.django_db
@override_settings(API_BROWSABLE=True)
def test_with_the_browsable_api_a_browser_gets_html() -> None:
    client = APIClient()
    client.force_authenticate(BuyerFactory())

    response = client.get("/api/v1/users/me/", HTTP_ACCEPT="text/html")

    assert response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
@override_settings(API_DOCS_PUBLIC=False)
@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/"])
def test_private_docs_are_for_staff_only(url: str) -> None:
    buyer = Client()
    buyer.force_login(BuyerFactory())
    staff = Client()
    staff.force_login(StaffFactory())

    assert Client().get(url).status_code in (401, 403)
    assert buyer.get(url).status_code == 403
    assert staff.get(url).status_code == 200


@pytest.mark.django_db
@override_settings(API_DOCS_PUBLIC=False)
def test_private_docs_are_not_linked_for_everyone() -> None:
    html = Client().get("/").content.decode()

    assert 'href="/api/docs/"' not in html


@pytest.mark.django_db
@override_settings(API_DOCS_PUBLIC=True)
def test_public_docs_are_open_and_linked() -> None:
    assert Client().get("/api/schema/").status_code == 200
    assert 'href="/api/docs/"' in Client().get("/").content.decode()

"""The settings a deployment relies on: production checks, superuser creation, health check."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import Role, User

BASE_DIR = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_check_deploy_passes_in_production_mode_with_real_secrets():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="desk.example.com",
        DJANGO_SETTINGS_MODULE="saypro.settings",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_when_production_mode_lacks_https_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SETTINGS_MODULE="saypro.settings",
    )
    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr


def test_production_mode_refuses_to_start_with_the_development_secret_key():
    result = _manage("check", DJANGO_DEBUG="0", DJANGO_SETTINGS_MODULE="saypro.settings")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


@pytest.mark.django_db
def test_createsuperuser_noinput_reads_the_environment(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "root")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "root@example.com")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-root-password-2026")
    call_command("createsuperuser", "--noinput", verbosity=0)
    user = User.objects.get(username="root")
    assert user.is_superuser and user.is_staff
    assert user.role == Role.ADMIN
    assert user.check_password("a-long-root-password-2026")


@pytest.mark.django_db
def test_healthz_reports_the_database_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


@pytest.mark.django_db
def test_staff_groups_exist_with_their_permissions():
    from django.contrib.auth.models import Group

    groups = {
        group.name: {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        for group in Group.objects.prefetch_related("permissions__content_type")
    }
    assert {"support", "moderator", "finance", "integration"} <= set(groups)
    assert "marketplace.add_refund" in groups["finance"]
    assert "marketplace.add_refund" not in groups["support"]
    assert "marketplace.resend_receipt" in groups["support"]
    assert "marketplace.add_order" in groups["integration"]
    assert "marketplace.add_order" not in groups["moderator"]


def _gunicorn_settings(monkeypatch, **env: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    import runpy

    for name in ("BIND", "PORT", "WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_ACCESS_LOG", "GUNICORN_KEEPALIVE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(BASE_DIR / "saypro" / "gunicorn_config.py"))


def test_gunicorn_serves_with_threads_and_keep_alive_from_its_settings_file(monkeypatch):
    defaults = _gunicorn_settings(monkeypatch)
    tuned = _gunicorn_settings(
        monkeypatch, PORT="8080", WEB_CONCURRENCY="3", GUNICORN_THREADS="8", GUNICORN_ACCESS_LOG=""
    )

    assert (defaults["worker_class"], defaults["threads"], defaults["keepalive"]) == ("gthread", 4, 5)
    assert defaults["bind"] == "0.0.0.0:8000"
    assert defaults["workers"] == (os.cpu_count() or 2)
    assert defaults["accesslog"] == "-"
    assert (tuned["bind"], tuned["workers"], tuned["threads"], tuned["accesslog"]) == ("0.0.0.0:8080", 3, 8, None)


def test_the_web_script_starts_gunicorn_with_the_settings_file():
    script = (BASE_DIR / "scripts" / "web.sh").read_text()

    assert "--config saypro/gunicorn_config.py saypro.wsgi:application" in script


def _setting(name: str, **env: str) -> str:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SITE_URL", "PORT", "EMAIL_URL", "CELERY_BROKER_URL", "SAYPRO_VAR_DIR"}
    }
    environment.update(env, DJANGO_SETTINGS_MODULE="saypro.settings")
    code = f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_links_in_emails_follow_the_port_make_run_serves_on():
    assert _setting("SITE_URL", PORT="8765") == "http://127.0.0.1:8765"
    assert _setting("SITE_URL") == "http://127.0.0.1:8000"
    assert _setting("SITE_URL", PORT="8765", SITE_URL="https://desk.example.com") == "https://desk.example.com"


def test_emails_are_files_in_var_mail_unless_a_mail_server_is_configured():
    assert _setting("EMAIL_BACKEND") == "django.core.mail.backends.filebased.EmailBackend"
    assert _setting("EMAIL_FILE_PATH").endswith("/var/mail")
    assert _setting("EMAIL_BACKEND", EMAIL_URL="smtp://mail.example.com:25") == (
        "django.core.mail.backends.smtp.EmailBackend"
    )


def test_the_default_broker_names_a_host_so_kombu_does_not_warn():
    assert _setting("CELERY_BROKER_URL") == "filesystem://localhost/"

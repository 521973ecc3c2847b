"""Production headers with DEBUG off (the test settings' default): CSP with no inline script,
HTTPS redirect and HSTS, no-store on pages and API answers with personal data, session expiry,
the schema behind login, and a clean `check --deploy` for the documented configuration."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.tokens import api_token_create
from config.checks import fail_fast_on_start

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def _csp_directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_pages_carry_a_csp_that_allows_only_relays_own_scripts(client, manager_a, rep_a):
    assert settings.DEBUG is False
    client.force_login(manager_a)
    directives = _csp_directives(client.get(f"/reps/{rep_a.pk}/"))
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "Content-Security-Policy" in client.get("/login/").headers


_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
_EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def test_no_template_has_inline_script_or_event_handlers():
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        if _INLINE_SCRIPT.search(text) or _EVENT_HANDLER.search(text):
            offenders.append(str(template.relative_to(ROOT)))
    assert offenders == []


def test_rendered_pages_have_no_inline_script(client, manager_a, rep_a):
    client.force_login(manager_a)
    for url in ["/dashboard/", f"/reps/{rep_a.pk}/", "/reps/", "/account/tokens/", "/api/docs/"]:
        html = client.get(url).content.decode()
        assert not _INLINE_SCRIPT.search(html), url


def test_swagger_ui_start_up_script_is_served_as_a_file(client, manager_a):
    client.force_login(manager_a)
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


@override_settings(SECURE_SSL_REDIRECT=True)
def test_plain_http_is_redirected_to_https_except_the_health_probe(client):
    redirect = client.get("/login/")
    assert redirect.status_code == 301
    assert redirect.headers["Location"].startswith("https://")
    assert client.get("/healthz").status_code != 301


def test_https_answers_carry_hsts_of_a_year(client):
    response = client.get("/login/", secure=True)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_behind_a_proxy_the_forwarded_protocol_counts_as_https(client):
    response = client.get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert "Strict-Transport-Security" in response.headers


def test_the_proxy_header_is_not_trusted_unless_configured(client):
    response = client.get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert "Strict-Transport-Security" not in response.headers


def _no_store(response) -> bool:
    cache_control = response.headers.get("Cache-Control", "")
    return "no-store" in cache_control and "private" in cache_control


def test_risk_hr_and_salary_pages_and_api_answers_are_not_stored(
    client, manager_a, admin_user, rep_a
):
    client.force_login(manager_a)
    for url in [f"/reps/{rep_a.pk}/", "/dashboard/", "/reps/", "/customers/"]:
        assert _no_store(client.get(url)), url
    client.force_login(admin_user)
    for url in ["/vacancies/", "/candidates/", "/departure-costs/", "/imports/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), url

    _token, key = api_token_create(user=manager_a, name="t")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    for url in [f"/api/reps/{rep_a.pk}/", "/api/dashboard/reps/", "/api/me/"]:
        assert _no_store(api.get(url)), url


def test_static_files_may_be_cached_normally(client):
    assert not _no_store(client.get("/static/css/relay.css"))


def test_a_session_lasts_a_working_day_and_ends_with_the_browser(client, manager_a):
    assert settings.SESSION_COOKIE_AGE == 9 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    client.post("/login/", {"username": "manager.a", "password": "pw-manager-a"})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == ""  # a browser-session cookie
    assert client.session.get_expiry_age() <= 9 * 60 * 60


def test_the_schema_and_docs_need_a_signed_in_user(client, manager_a):
    assert client.get("/api/schema/").status_code == 401
    for url in ["/api/docs/", "/api/redoc/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login/")
    client.force_login(manager_a)
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/redoc/").status_code == 200

    _token, key = api_token_create(user=manager_a, name="t")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/schema/").status_code == 200


@override_settings(RELAY_API_DOCS_PUBLIC=True)
def test_a_setting_opens_the_schema_and_docs(client):
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


@override_settings(RELAY_API_DOCS_PUBLIC=True, RELAY_API_THROTTLE_ANON="2/minute")
def test_anonymous_api_calls_over_the_rate_are_throttled(client):
    from django.core.cache import cache

    cache.clear()
    answers = [client.get("/api/schema/").status_code for _ in range(3)]
    assert answers == [200, 200, 429]


@override_settings(
    DEBUG=False,
    STATIC_ROOT="/nonexistent/relay-static",
    STORAGES={
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    },
)
def test_uncollected_static_files_are_a_start_up_error_naming_collectstatic():
    errors = [message for message in run_checks() if message.id == "relay.E001"]
    assert len(errors) == 1
    assert "collectstatic" in errors[0].hint
    # gunicorn runs no system checks: the WSGI entry point refuses to start instead.
    with pytest.raises(ImproperlyConfigured, match="collectstatic"):
        fail_fast_on_start()


# The documented production environment (docs/production.md), minus the real secrets.
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "k3y-for-the-deploy-check-only-9f8e7d6c5b4a3928171605f4e3d2c1b0a9",
    "ALLOWED_HOSTS": "relay.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://relay.example.com",
    "EMAIL_URL": "smtp://relay:secret@mail.example.com:587?tls=1",
    "SECURE_PROXY_SSL_HEADER": "true",
    "RELAY_PROXY_COUNT": "1",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
}


def test_check_deploy_is_clean_for_the_documented_production_configuration(tmp_path):
    static_root = tmp_path / "static"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"}
    }
    env.update(PRODUCTION_ENV, STATIC_ROOT=str(static_root), RELAY_VAR_DIR=str(tmp_path / "var"))
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    result = subprocess.run(
        [*manage, "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import database_from_url, env_bool, env_int, mailers_from_url


def test_env_bool_refuses_a_typo(monkeypatch):
    monkeypatch.setenv("DEBUG", "ture")
    with pytest.raises(ImproperlyConfigured, match="DEBUG='ture' is not a boolean"):
        env_bool("DEBUG", False)


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("yes", True), ("off", False)])
def test_env_bool_reads_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", not expected) is expected


def test_env_int_names_the_variable(monkeypatch):
    monkeypatch.setenv("SECURE_HSTS_SECONDS", "a year")
    with pytest.raises(ImproperlyConfigured, match="SECURE_HSTS_SECONDS"):
        env_int("SECURE_HSTS_SECONDS", 0)


def test_postgres_url_becomes_a_database_entry():
    db = database_from_url(
        "postgres://relay:s%40cret@db.internal:5433/relay_prod?sslmode=require",
        base_dir=Path("/srv"),
    )
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"]) == ("relay_prod", "relay", "s@cret")
    assert (db["HOST"], db["PORT"]) == ("db.internal", "5433")
    assert db["OPTIONS"] == {"sslmode": "require"}


def test_relative_sqlite_url_lives_under_the_project():
    db = database_from_url("sqlite:///var/relay.sqlite3", base_dir=Path("/srv/relay"))
    assert db["NAME"] == "/srv/relay/var/relay.sqlite3"


def test_absolute_sqlite_url_is_kept():
    db = database_from_url("sqlite:////tmp/relay.sqlite3", base_dir=Path("/srv/relay"))
    assert db["NAME"] == "/tmp/relay.sqlite3"


def test_unknown_database_scheme_is_refused():
    with pytest.raises(ImproperlyConfigured, match="mysql"):
        database_from_url("mysql://x@y/z", base_dir=Path("/"))


def test_smtp_email_url_becomes_the_default_mailer():
    mailer = mailers_from_url("smtp://mailer:p%40ss@smtp.example.com:587?tls=1")["default"]
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    options = mailer["OPTIONS"]
    assert (options["host"], options["port"], options["password"]) == (
        "smtp.example.com",
        587,
        "p@ss",
    )
    assert options["use_tls"] is True and options["use_ssl"] is False


def test_unknown_email_scheme_is_refused():
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL scheme 'pop3'"):
        mailers_from_url("pop3://x@y")


def test_file_email_url_writes_each_message_into_the_folder(tmp_path):
    from django.core import mail
    from django.test import override_settings

    folder = tmp_path / "mail"
    with override_settings(MAILERS=mailers_from_url(f"file://{folder}")):
        mail.send_mail("Subject", "Body", "relay@localhost", ["manager@example.com"])
    files = list(folder.iterdir())
    assert len(files) == 1
    assert "Subject: Subject" in files[0].read_text()

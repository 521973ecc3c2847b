"""What RELAY_REQUIRE_SERVICES lets skip, and that CI runs the suite on both databases."""

import re
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import require_mode, skip_or_fail

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("mode", "reason", "outcome"),
    [
        ("", "needs Chromium at /usr/bin/chromium", pytest.skip.Exception),
        ("", "needs PostgreSQL: set DATABASE_URL", pytest.skip.Exception),
        ("1", "needs PostgreSQL: set DATABASE_URL", pytest.fail.Exception),
        ("1", "needs Redis: set REDIS_URL", pytest.fail.Exception),
        ("embedded", "needs PostgreSQL: set DATABASE_URL", pytest.skip.Exception),
        ("embedded", "needs Redis: set REDIS_URL", pytest.skip.Exception),
        ("embedded", "needs Chromium at /usr/bin/chromium", pytest.fail.Exception),
        ("embedded", "needs the playwright package", pytest.fail.Exception),
    ],
)
def test_each_mode_lets_only_its_services_skip(monkeypatch, mode, reason, outcome):
    monkeypatch.setenv("RELAY_REQUIRE_SERVICES", mode)
    with pytest.raises(outcome):
        skip_or_fail(reason)


def test_an_unknown_mode_is_refused_with_the_choices_named(monkeypatch):
    monkeypatch.setenv("RELAY_REQUIRE_SERVICES", "yes")
    with pytest.raises(pytest.UsageError, match="embedded"):
        require_mode()


def test_ci_runs_make_test_on_postgresql_and_on_the_embedded_default():
    lines = (ROOT / ".ci" / "run").read_text().splitlines(keepends=True)
    ci = "".join(line for line in lines if not line.lstrip().startswith("#"))
    runs = re.findall(r"((?:[^\n]*\\\n)*[^\n]*)make test\b", ci)
    assert len(runs) == 2, runs
    postgres, embedded = runs
    assert 'DATABASE_URL="postgres://' in postgres and 'REDIS_URL="redis://' in postgres
    assert "RELAY_REQUIRE_SERVICES=1" in postgres
    assert "env -u DATABASE_URL -u REDIS_URL" in embedded
    assert "RELAY_REQUIRE_SERVICES=embedded" in embedded
    assert ci.count("make install-dev") == 1


def test_the_test_database_is_one_a_worker_process_can_open(db):
    """pytest-django keeps a SQLite test database in memory unless told otherwise; the worker
    and the live server are other processes and threads, so it must be a file."""
    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite":
        assert Path(name).is_file(), name
    else:
        assert name.startswith("test_"), name

"""The cast every test draws on, and access to the real services some tests need.

The organisation: region North (teams North A and North B) and region South (team South A).
Manager A manages region North, so sees both North teams; manager B manages South A only.

Tests that need PostgreSQL, Redis, a Celery worker or Chromium skip on a bare machine, but when
RELAY_REQUIRE_SERVICES=1 (set by .ci/run) a missing service fails the test instead.
"""

import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from accounts.models import Team, User
from accounts.services import user_create
from retention.models import Assignment, Customer, SalesRep

ROOT = Path(__file__).resolve().parent.parent
REQUIRE_SERVICES = os.environ.get("RELAY_REQUIRE_SERVICES", "") == "1"
CHROMIUM = os.environ.get("RELAY_CHROMIUM", "/usr/bin/chromium")


def skip_or_fail(reason: str) -> None:
    """Skip on a bare machine; in CI a would-be skip fails, so nothing goes silently untested."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def needs_postgres() -> None:
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: set DATABASE_URL=postgres://…")


@pytest.fixture
def needs_redis() -> str:
    if not settings.REDIS_URL:
        skip_or_fail("needs Redis: set REDIS_URL=redis://…")
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        skip_or_fail(f"Redis at {settings.REDIS_URL} does not answer: {exc}")
    return settings.REDIS_URL


# --- the cast -------------------------------------------------------------------------------


@pytest.fixture
def region_north(db) -> Team:
    return Team.objects.create(name="North", region="North")


@pytest.fixture
def team_north_a(region_north) -> Team:
    return Team.objects.create(name="North A", parent=region_north, region="North")


@pytest.fixture
def team_north_b(region_north) -> Team:
    return Team.objects.create(name="North B", parent=region_north, region="North")


@pytest.fixture
def region_south(db) -> Team:
    return Team.objects.create(name="South", region="South")


@pytest.fixture
def team_south_a(region_south) -> Team:
    return Team.objects.create(name="South A", parent=region_south, region="South")


@pytest.fixture
def admin_user(db) -> User:
    return user_create(username="ada.admin", password="pw-admin-1", role=User.Role.ADMIN)


@pytest.fixture
def hr_user(db) -> User:
    return user_create(username="harriet.hr", password="pw-hr-1", role=User.Role.HR)


@pytest.fixture
def manager_a(region_north, team_north_a, team_north_b) -> User:
    return user_create(
        username="manager.a",
        password="pw-manager-a",
        role=User.Role.SALES_MANAGER,
        first_name="Mona",
        last_name="North",
        managed_teams=[region_north],
    )


@pytest.fixture
def manager_b(team_south_a) -> User:
    return user_create(
        username="manager.b",
        password="pw-manager-b",
        role=User.Role.SALES_MANAGER,
        first_name="Sam",
        last_name="South",
        managed_teams=[team_south_a],
    )


def make_rep(team: Team, first: str, last: str, **extra) -> SalesRep:
    extra.setdefault("hire_date", dt.date(2022, 1, 10))
    extra.setdefault("region", team.region)
    extra.setdefault("email", f"{first}.{last}@example.com".lower())
    return SalesRep.objects.create(team=team, first_name=first, last_name=last, **extra)


@pytest.fixture
def rep_a(team_north_a) -> SalesRep:
    """A rep in manager A's scope."""
    return make_rep(team_north_a, "Alice", "Anders", annual_quota=500_000)


@pytest.fixture
def rep_a2(team_north_b) -> SalesRep:
    """Another rep in manager A's scope, in the other North team."""
    return make_rep(team_north_b, "Arne", "Berg", annual_quota=400_000)


@pytest.fixture
def rep_b(team_south_a) -> SalesRep:
    """A rep in manager B's scope only."""
    return make_rep(team_south_a, "Bruno", "Silva", annual_quota=450_000)


def make_customer(name: str, *, owner: SalesRep | None = None, **extra) -> Customer:
    customer = Customer.objects.create(name=name, **extra)
    if owner is not None:
        Assignment.objects.create(
            customer=customer,
            rep=owner,
            role=Assignment.Role.OWNER,
            valid_from=dt.date(2023, 1, 1),
        )
    return customer


@pytest.fixture
def customer_a(rep_a) -> Customer:
    return make_customer(
        "Acme Shipping", owner=rep_a, annual_revenue=1_200_000, is_key_account=True
    )


@pytest.fixture
def customer_b(rep_b) -> Customer:
    return make_customer("Bento Foods", owner=rep_b, annual_revenue=300_000)


# --- a real Celery worker -------------------------------------------------------------------


def _database_url_for_worker() -> str:
    """The URL of the database the tests are using (pytest-django's test_… database)."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        port = f":{db['PORT']}" if db["PORT"] else ""
        return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}{port}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


@contextmanager
def running_celery_worker(
    redis_url: str, *, log_name: str = "test-worker.log", extra_env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen]:
    """Start `celery worker` as a real process on Redis, against the test database, and stop it
    (TERM, then KILL) afterwards. Redis is flushed before and after, so no task leaks between
    tests. The test may kill the process itself."""
    import redis

    from config.celery import app

    redis.Redis.from_url(redis_url).flushdb()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url_for_worker(),
        "REDIS_URL": redis_url,
        "SECRET_KEY": "relay-tests-only-not-a-secret-0123456789-abcdefghijklmnop",
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        **(extra_env or {}),
    }
    celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
    (ROOT / "var").mkdir(exist_ok=True)
    log = open(ROOT / "var" / log_name, "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [celery, "-A", "config", "worker", "--pool=solo", "--loglevel=INFO", "-Q", "celery"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"Celery worker exited early; see {log.name}")
        if app.control.ping(timeout=1):
            break
    else:
        proc.kill()
        pytest.fail("Celery worker did not answer a ping within 60 s")
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()
        redis.Redis.from_url(redis_url).flushdb()


@pytest.fixture
def celery_worker_process(needs_postgres, needs_redis, transactional_db) -> Iterator[str]:
    """A real Celery worker consuming the default queue; yields the queue name."""
    with running_celery_worker(needs_redis):
        yield "celery"


# --- Chromium ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_browser():
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("needs the playwright package")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium_browser, live_server):
    """A fresh browser page whose console errors fail the test."""
    context = chromium_browser.new_context(
        base_url=live_server.url, viewport={"width": 1366, "height": 900}
    )
    browser_page = context.new_page()
    errors: list[str] = []
    browser_page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    browser_page.on("pageerror", lambda exc: errors.append(str(exc)))
    browser_page.console_errors = errors
    yield browser_page
    context.close()
    assert not errors, f"browser console errors: {errors}"


def browser_login(page, username: str, password: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")

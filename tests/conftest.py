"""The cast every test draws on, and access to the real services some tests need.

The organisation: region North (teams North A and North B) and region South (team South A).
Manager A manages region North, so sees both North teams; manager B manages South A only.

Which services a run must have, from RELAY_REQUIRE_SERVICES (``make test`` passes it through;
``.ci/run`` runs the suite once with each of the two CI settings):

- unset: a test whose service is missing skips (a bare machine, a quick local run);
- ``1``: PostgreSQL, Redis, a Celery worker and Chromium are all required: any skip fails;
- ``embedded``: the embedded default (SQLite and the file-system Celery broker) is required, and
  so are a Celery worker on that broker and Chromium against SQLite. Only tests about PostgreSQL-
  or Redis-specific behaviour (marked ``postgres`` / ``redis``, or asking for the fixtures
  ``needs_postgres`` / ``needs_redis``) may skip; any other skip fails.

A worker test asks for ``celery_worker_process``: it runs on whichever broker the settings name
(Redis when REDIS_URL is set, else the file-system broker) against the test database, which on
SQLite is a file under ``var/`` so that the worker process can open it.
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
from config.translations import compile_catalogs
from retention.models import Assignment, Customer, SalesRep

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("RELAY_CHROMIUM", "/usr/bin/chromium")
REQUIRE_MODES = {"": "nothing", "1": "every service", "embedded": "the embedded default"}
# The reasons a skip may give in the embedded run: the test is about PostgreSQL or Redis.
EMBEDDED_SKIPS = ("needs PostgreSQL", "needs Redis")
_POSTGRES_MISSING = "needs PostgreSQL: set DATABASE_URL=postgres://…"


@pytest.fixture(autouse=True)
def _organisation_language():
    """Every test starts in the organisation's language. A request activates its reader's
    language for the thread and nothing resets it afterwards (a server's next request activates
    its own), so without this a test after a Chinese page would run in Chinese."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Pages cache what a scoring run decides under the run's and rep's ids, which repeat
    between tests on SQLite: every test starts and ends with an empty cache."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def require_mode() -> str:
    mode = os.environ.get("RELAY_REQUIRE_SERVICES", "")
    if mode not in REQUIRE_MODES:
        raise pytest.UsageError(
            f"RELAY_REQUIRE_SERVICES={mode!r}: use 1 (every service), embedded (SQLite and the "
            "file-system broker) or leave it unset"
        )
    return mode


def wait_for(predicate, *, timeout: float, step: float = 0.1):
    """The predicate's first truthy value within ``timeout`` seconds, else None (for tests that
    wait on a real worker or server; a condition, not a speed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


def skip_or_fail(reason: str) -> None:
    """Skip on a bare machine; in CI a would-be skip fails, so nothing goes silently untested.

    The embedded run lets only the PostgreSQL- and Redis-specific tests skip."""
    mode = require_mode()
    if mode == "1" or (mode == "embedded" and not reason.startswith(EMBEDDED_SKIPS)):
        pytest.fail(f"required service missing: {reason}", pytrace=False)
    pytest.skip(reason)


_session_mode = ""  # read once at the start: a test may change the environment it runs in


def pytest_sessionstart(session: pytest.Session) -> None:
    """A CI run on the wrong database would pass while testing the other one: refuse it."""
    global _session_mode
    mode = _session_mode = require_mode()
    # The .mo files are built, not committed (config/translations.py): compile what is stale.
    compile_catalogs()
    engine = settings.DATABASES["default"]["ENGINE"]
    if mode == "1" and not (engine.endswith("postgresql") and settings.REDIS_URL):
        raise pytest.UsageError(
            "RELAY_REQUIRE_SERVICES=1 needs DATABASE_URL=postgres://… and REDIS_URL=redis://…"
        )
    if mode == "embedded" and not (engine.endswith("sqlite3") and not settings.REDIS_URL):
        raise pytest.UsageError(
            "RELAY_REQUIRE_SERVICES=embedded needs the embedded default: unset DATABASE_URL and "
            "REDIS_URL"
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The ``postgres`` and ``redis`` markers say a test is about that service's behaviour: it
    skips where the service is missing (and pytest_runtest_makereport decides if that may)."""
    missing = {
        "postgres": None if connection.vendor == "postgresql" else _POSTGRES_MISSING,
        "redis": _redis_missing() if any(i.get_closest_marker("redis") for i in items) else None,
    }
    for item in items:
        for name, reason in missing.items():
            if reason and item.get_closest_marker(name):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """A skip that did not come through skip_or_fail (a bare ``pytest.skip``, ``skipif``) is
    held to the same rule, so a CI run cannot lose a test quietly."""
    report = yield
    mode = _session_mode
    if report.skipped and mode and not hasattr(report, "wasxfail"):
        reason = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else ""
        reason = reason.removeprefix("Skipped: ")
        if mode == "1" or not reason.startswith(EMBEDDED_SKIPS):
            report.outcome = "failed"
            report.longrepr = f"RELAY_REQUIRE_SERVICES={mode} allows no such skip: {reason}"
    return report


def _redis_missing() -> str | None:
    """Why Redis cannot be used here, or None when it answers."""
    if not settings.REDIS_URL:
        return "needs Redis: set REDIS_URL=redis://…"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        return f"needs Redis: Redis at {settings.REDIS_URL} does not answer: {exc}"
    return None


def _redis_or_skip() -> str:
    if reason := _redis_missing():
        skip_or_fail(reason)
    return settings.REDIS_URL


@pytest.fixture
def needs_postgres() -> None:
    if connection.vendor != "postgresql":
        skip_or_fail(_POSTGRES_MISSING)


@pytest.fixture
def needs_redis() -> str:
    return _redis_or_skip()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix) -> None:
    """On SQLite the test database is a file (pytest-django's default is in memory), so that a
    Celery worker process and the live server can open it."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        db.setdefault("TEST", {})["NAME"] = str(Path(settings.VAR_DIR) / "test-relay.sqlite3")


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


def _broker_flush(broker_url: str) -> None:
    """Empty the broker and the result store, so no task leaks between tests."""
    if broker_url.startswith("redis"):
        import redis

        redis.Redis.from_url(broker_url).flushdb()
        return
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    folders = {value for key, value in options.items() if key.endswith("_folder")}
    folders |= {options["data_folder_in"], options["data_folder_out"]}
    folders.add(settings.CELERY_RESULT_BACKEND.removeprefix("file://"))
    for folder in folders:
        for path in Path(folder).glob("*"):
            if path.is_file():
                path.unlink()


@contextmanager
def running_celery_worker(
    broker_url: str, *, log_name: str = "test-worker.log", extra_env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen]:
    """Start `celery worker` as a real process on the broker the settings name (Redis, or the
    file-system broker under ``var/``), against the test database, and stop it (TERM, then
    KILL) afterwards. The broker is emptied before and after. The test may kill the process."""
    from config.celery import app

    _broker_flush(broker_url)
    env = {
        **os.environ,
        "DATABASE_URL": _database_url_for_worker(),
        "SECRET_KEY": "relay-tests-only-not-a-secret-0123456789-abcdefghijklmnop",
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "RELAY_VAR_DIR": str(settings.VAR_DIR),
        **(extra_env or {}),
    }
    if broker_url.startswith("redis"):
        env["REDIS_URL"] = broker_url
    else:
        env.pop("REDIS_URL", None)
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
        _broker_flush(broker_url)


@pytest.fixture
def celery_broker() -> str:
    """The broker a worker test runs on: Redis when REDIS_URL is set (and must answer), else
    the file-system broker of the embedded default."""
    if settings.REDIS_URL:
        return _redis_or_skip()
    return settings.CELERY_BROKER_URL


@pytest.fixture
def celery_worker_process(celery_broker, transactional_db) -> Iterator[str]:
    """A real Celery worker consuming the default queue; yields the queue name."""
    with running_celery_worker(celery_broker):
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

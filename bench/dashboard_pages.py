"""Server time of the team dashboard and the rep risk page at 1,000 and 10,000 reps.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relay_dashboard \\
    REDIS_URL=redis://127.0.0.1:6379/4 \\
        .venv/bin/python bench/dashboard_pages.py --reps 1000 10000 --repeat 7

Builds its own throwaway database (``<name>_bench``, dropped at the end unless ``--keep``), fills
it with SQL ``generate_series`` (teams of 12 reps under regions of about 25 teams; 5 customers,
3 open deals, a backup and 150 activities per rep; a weekly scoring run for 78 weeks, so 78
scores per rep with drivers and signals, stored run by run as the scoring service writes them,
and each run's rollup as publishing it writes it),
then requests the pages in-process with Django's test client as an admin (whole organisation)
and as the manager of one region, and prints medians: server time, the Python CPU time within
it and the database time. "cold cache" clears the cache first (band history, team heat map and
the summary are cached under the latest run's id); the other rows are the next requests.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

import datetime as dt  # noqa: E402

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

WEEKS = 78
TEAM_SIZE = 12
# A trained pipeline as the scoring service stores it is about a megabyte (1,076,913 bytes on
# the 10,000-seat demo); the bench's model carries one of that size, as a deployment's does.
ARTIFACT_BYTES = 1_076_913
END = dt.date(2026, 11, 23)


def build(reps: int) -> dict:
    """Fill the database with ``reps`` reps and their history. Returns ids the bench needs."""
    from accounts.models import Team, User
    from accounts.services import user_create
    from retention.models import RiskModel, ScoringRun
    from retention.selectors import risk_thresholds

    teams_count = max(reps // TEAM_SIZE, 1)
    regions = [Team.objects.create(name=f"Region {n}") for n in range(max(teams_count // 25, 3))]
    teams = Team.objects.bulk_create(
        Team(name=f"Team {n}", parent=regions[n % len(regions)]) for n in range(teams_count)
    )
    team_ids = [team.pk for team in teams]
    user_create(username="bench.admin", password=None, role=User.Role.ADMIN)
    user_create(
        username="bench.manager",
        password=None,
        role=User.Role.SALES_MANAGER,
        managed_teams=[regions[0]],
    )
    model = RiskModel.objects.create(
        version="bench-rules",
        kind="rules",
        is_active=True,
        artifact=random.Random(0).randbytes(ARTIFACT_BYTES),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO retention_salesrep (created_at, updated_at, first_name, last_name, email,
                crm_user_id, hr_employee_id, team_id, title, region, hire_date, annual_quota,
                status, departure_reason)
            SELECT now(), now(), 'Rep', 'Number ' || g, 'rep' || g || '@example.com',
                'crm-' || g, 'hr-' || g, (%(teams)s)[1 + (g %% cardinality(%(teams)s))],
                'Account executive', '', date '2016-01-01' + (g * 37 %% 3000)::int,
                400000, 'active', ''
            FROM generate_series(1, %(reps)s) g
            """,
            {"teams": team_ids, "reps": reps},
        )
        cursor.execute(
            """
            INSERT INTO retention_customer (created_at, updated_at, name, source, external_id,
                industry, region, annual_revenue, is_key_account)
            SELECT now(), now(), 'Customer ' || g, 'bench', 'c' || g, 'Logistics', '',
                (g * 7919 %% 2000000) + 10000, g %% 10 < 3
            FROM generate_series(1, %(n)s) g
            """,
            {"n": reps * 5},
        )
        cursor.execute(
            """
            WITH r AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i
                       FROM retention_salesrep),
                 c AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i
                       FROM retention_customer)
            INSERT INTO retention_assignment (created_at, updated_at, customer_id, rep_id,
                role, valid_from, source)
            SELECT now(), now(), c.id, r.id, 'owner',
                date '2022-01-01' + (c.i %% 900)::int, 'import'
            FROM c JOIN r ON r.i = c.i / 5
            """,
            {},
        )
        cursor.execute(
            """
            WITH r AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i
                       FROM retention_salesrep),
                 c AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i
                       FROM retention_customer)
            INSERT INTO retention_assignment (created_at, updated_at, customer_id, rep_id,
                role, valid_from, source)
            SELECT now(), now(), c.id, r.id, 'backup', date '2024-01-01', 'import'
            FROM c JOIN r ON r.i = (c.i / 5 + 1) %% %(reps)s
            WHERE c.i %% 5 = 0
            """,
            {"reps": reps},
        )
        cursor.execute(
            """
            INSERT INTO retention_deal (created_at, updated_at, customer_id, owner_id, name,
                stage, amount, created_on, status, source, external_id)
            SELECT now(), now(), a.customer_id, a.rep_id, 'Deal', 'Proposal',
                (a.customer_id * 131 %% 90000) + 1000, date '2026-08-01', 'open', '', ''
            FROM retention_assignment a WHERE a.role = 'owner' AND a.customer_id %% 5 < 3
            """,
            {},
        )
        cursor.execute(
            """
            INSERT INTO retention_activity (rep_id, customer_id, kind, occurred_at,
                duration_minutes, subject, source, external_id)
            SELECT r.id, NULL, (ARRAY['call','visit','meeting','email','task'])[1 + g %% 5],
                timestamptz '2025-05-26 09:00+00' + (g * interval '3 days 7 hours'),
                30, '', '', ''
            FROM retention_salesrep r CROSS JOIN generate_series(0, 149) g
            """,
            {},
        )
    ScoringRun.objects.bulk_create(
        ScoringRun(
            as_of=END - dt.timedelta(weeks=WEEKS - 1 - week),
            status=ScoringRun.Status.SUCCEEDED,
            model=model,
            total=reps,
            done=reps,
            started_at=timezone.now(),
            finished_at=timezone.now() - dt.timedelta(weeks=WEEKS - 1 - week),
        )
        for week in range(WEEKS)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO retention_riskscore (run_id, rep_id, as_of, probability, band, change,
                drivers, signals, status)
            SELECT run.id, r.id, run.as_of, p.prob,
                CASE WHEN p.prob >= %(high)s THEN 'high'
                     WHEN p.prob >= %(medium)s THEN 'medium' ELSE 'low' END,
                0.01,
                jsonb_build_array(jsonb_build_object('feature', 'leave_episode_change',
                    'text', 'average leave episode 4.5 days in the last 90 days, against 1.5 '
                            'days over the previous year', 'value', 3.0, 'weight', 0.2)),
                jsonb_build_object('activity_change', p.prob - 0.3,
                    'leave_episode_change', p.prob * 3, 'visit_hours_change', 0.1 - p.prob,
                    'service_change', -p.prob / 10, 'tenure_years', 4.2,
                    'activities_recent', 12.5),
                'scored'
            FROM retention_scoringrun run
            CROSS JOIN retention_salesrep r
            CROSS JOIN LATERAL (SELECT least(0.98, ((r.id * 7 + run.id * 3) %% 100) / 100.0
                * (0.4 + 0.6 * (r.id %% 9 = 0)::int)) AS prob) p
            ORDER BY run.id, r.id
            """,
            {key: risk_thresholds()[key] for key in ("high", "medium")},
        )
    rollups_write()
    return cast_for_bench()


def rollups_write() -> None:
    """Each run's rollup, as publishing the run writes it (the bench inserts runs as
    succeeded, with their scores, in SQL)."""
    from django.db import transaction

    from retention.models import ScoringRun
    from retention.risk.services import scoring_run_rollup_write

    for run_id in ScoringRun.objects.values_list("pk", flat=True):
        with transaction.atomic():
            scoring_run_rollup_write(run_id=run_id)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def cast_for_bench() -> dict:
    """The admin, the manager of the first region and a high-risk rep in that region."""
    from accounts.models import User
    from retention.models import RiskScore, ScoringRun

    manager = User.objects.get(username="bench.manager")
    latest = ScoringRun.objects.order_by("-finished_at").first()
    region = manager.managed_teams.get()
    high_rep = (
        RiskScore.objects.filter(run=latest, band="high", rep__team__parent=region)
        .order_by("-probability")
        .values_list("rep_id", flat=True)
        .first()
    )
    return {
        "admin": User.objects.get(username="bench.admin"),
        "manager": manager,
        "high_rep": high_rep,
    }


def reset() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE retention_riskpageview, retention_intervention, retention_riskalert, "
            "retention_riskrollup, retention_riskscore, retention_scoringrun, retention_riskmodel, "
            "retention_activity, retention_deal, retention_assignment, retention_customer, "
            "retention_salesrep, accounts_team_managers, accounts_team, accounts_user_groups, "
            "accounts_user RESTART IDENTITY CASCADE"
        )


def timed(
    client: Client, url: str, repeat: int, *, cold: bool, htmx: bool = False
) -> tuple[float, float, float, int]:
    """Median wall time, Python CPU time and database time (ms) of ``repeat`` requests."""
    headers = {"HX-Request": "true", "HX-Target": "dashboard-rows"} if htmx else {}
    wall, cpu, db, queries = [], [], [], 0
    for _ in range(repeat):
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url, headers=headers)
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        db.append(sum(float(query["time"]) for query in captured.captured_queries) * 1000)
        queries = len(captured)
    return statistics.median(wall), statistics.median(cpu), statistics.median(db), queries


def measure(reps: int, repeat: int, *, reuse: bool = False) -> list[tuple]:
    from retention.models import RiskScore, SalesRep

    started = time.perf_counter()
    if reuse and SalesRep.objects.count() == reps and RiskScore.objects.count() == reps * WEEKS:
        from retention.models import RiskRollup

        if not RiskRollup.objects.exists():  # a database kept from before rollups existed
            rollups_write()
        cast = cast_for_bench()
    else:
        reset()
        cast = build(reps)
    built = time.perf_counter() - started
    print(
        f"built {reps:,} reps, {RiskScore.objects.count():,} scores in {built:.0f} s",
        file=sys.stderr,
    )
    rows = []
    for who in ("admin", "manager"):
        client = Client()
        client.force_login(cast[who])
        client.get("/dashboard/")  # first request: sessions, template loading
        for label, url, cold, htmx in (
            ("dashboard, cold cache", "/dashboard/", True, False),
            ("dashboard", "/dashboard/", False, False),
            ("dashboard, band=high", "/dashboard/?band=high", False, False),
            (
                "rows only (htmx), sorted by name, page 3",
                "/dashboard/?sort=name&page=3",
                False,
                True,
            ),
            ("rows only (htmx), search 'Number 12'", "/dashboard/?q=Number+12", False, True),
            ("rep page (high-risk rep)", f"/reps/{cast['high_rep']}/", False, False),
        ):
            wall, cpu, db, queries = timed(client, url, repeat, cold=cold, htmx=htmx)
            rows.append((reps, who, label, wall, cpu, db, queries))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database and reuse data of the same size"
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/dashboard_pages.py needs PostgreSQL: set DATABASE_URL=postgres://…")
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    settings.DEBUG = False
    connection.settings_dict["TEST"]["NAME"] = connection.settings_dict["NAME"] + "_bench"
    connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=args.keep or args.reuse
    )
    results = []
    try:
        for reps in args.reps:
            results += measure(reps, args.repeat, reuse=args.reuse)
    finally:
        if not (args.keep or args.reuse):
            connection.creation.destroy_test_db(
                connection.settings_dict["NAME"], verbosity=0, keepdb=False
            )
    print(f"\nmedian of {args.repeat} requests; load average {os.getloadavg()[0]:.1f}")
    print("\n| reps | user | page | server ms | Python CPU ms | database ms | queries |")
    print("|---:|---|---|---:|---:|---:|---:|")
    for reps, who, label, wall, cpu, db, queries in results:
        print(f"| {reps:,} | {who} | {label} | {wall:.0f} | {cpu:.0f} | {db:.0f} | {queries} |")


if __name__ == "__main__":
    main()

"""Bench: draft and apply a handover plan for a rep holding 500 customers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relay_handover \\
        .venv/bin/python bench/handover_plan.py [--customers 500] [--repeat 3]

Builds a realistic book inside one transaction that is rolled back at the end, so the database
is left as it was: a team of 21 reps (20 scored, mixed bands, 30 accounts each), the departing
rep holding N customers (one in five a key account, two open deals each at mixed stages, a
future and a past activity each, a backup on one in ten), then times ``handover_plan_create``
and ``handover_plan_apply`` (and ``handover_plan_reverse`` for information). Targets (issue 17):
build and apply each < 0.3 s on PostgreSQL.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "relay-bench-only-not-a-secret-0123456789-abcdefghijklmnop")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Team, User  # noqa: E402
from handover.plans.services import (  # noqa: E402
    handover_plan_apply,
    handover_plan_create,
    handover_plan_reverse,
)
from retention.models import (  # noqa: E402
    Activity,
    Assignment,
    Customer,
    Deal,
    RiskScore,
    SalesRep,
    ScoringRun,
)

STAGES = ["Prospecting", "Qualification", "Proposal", "Negotiation", "Commit"]
BANDS = ["low", "low", "low", "medium", "high"]


class Rollback(Exception):
    pass


def build_book(n_customers: int, tag: str) -> tuple[SalesRep, User]:
    today = timezone.localdate()
    team = Team.objects.create(name=f"Bench {tag}", region="Bench")
    manager = User.objects.create_user(username=f"bench-mgr-{tag}", role="sales_manager")
    team.managers.add(manager)
    hire = dt.date(2020, 1, 1)
    rep = SalesRep.objects.create(
        first_name="Leaving", last_name=tag, team=team, region="Bench", hire_date=hire
    )
    mates = SalesRep.objects.bulk_create(
        SalesRep(first_name=f"Mate{i}", last_name=tag, team=team, region="Bench", hire_date=hire)
        for i in range(20)
    )
    run = ScoringRun.objects.create(
        as_of=today, status="succeeded", finished_at=timezone.now(), total=21, done=21
    )
    RiskScore.objects.bulk_create(
        RiskScore(run=run, rep=m, as_of=today, probability=0.2, band=BANDS[i % len(BANDS)])
        for i, m in enumerate(mates)
    )
    # The team-mates' existing books, so capacity is counted against real load.
    theirs = Customer.objects.bulk_create(
        Customer(name=f"Mate customer {i}", annual_revenue=100_000) for i in range(20 * 30)
    )
    Assignment.objects.bulk_create(
        Assignment(customer=c, rep=mates[i // 30], role="owner", valid_from=hire)
        for i, c in enumerate(theirs)
    )
    customers = Customer.objects.bulk_create(
        Customer(
            name=f"Bench customer {i:04d}",
            annual_revenue=10_000 + (i * 7919) % 2_000_000,
            is_key_account=i % 5 == 0,
        )
        for i in range(n_customers)
    )
    Assignment.objects.bulk_create(
        Assignment(customer=c, rep=rep, role="owner", valid_from=hire + dt.timedelta(days=i))
        for i, c in enumerate(customers)
    )
    Assignment.objects.bulk_create(
        Assignment(customer=c, rep=mates[i % 20], role="backup", valid_from=hire)
        for i, c in enumerate(customers)
        if i % 10 == 0 and i % 20 != 0  # avoid a backup who is already this rep's owner
    )
    Deal.objects.bulk_create(
        Deal(
            customer=c,
            owner=rep,
            name=f"Deal {i}-{k}",
            stage=STAGES[(i + k) % len(STAGES)],
            amount=5_000 * (1 + (i + k) % 40),
            created_on=today - dt.timedelta(days=60),
            close_date=today + dt.timedelta(days=30 * (k + 1)),
        )
        for i, c in enumerate(customers)
        for k in range(2)
    )
    now = timezone.now()
    Activity.objects.bulk_create(
        Activity(
            rep=rep,
            customer=c,
            kind="meeting",
            occurred_at=now + dt.timedelta(days=sign * (1 + i % 20)),
        )
        for i, c in enumerate(customers)
        for sign in (1, -1)
    )
    return rep, manager


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("warning: not PostgreSQL; the targets are for PostgreSQL", file=sys.stderr)
    builds, applies, reverses = [], [], []
    for attempt in range(args.repeat):
        try:
            with transaction.atomic():
                rep, manager = build_book(args.customers, f"{os.getpid()}-{attempt}")
                started = time.perf_counter()
                plan, _ = handover_plan_create(rep=rep, created_by=manager)
                builds.append(time.perf_counter() - started)
                kinds = list(plan.items.values_list("suggestion_kind", flat=True))
                started = time.perf_counter()
                handover_plan_apply(plan=plan, approved_by=manager, confirm_missing_notes=True)
                applies.append(time.perf_counter() - started)
                moved = Deal.objects.filter(customer__in=plan.items.values("customer")).exclude(
                    owner=rep
                )
                moved_count = moved.count()
                started = time.perf_counter()
                handover_plan_reverse(plan=plan, reversed_by=manager, reason="bench")
                reverses.append(time.perf_counter() - started)
                raise Rollback
        except Rollback:
            pass
        print(
            f"run {attempt + 1}: build {builds[-1]:.3f} s, apply {applies[-1]:.3f} s, "
            f"reverse {reverses[-1]:.3f} s; items {len(kinds)} "
            f"(backup {kinds.count('backup')}, team {kinds.count('team_rep')}, "
            f"manager {kinds.count('manager')}); deals moved {moved_count}"
        )
    print(
        f"{connection.vendor}, {args.customers} customers, median of {args.repeat}: "
        f"build {statistics.median(builds):.3f} s (target < 0.3 s), "
        f"apply {statistics.median(applies):.3f} s (target < 0.3 s), "
        f"reverse {statistics.median(reverses):.3f} s"
    )


if __name__ == "__main__":
    main()

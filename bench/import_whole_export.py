"""Bench: a whole Salesforce export (User, Account, Opportunity, Task, Event, Case) in one import.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relay_imports \\
        .venv/bin/python bench/import_whole_export.py [--scale 1.0]

Builds the six files as Salesforce's Data Export writes them (UTF-8 with a byte-order mark,
every field quoted) for 200 reps: at ``--scale 1`` 20,000 accounts, 60,000 opportunities,
1,000,000 tasks, 300,000 events and 60,000 cases (1,440,200 rows), then times, in a fresh
process so the peak memory is its own, one import of all six files (the ``import_data``
path: check every file, then apply, in one transaction) into an organisation that has none
of them yet; target >= 60,000 rows/s, < 1 GB. Prints each file's rows and seconds, rows/s in
all, the peak RSS and the load average before and after. The modules an import uses are loaded
before the clock starts, as in a worker. Removes what it wrote at the end (the bench's reps and
records, crm ids BENCH…).
"""

import argparse
import csv
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "relay-bench-only-not-a-secret-0123456789-abcdefghijklmnop")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from accounts.models import Team  # noqa: E402
from retention.models import Activity, Customer, Deal, SalesRep, ServiceRecord  # noqa: E402

REPS = 200
SIZES = {
    "Account": 20_000,
    "Opportunity": 60_000,
    "Task": 1_000_000,
    "Event": 300_000,
    "Case": 60_000,
}


def rep_id(number: int) -> str:
    return f"005BENCH{number:010d}"


def account_id(number: int) -> str:
    return f"001BENCH{number:010d}"


def _write(path: Path, header: list[str], rows) -> int:
    count = 0
    with path.open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out, quoting=csv.QUOTE_ALL)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def build_export(folder: Path, scale: float) -> int:
    rng = random.Random(11)
    sizes = {name: int(size * scale) for name, size in SIZES.items()}
    start = dt.date(2024, 1, 1)

    def day() -> dt.date:
        return start + dt.timedelta(days=rng.randrange(690))

    def moment(on: dt.date) -> str:
        return f"{on.isoformat()}T{rng.randrange(8, 18):02d}:{rng.randrange(60):02d}:00.000+0000"

    rows = _write(
        folder / "User.csv",
        [
            "Id",
            "Username",
            "LastName",
            "FirstName",
            "Email",
            "Title",
            "IsActive",
            "UserType",
            "CreatedDate",
        ],
        (
            [
                rep_id(n),
                f"rep{n}@bench.example.com.prod",
                f"Rep {n}",
                "Bench",
                f"rep{n}@bench.example.com",
                "Account Executive",
                "true",
                "Standard",
                "2021-03-01T09:00:00.000+0000",
            ]
            for n in range(REPS)
        ),
    )
    accounts = sizes["Account"]
    rows += _write(
        folder / "Account.csv",
        [
            "Id",
            "IsDeleted",
            "Name",
            "Industry",
            "AnnualRevenue",
            "BillingCountry",
            "OwnerId",
            "CreatedDate",
        ],
        (
            [
                account_id(n),
                "false",
                f"Bench account {n}",
                "Retail",
                str(rng.randrange(1, 500) * 10_000),
                "France",
                rep_id(n % REPS),
                moment(start - dt.timedelta(days=rng.randrange(900))),
            ]
            for n in range(accounts)
        ),
    )
    stages = ["Prospecting", "Negotiation", "Closed Won", "Closed Lost"]

    def opportunity(n: int) -> list[str]:
        created = day()
        stage = stages[n % 4]
        return [
            f"006BENCH{n:010d}",
            "false",
            account_id(n % accounts),
            f"Renewal {n}",
            stage,
            str(rng.randrange(5, 400) * 1000),
            (created + dt.timedelta(days=rng.randrange(10, 120))).isoformat(),
            str(stage.startswith("Closed")).lower(),
            str(stage == "Closed Won").lower(),
            rep_id(n % REPS),
            moment(created),
        ]

    rows += _write(
        folder / "Opportunity.csv",
        [
            "Id",
            "IsDeleted",
            "AccountId",
            "Name",
            "StageName",
            "Amount",
            "CloseDate",
            "IsClosed",
            "IsWon",
            "OwnerId",
            "CreatedDate",
        ],
        (opportunity(n) for n in range(sizes["Opportunity"])),
    )
    subtypes = ["Call", "Email", "Task", "Call", "Call"]

    def task(n: int) -> list[str]:
        on, subtype = day(), subtypes[n % 5]
        return [
            f"00TBENCH{n:010d}",
            "",
            account_id(n % accounts) if n % 4 else "",
            f"{subtype} about renewal {n % 97}",
            on.isoformat(),
            "Completed",
            "Normal",
            rep_id(n % REPS),
            account_id(n % accounts) if n % 4 else "",
            "false",
            "true",
            moment(on),
            str(rng.randrange(30, 1800)) if subtype == "Call" else "",
            subtype,
        ]

    rows += _write(
        folder / "Task.csv",
        [
            "Id",
            "WhoId",
            "WhatId",
            "Subject",
            "ActivityDate",
            "Status",
            "Priority",
            "OwnerId",
            "AccountId",
            "IsDeleted",
            "IsClosed",
            "CreatedDate",
            "CallDurationInSeconds",
            "TaskSubtype",
        ],
        (task(n) for n in range(sizes["Task"])),
    )

    def event(n: int) -> list[str]:
        on = day()
        at = moment(on)
        return [
            f"00UBENCH{n:010d}",
            "",
            account_id(n % accounts),
            f"Meeting {n % 89}",
            at,
            on.isoformat(),
            str(rng.choice([30, 45, 60, 90])),
            at,
            account_id(n % accounts),
            rep_id(n % REPS),
            "Meeting",
            "false",
            moment(on),
        ]

    rows += _write(
        folder / "Event.csv",
        [
            "Id",
            "WhoId",
            "WhatId",
            "Subject",
            "ActivityDateTime",
            "ActivityDate",
            "DurationInMinutes",
            "StartDateTime",
            "AccountId",
            "OwnerId",
            "Type",
            "IsDeleted",
            "CreatedDate",
        ],
        (event(n) for n in range(sizes["Event"])),
    )

    def case(n: int) -> list[str]:
        opened = day()
        return [
            f"500BENCH{n:010d}",
            f"{n:08d}",
            account_id(n % accounts),
            rep_id(n % REPS),
            "Closed",
            "Medium",
            "Problem",
            "false",
            "false",
            moment(opened),
            moment(opened + dt.timedelta(days=rng.randrange(1, 20))),
        ]

    rows += _write(
        folder / "Case.csv",
        [
            "Id",
            "CaseNumber",
            "AccountId",
            "OwnerId",
            "Status",
            "Priority",
            "Type",
            "IsEscalated",
            "IsDeleted",
            "CreatedDate",
            "ClosedDate",
        ],
        (case(n) for n in range(sizes["Case"])),
    )
    return rows


def teardown() -> None:
    with connection.cursor() as cursor:
        for model, column in (
            (Activity, "external_id"),
            (Deal, "external_id"),
            (ServiceRecord, "external_id"),
        ):
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} WHERE {column} LIKE %s", ["%BENCH%"]
            )
    from retention.models import Assignment

    Assignment.objects.filter(customer__external_id__startswith="001BENCH").delete()
    Customer.objects.filter(external_id__startswith="001BENCH").delete()
    reps = SalesRep.objects.filter(crm_user_id__startswith="005BENCH")
    reps.delete()
    Team.objects.filter(name="Bench export team").delete()


def side_relay(folder: Path) -> dict:
    # Loaded before the clock starts, as a worker has them loaded: the import services pull in
    # the risk model's modules (scikit-learn), 2-3 s of module loading that is no import work.
    loading = time.perf_counter()
    from retention.imports import pipeline
    from retention.imports.lookups import Options
    from retention.imports.services import import_job_create_from_paths, import_job_run

    loaded = time.perf_counter() - loading
    # Each file's time: the batch runs the files one after another, each in ``_run_file``.
    file_seconds: dict[str, float] = {}
    run_file = pipeline._run_file

    def timed_run_file(plan, **kwargs):
        began = time.perf_counter()
        try:
            return run_file(plan, **kwargs)
        finally:
            file_seconds[plan.table.name] = time.perf_counter() - began

    pipeline._run_file = timed_run_file
    team, _ = Team.objects.get_or_create(name="Bench export team", parent=None)
    paths = sorted(folder.glob("*.csv"))
    started = time.perf_counter()
    job = import_job_create_from_paths(
        paths=paths, apply=True, options=Options(default_team_id=team.pk)
    )
    job = import_job_run(job_id=job.pk)
    seconds = time.perf_counter() - started
    assert job.status == "applied", job.message
    files = {entry["name"]: entry for entry in job.counts["files"]}
    for name, entry in files.items():
        entry["seconds"] = file_seconds.get(name, 0.0)
    return {
        "seconds": seconds,
        "module_loading": loaded,
        "rows": job.counts["total"]["rows"],
        "files": files,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--side", choices=["relay"])
    parser.add_argument("--folder", type=Path)
    args = parser.parse_args()
    if args.side:
        result = side_relay(args.folder)
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database: the bench is about PostgreSQL.")
    teardown()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        rows = build_export(Path(folder), args.scale)
        size = sum(path.stat().st_size for path in Path(folder).glob("*.csv"))
        print(
            f"built 6 files, {rows:,} rows in {time.perf_counter() - started:.1f} s "
            f"({size / 1e6:.0f} MB)"
        )
        load_before = os.getloadavg()
        try:
            output = subprocess.run(
                [sys.executable, __file__, "--side", "relay", "--folder", folder],
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            ).stdout
        finally:
            teardown()
        load_after = os.getloadavg()
    result = json.loads(output.strip().splitlines()[-1])
    for name, entry in sorted(result["files"].items()):
        print(
            f"  {name:<16} {entry['rows']:>10,} rows  {entry['seconds']:6.2f} s  "
            f"created {entry['created']:>10,}  rejected {entry['rejected']:,}  "
            f"skipped {entry['skipped']:,}"
        )
    outside = result["seconds"] - sum(entry["seconds"] for entry in result["files"].values())
    print(
        f"  outside the files (reading, planning, commit) {outside:.2f} s; module loading "
        f"before the clock {result['module_loading']:.2f} s"
    )
    print(
        f"Relay, whole export: {result['rows']:,} rows in {result['seconds']:.1f} s, "
        f"{result['rows'] / result['seconds']:,.0f} rows/s, peak {result['peak_rss_mb']:.0f} MB "
        f"(target >= 60,000 rows/s, < 1 GB)"
    )
    print(
        "load average (1, 5, 15 min) before "
        + " ".join(f"{value:.2f}" for value in load_before)
        + ", after "
        + " ".join(f"{value:.2f}" for value in load_after)
    )


if __name__ == "__main__":
    main()

"""Bench: a million-row Salesforce Task.csv into PostgreSQL, Relay vs bare COPYs and
django-import-export.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relay_imports \\
        .venv/bin/python bench/import_activities.py [--rows 1000000] [--compare-rows 20000]

Builds the file (Salesforce's Task export columns, 200 reps, 5,000 accounts), then times, each in
its own process so the peak memory is its own:

1. Relay's import (``manage.py import_data`` path: encoding check, row count, validation, COPY +
   INSERT … ON CONFLICT, one transaction) on all rows; target within 5x of (2), < 1 GB;
2. a bare ``COPY … (FORMAT csv, HEADER)`` of the same file, as text, into an unlogged table
   of 13 text columns (no check, no conversion, no index, no WAL): the floor a loader can reach;
   and Relay's converted rows copied by one COPY into ``retention_activity`` itself (indexes,
   foreign keys, WAL): the floor for any loader of that table;
3. the same on the first ``--compare-rows`` rows, and django-import-export (``use_bulk=True``,
   ``skip_diff=True``, batches of 1,000) on those same rows into the same table, from an empty
   table each time. django-import-export is not run on the full file: it resolves foreign keys
   and existing rows one query per row and holds the whole dataset in memory.

Prints rows/s and peak RSS of each, and the ratio. Writes only activities of source
"salesforce" and the bench's reps and accounts (crm ids starting BENCH), removed at the end.
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
from retention.models import Activity, Customer, SalesRep  # noqa: E402

HEADER = [
    "Id",
    "WhoId",
    "WhatId",
    "Subject",
    "ActivityDate",
    "Status",
    "Priority",
    "OwnerId",
    "AccountId",
    "IsClosed",
    "CreatedDate",
    "CallDurationInSeconds",
    "TaskSubtype",
]
REPS, ACCOUNTS = 200, 5_000


def rep_id(number: int) -> str:
    return f"BENCH{number:013d}"


def account_id(number: int) -> str:
    return f"BENCHACC{number:010d}"


def setup_references() -> None:
    team, _ = Team.objects.get_or_create(name="Bench team", parent=None)
    SalesRep.objects.bulk_create(
        [
            SalesRep(
                first_name="Bench",
                last_name=f"Rep {n}",
                crm_user_id=rep_id(n),
                team=team,
                hire_date=dt.date(2020, 1, 1),
            )
            for n in range(REPS)
        ],
        ignore_conflicts=True,
    )
    Customer.objects.bulk_create(
        [
            Customer(name=f"Bench account {n}", source="salesforce", external_id=account_id(n))
            for n in range(ACCOUNTS)
        ],
        ignore_conflicts=True,
    )


def clear_activities() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM retention_activity WHERE source = 'salesforce'")
        # Start each side from a compact table, not one bloated by the previous side's rows.
        cursor.execute("VACUUM ANALYZE retention_activity")


def teardown() -> None:
    clear_activities()
    Customer.objects.filter(external_id__startswith="BENCHACC").delete()
    SalesRep.objects.filter(crm_user_id__startswith="BENCH").delete()
    Team.objects.filter(name="Bench team", parent=None).delete()


def build_file(path: Path, rows: int) -> None:
    rng = random.Random(7)
    start = dt.date(2022, 1, 1)
    subtypes = ["Call", "Email", "Task", "Call", "Call"]
    with path.open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for n in range(rows):
            day = start + dt.timedelta(days=rng.randrange(900))
            subtype = subtypes[n % 5]
            writer.writerow(
                [
                    f"00T{n:015d}",
                    "",
                    "",
                    f"{subtype} about renewal {n % 97}",
                    day.isoformat(),
                    "Completed",
                    "Normal",
                    rep_id(rng.randrange(REPS)),
                    account_id(rng.randrange(ACCOUNTS)) if n % 4 else "",
                    "true",
                    f"{day.isoformat()}T09:{n % 60:02d}:00.000+0000",
                    str(rng.randrange(30, 1800)) if subtype == "Call" else "",
                    subtype,
                ]
            )


def backend_cpu() -> float:
    """CPU seconds the server process of this connection has used (user + system). Parallel
    workers of an index build are processes of their own, not counted."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def side_relay(path: Path) -> dict:
    from retention.imports.services import import_job_create_from_paths, import_job_run

    server = backend_cpu()
    started, cpu = time.perf_counter(), time.process_time()
    job = import_job_create_from_paths(paths=[path], apply=True)
    job = import_job_run(job_id=job.pk)
    seconds = time.perf_counter() - started
    # This process's CPU (all its threads, polars' included): the client side of the import.
    client_cpu = time.process_time() - cpu
    assert job.status == "applied", job.message
    return {
        "seconds": seconds,
        "rows": job.counts["total"]["created"],
        "client_cpu": client_cpu,
        "server_cpu": backend_cpu() - server,
    }


def side_copy(path: Path) -> dict:
    """The bare COPY: the file's bytes streamed as they are into an unlogged text table."""
    columns = ", ".join(f'"{name}" text' for name in HEADER)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE UNLOGGED TABLE bench_task_text ({columns})")
        try:
            with (
                path.open("rb") as stream,
                cursor.cursor.copy("COPY bench_task_text FROM STDIN (FORMAT csv, HEADER)") as copy,
            ):
                while chunk := stream.read(1 << 20):
                    copy.write(chunk)
            seconds = time.perf_counter() - started
            cursor.execute("SELECT count(*) FROM bench_task_text")
            (rows,) = cursor.fetchone()
        finally:
            cursor.execute("DROP TABLE bench_task_text")
    return {"seconds": seconds, "rows": rows}


def side_table_copy() -> dict:
    """The floor for any loader of this table: Relay's converted rows (dumped from the table
    after its import), removed, then copied back by one COPY into ``retention_activity`` itself,
    with its indexes and foreign keys, in one transaction."""
    from django.db import transaction

    from retention.imports.columnar import ACTIVITY_COLUMNS

    columns = ", ".join(ACTIVITY_COLUMNS)
    with tempfile.TemporaryFile() as dump:
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(
                f"COPY (SELECT {columns} FROM retention_activity "
                f"WHERE source = 'salesforce') TO STDOUT (FORMAT csv)"
            ) as copy,
        ):
            for data in copy:
                dump.write(data)
        clear_activities()
        dump.seek(0)
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            with cursor.cursor.copy(
                f"COPY retention_activity ({columns}) FROM STDIN (FORMAT csv)"
            ) as copy:
                while chunk := dump.read(1 << 20):
                    copy.write(chunk)
        seconds = time.perf_counter() - started
    rows = Activity.objects.filter(source="salesforce").count()
    return {"seconds": seconds, "rows": rows}


def side_import_export(path: Path) -> dict:
    import tablib
    from import_export import fields, resources, widgets

    kinds = {"call": "call", "email": "email"}

    class KindWidget(widgets.CharWidget):
        def clean(self, value, row=None, **kwargs):
            return kinds.get(str(value).lower(), "task")

    class MinutesWidget(widgets.IntegerWidget):
        def clean(self, value, row=None, **kwargs):
            seconds = super().clean(value, row, **kwargs) or 0
            return -(-seconds // 60)

    class ActivityResource(resources.ModelResource):
        external_id = fields.Field(attribute="external_id", column_name="Id")
        source = fields.Field(attribute="source", column_name="source")
        rep = fields.Field(
            attribute="rep",
            column_name="OwnerId",
            widget=widgets.ForeignKeyWidget(SalesRep, field="crm_user_id"),
        )
        customer = fields.Field(
            attribute="customer",
            column_name="AccountId",
            widget=widgets.ForeignKeyWidget(Customer, field="external_id"),
        )
        kind = fields.Field(attribute="kind", column_name="TaskSubtype", widget=KindWidget())
        occurred_at = fields.Field(
            attribute="occurred_at",
            column_name="ActivityDate",
            widget=widgets.DateTimeWidget(format="%Y-%m-%d"),
        )
        duration_minutes = fields.Field(
            attribute="duration_minutes",
            column_name="CallDurationInSeconds",
            widget=MinutesWidget(),
        )
        subject = fields.Field(attribute="subject", column_name="Subject")

        class Meta:
            model = Activity
            fields = (
                "external_id",
                "source",
                "rep",
                "customer",
                "kind",
                "occurred_at",
                "duration_minutes",
                "subject",
            )
            import_id_fields = ("source", "external_id")
            use_bulk = True
            batch_size = 1_000
            skip_diff = True

    started = time.perf_counter()
    dataset = tablib.Dataset().load(path.read_text(encoding="utf-8-sig"), format="csv")
    dataset.append_col(["salesforce"] * len(dataset), header="source")
    result = ActivityResource().import_data(
        dataset, dry_run=False, raise_errors=True, use_transactions=True
    )
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": result.totals["new"]}


def run_side(side: str, path: Path) -> dict:
    """Run one side in a fresh process, so its peak memory is its own."""
    done = subprocess.run(
        [sys.executable, __file__, "--side", side, "--file", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if done.returncode:
        sys.exit(f"the {side} side failed:\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"  {side}: {json.dumps(result)}", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--compare-rows", type=int, default=20_000)
    parser.add_argument("--side", choices=["relay", "copy", "table-copy", "import-export"])
    parser.add_argument("--file", type=Path)
    args = parser.parse_args()
    if args.side == "table-copy":
        result = side_table_copy()
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    if args.side:
        clear_activities()
        sides = {"relay": side_relay, "copy": side_copy, "import-export": side_import_export}
        result = sides[args.side](args.file)
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database: the bench is about PostgreSQL.")
    setup_references()
    with tempfile.TemporaryDirectory() as folder:
        big, small = Path(folder) / "Task.csv", Path(folder) / "Task-compare.csv"
        started = time.perf_counter()
        build_file(big, args.rows)
        build_file(small, args.compare_rows)
        print(
            f"built {args.rows:,} + {args.compare_rows:,} rows in "
            f"{time.perf_counter() - started:.1f} s ({big.stat().st_size / 1e6:.0f} MB)"
        )
        try:
            full = run_side("relay", big)
            floor = run_side("table-copy", big)
            bare = run_side("copy", big)
            relay = run_side("relay", small)
            iex = run_side("import-export", small)
        finally:
            teardown()
    for label, result in (
        (f"Relay, {args.rows:,} rows", full),
        (f"bare COPY into an unlogged text table, {args.rows:,} rows", bare),
        (f"COPY of Relay's rows into retention_activity, {args.rows:,} rows", floor),
        (f"Relay, {args.compare_rows:,} rows", relay),
        (f"django-import-export (bulk), {args.compare_rows:,} rows", iex),
    ):
        print(
            f"{label:<60} {result['rows']:>10,} rows {result['seconds']:8.2f} s "
            f"{result['rows'] / result['seconds']:>10,.0f} rows/s  "
            f"peak {result['peak_rss_mb']:.0f} MB"
            + (f", client CPU {result['client_cpu']:.2f} s" if "client_cpu" in result else "")
            + (f", server CPU {result['server_cpu']:.2f} s" if "server_cpu" in result else "")
        )
    slower = (bare["rows"] / bare["seconds"]) / (full["rows"] / full["seconds"])
    print(f"The bare COPY is {slower:.1f}x Relay on the same {args.rows:,} rows (target: < 5x)")
    table_floor = (floor["rows"] / floor["seconds"]) / (full["rows"] / full["seconds"])
    print(f"A COPY of the converted rows into the table itself is {table_floor:.1f}x Relay")
    ratio = (relay["rows"] / relay["seconds"]) / (iex["rows"] / iex["seconds"])
    print(f"Relay is {ratio:.1f}x django-import-export on the same {args.compare_rows:,} rows")


if __name__ == "__main__":
    main()

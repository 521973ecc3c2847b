"""Bench: what one COPY of Relay's converted Task.csv rows costs in ``retention_activity``, part by
part (the "floor" of ``import_activities.py``, decomposed).

    createdb -h 127.0.0.1 -U postgres relay_floor
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relay_floor DEBUG=1 \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relay_floor \\
        .venv/bin/python bench/import_floor.py [--rows 1000000] [--repeat 2]

Builds the bench's Task.csv, imports it with Relay once, dumps the stored rows (the columns
the importer writes) as CSV and as binary COPY, and removes them. Then, for each variant, makes
a fresh table ``LIKE retention_activity`` with some of its parts, and times one
``COPY … FROM STDIN`` of the dump into it in one transaction, commit included, after a
CHECKPOINT so every run starts alike. Prints each variant's wall time, the CPU the server
process spent on it (read from /proc: on a shared machine the wall time follows the load, the
CPU much less), what the parts it leaves out save, and its WAL (the server's, so other
databases' writes in the same seconds count too).
Writes only the bench's rows and tables; drops them at the end. Use a scratch database.
"""

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from django.db import connection, transaction
from import_activities import (
    build_file,
    clear_activities,
    setup_references,
    side_relay,
    teardown,
)

from retention.imports.columnar import ACTIVITY_COLUMNS

TABLE = "bench_floor_activity"
SECONDARY = {
    "rep_when": "(rep_id, occurred_at)",
    "cust_when": "(customer_id, occurred_at)",
    "open_todo": "(rep_id, due_date) WHERE todo_status = 'open'",
}
FOREIGN = {
    "rep": "FOREIGN KEY (rep_id) REFERENCES retention_salesrep (id)",
    "customer": "FOREIGN KEY (customer_id) REFERENCES retention_customer (id)",
}
ALL = {"unique", *SECONDARY, *(f"fk_{name}" for name in FOREIGN)}
# (label, parts kept, unlogged, format)
VARIANTS = [
    ("everything (as retention_activity)", ALL, False, "csv"),
    ("everything, binary COPY", ALL, False, "binary"),
    ("no foreign keys", ALL - {"fk_rep", "fk_customer"}, False, "csv"),
    ("no rep foreign key", ALL - {"fk_rep"}, False, "csv"),
    ("no customer foreign key", ALL - {"fk_customer"}, False, "csv"),
    ("no secondary indexes", ALL - set(SECONDARY), False, "csv"),
    ("no (rep, occurred_at)", ALL - {"rep_when"}, False, "csv"),
    ("no (customer, occurred_at)", ALL - {"cust_when"}, False, "csv"),
    ("no partial open to-do index", ALL - {"open_todo"}, False, "csv"),
    ("no foreign keys, no secondary indexes", {"unique"}, False, "csv"),
    ("primary key only", set(), False, "csv"),
    ("unlogged, everything", ALL, True, "csv"),
    ("unlogged, no foreign keys, no secondary indexes", {"unique"}, True, "csv"),
    ("unlogged, primary key only", set(), True, "csv"),
    ("unlogged, primary key only, binary COPY", set(), True, "binary"),
]


def make_table(parts: set[str], unlogged: bool) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cursor.execute(
            f"CREATE {'UNLOGGED ' if unlogged else ''}TABLE {TABLE} (LIKE retention_activity "
            f"INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS)"
        )
        cursor.execute(f"ALTER TABLE {TABLE} ADD PRIMARY KEY (id)")
        if "unique" in parts:
            cursor.execute(
                f"CREATE UNIQUE INDEX {TABLE}_unique ON {TABLE} (source, external_id) "
                f"WHERE NOT (external_id = '')"
            )
        for name, columns in SECONDARY.items():
            if name in parts:
                cursor.execute(f"CREATE INDEX {TABLE}_{name} ON {TABLE} {columns}")
        for name, reference in FOREIGN.items():
            if f"fk_{name}" in parts:
                # As Django declares them; the importer checks them per statement.
                cursor.execute(
                    f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_fk_{name} {reference} "
                    f"DEFERRABLE INITIALLY DEFERRED"
                )


def wal_lsn() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        return cursor.fetchone()[0]


def wal_since(lsn: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s)", [lsn])
        return int(cursor.fetchone()[0])


def backend_cpu() -> float:
    """CPU seconds the server process of this connection has used (user + system): less
    sensitive than wall time to what else runs on the machine."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def copy_into(dump: Path, form: str) -> tuple[float, float]:
    """(wall seconds, server CPU seconds) of one COPY of the dump, in one transaction."""
    columns = ", ".join(ACTIVITY_COLUMNS)
    options = "FORMAT binary" if form == "binary" else "FORMAT csv"
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
    cpu = backend_cpu()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with (
            dump.open("rb") as stream,
            cursor.cursor.copy(f"COPY {TABLE} ({columns}) FROM STDIN ({options})") as copy,
        ):
            while chunk := stream.read(1 << 20):
                copy.write(chunk)
    return time.perf_counter() - started, backend_cpu() - cpu


def dump_rows(folder: Path) -> dict[str, Path]:
    columns = ", ".join(ACTIVITY_COLUMNS)
    paths = {}
    for form in ("csv", "binary"):
        paths[form] = folder / f"rows.{form}"
        with (
            paths[form].open("wb") as out,
            connection.cursor() as cursor,
            cursor.cursor.copy(
                f"COPY (SELECT {columns} FROM retention_activity WHERE source = 'salesforce' "
                f"ORDER BY id) TO STDOUT (FORMAT {form})"
            ) as copy,
        ):
            for data in copy:
                out.write(data)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Set DATABASE_URL to a PostgreSQL scratch database.")
    setup_references()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "Task.csv"
        build_file(path, args.rows)
        try:
            clear_activities()
            imported = side_relay(path)
            print(f"Relay's import: {imported['rows']:,} rows in {imported['seconds']:.1f} s")
            dumps = dump_rows(Path(folder))
            clear_activities()
            for label, parts, unlogged, form in VARIANTS:
                runs, cpus, wal = [], [], 0
                for _run in range(args.repeat):
                    make_table(parts, unlogged)
                    lsn = wal_lsn()
                    seconds, cpu = copy_into(dumps[form], form)
                    runs.append(seconds)
                    cpus.append(cpu)
                    wal = wal_since(lsn)
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT count(*) FROM {TABLE}")
                    (rows,) = cursor.fetchone()
                    cursor.execute(f"DROP TABLE {TABLE}")
                results.append(
                    {"label": label, "runs": runs, "cpu": cpus, "wal": wal, "rows": rows}
                )
                print(json.dumps(results[-1]), flush=True)
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
            teardown()
    full, full_cpu = min(results[0]["runs"]), min(results[0]["cpu"])
    print(
        f"\n{'variant':<48} {'best s':>6} {'runs':>13} {'rows/s':>9} {'CPU s':>6} "
        f"{'saves':>6} {'CPU saves':>9} {'WAL MB':>6}"
    )
    for result in results:
        best, cpu = min(result["runs"]), min(result["cpu"])
        runs = " / ".join(f"{run:.1f}" for run in result["runs"])
        print(
            f"{result['label']:<48} {best:6.2f} {runs:>13} {result['rows'] / best:9,.0f} "
            f"{cpu:6.2f} {full - best:6.2f} {full_cpu - cpu:9.2f} {result['wal'] / 1e6:6.0f}"
        )
    print(
        "best s: the fastest run's wall time, commit included; CPU s: the server process's "
        "CPU in its least run; saves: seconds under the first variant, wall and CPU;\n"
        "WAL: the server's, all databases"
    )


if __name__ == "__main__":
    main()

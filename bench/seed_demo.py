"""Time ``seed_demo`` at the default size and at 10,000 reps, and count the rows it writes.

    createdb -h 127.0.0.1 -U postgres relay_seedbench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relay_seedbench \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relay_seedbench \\
        .venv/bin/python bench/seed_demo.py [--size default|large|both] [--seed N]
    dropdb -h 127.0.0.1 -U postgres relay_seedbench

DESTRUCTIVE: each run flushes the database named by DATABASE_URL first (``seed_demo --flush``),
so the script refuses to run without DATABASE_URL set explicitly.
"""

import argparse
import datetime as dt
import os
import resource
import sys
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = {
    "default": {"reps": 150, "teams": 15, "regions": 3, "customers": 1_500, "months": 18},
    "large": {"reps": 10_000, "teams": 1_000, "regions": 10, "customers": 100_000, "months": 18},
}


def _progress(started: float, stage: str, done: int, total: int) -> None:
    print(f"  [{time.monotonic() - started:6.1f}s] {stage} {done}/{total}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=["default", "large", "both"], default="both")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--end-date", default="2026-11-26")
    parser.add_argument(
        "--no-receivers",
        action="store_true",
        help="time the demo organisation alone: disconnect demo_seeded receivers (handover's "
        "demo data) for this run",
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        print("Set DATABASE_URL to a database you can wipe (this flushes it).", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.db import connection

    from retention.demo import DemoSize, demo_seed
    from retention.events import demo_seeded

    if args.no_receivers:
        demo_seeded.receivers = []
        demo_seeded.sender_receivers_cache.clear()

    end = dt.date.fromisoformat(args.end_date)
    sizes = ["default", "large"] if args.size == "both" else [args.size]
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}, seed {args.seed}")
    for name in sizes:
        size = DemoSize(**SIZES[name])
        print(f"\n== {name}: {SIZES[name]}")
        started = time.monotonic()
        result = demo_seed(
            seed=args.seed,
            size=size,
            end_date=end,
            flush=True,
            progress=partial(_progress, started),
        )
        elapsed = time.monotonic() - started
        print(
            f"seed_demo: {result.seconds_to_commit:.1f} s to commit (flush included), "
            f"{elapsed:.1f} s with the demo_seeded receivers (handover's demo data)"
        )
        total = 0
        for label, rows in result.counts.items():
            print(f"  {label:<16} {rows:>12,}")
            total += rows
        print(f"  {'total':<16} {total:>12,}")
        print(f"  summary: {result.summary}")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  peak memory of this process so far: {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Twenty managers at once on the risk dashboard and their reps' pages, against gunicorn.

    # once: seed 10,000 reps and keep the database (relay_pages_bench here)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relay_pages \\
    REDIS_URL=redis://127.0.0.1:6379/4 \\
        .venv/bin/python bench/dashboard_pages.py --reps 10000 --keep
    # then, as often as wanted
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relay_pages_bench \\
    REDIS_URL=redis://127.0.0.1:6379/4 \\
        .venv/bin/python bench/load_managers.py --managers 20 --requests 40 --port 8104

Starts gunicorn the way the Dockerfile's ``CMD`` starts it (docker-compose's ``web`` service
runs that command unchanged: the same worker count, sync workers, no threads), bound to
127.0.0.1 only, with DEBUG off, Redis as the cache and static files collected as the image
does. Plain HTTP on loopback, so cookies are not marked secure (``SECURE_COOKIES=false``).

Each of ``--managers`` sales managers (``load.manager.NN``, created if missing, each managing
one region of the seeded organisation) signs in through the login page with its CSRF token, in
its own thread and session, then, all starting together, makes ``--requests`` requests:
its dashboard and its reps' pages in turn (a different rep each time). Prints throughput and
latency percentiles; the Redis cache is cleared first, so first looks are in the figures.
"""

import argparse
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "relay-bench-only-not-a-secret-0123456789-abcdefghijklmnop")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402

PASSWORD = "load-bench-password-7"  # a throwaway bench account, on loopback only
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def dockerfile_command() -> list[str]:
    """The image's ``CMD`` (what docker-compose's ``web`` service runs)."""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("CMD "):
            return json.loads(line[len("CMD ") :])
    raise SystemExit("Dockerfile has no CMD")


def gunicorn_command(port: int) -> list[str]:
    command = dockerfile_command()
    if command[0] != "gunicorn":
        raise SystemExit(f"Dockerfile CMD is not gunicorn: {command}")
    bind = command.index("--bind")
    command[bind + 1] = f"127.0.0.1:{port}"
    command[0] = str(Path(sys.executable).parent / "gunicorn")
    return command


def managers_with_reps(count: int, per_manager: int) -> list[tuple[str, list[int]]]:
    """``count`` managers, one region each (created with a password if missing), and the ids
    of some reps in each region."""
    from accounts.models import Team, User
    from accounts.services import user_create
    from retention.models import SalesRep

    regions = list(Team.objects.filter(parent__isnull=True).order_by("id")[:count])
    if len(regions) < count:
        raise SystemExit(f"only {len(regions)} regions: seed with bench/dashboard_pages.py first")
    cast = []
    for number, region in enumerate(regions, start=1):
        username = f"load.manager.{number:02d}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                username=username,
                password=PASSWORD,
                role=User.Role.SALES_MANAGER,
                managed_teams=[region],
            )
        rep_ids = list(
            SalesRep.objects.filter(team__parent=region)
            .exclude(status=SalesRep.Status.LEFT)
            .order_by("id")
            .values_list("id", flat=True)[:per_manager]
        )
        cast.append((username, rep_ids))
    return cast


def start_server(port: int, workdir: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_COOKIES": "false",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(workdir / "static"),
        "RELAY_VAR_DIR": str(workdir / "var"),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    command = gunicorn_command(port)
    command[command.index("--access-logfile") + 1] = str(workdir / "access.log")
    print("starting:", shlex.join(command), file=sys.stderr)
    with open(workdir / "gunicorn.log", "w") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stderr=log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                return server
        except requests.RequestException:
            pass
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited: see {workdir / 'gunicorn.log'}")
        time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz in 120 s")


def sign_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    form = session.get(f"{base}/login/", timeout=30)
    token = CSRF_FIELD.search(form.text)
    if form.status_code != 200 or token is None:
        raise SystemExit(f"login page: {form.status_code}, no CSRF token")
    answer = session.post(
        f"{base}/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token[1]},
        headers={"Referer": f"{base}/login/"},
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code != 302 or "sessionid" not in session.cookies:
        raise SystemExit(f"{username} could not sign in: {answer.status_code}")
    return session


def run_manager(
    base: str,
    session: requests.Session,
    rep_ids: list[int],
    count: int,
    start: threading.Barrier,
    results: list,
) -> None:
    start.wait()
    for number in range(count):
        if number % 2 == 0:
            kind, url = "dashboard", f"{base}/dashboard/"
        else:
            kind, url = "rep page", f"{base}/reps/{rep_ids[(number // 2) % len(rep_ids)]}/"
        began = time.perf_counter()
        try:
            response = session.get(url, timeout=60, allow_redirects=False)
            status = response.status_code
        except requests.RequestException as error:
            status = type(error).__name__
        results.append((kind, time.perf_counter() - began, status))


def process_cpu_seconds(pids: list[int]) -> float:
    """User and system CPU of these processes so far (Linux ``/proc``)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--managers", type=int, default=20)
    parser.add_argument("--requests", type=int, default=40, help="requests per manager")
    parser.add_argument("--port", type=int, default=8104)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/load_managers.py needs PostgreSQL: set DATABASE_URL=postgres://…")
    if "Redis" not in settings.CACHES["default"]["BACKEND"]:
        sys.exit("bench/load_managers.py needs Redis as the cache: set REDIS_URL=redis://…")
    cast = managers_with_reps(args.managers, per_manager=args.requests)
    connection.close()
    cache.clear()
    with tempfile.TemporaryDirectory(prefix="relay-load-") as tmp:
        server = start_server(args.port, Path(tmp))
        try:
            base = f"http://127.0.0.1:{args.port}"
            sessions = [sign_in(base, username) for username, _reps in cast]
            results: list = []
            barrier = threading.Barrier(len(cast) + 1)
            threads = [
                threading.Thread(
                    target=run_manager,
                    args=(base, session, reps, args.requests, barrier, results),
                )
                for session, (_name, reps) in zip(sessions, cast, strict=True)
            ]
            for thread in threads:
                thread.start()
            load_before = os.getloadavg()[0]
            workers = worker_pids(server.pid)
            workers_cpu, client_cpu = process_cpu_seconds(workers), time.process_time()
            barrier.wait()
            began = time.perf_counter()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - began
            workers_cpu = process_cpu_seconds(workers) - workers_cpu
            client_cpu = time.process_time() - client_cpu
            load_after = os.getloadavg()[0]
        finally:
            server.terminate()
            server.wait(timeout=30)
    failed = [row for row in results if row[2] != 200]
    times = [row[1] for row in results]
    print(
        f"\n{len(cast)} managers × {args.requests} requests against "
        f"`{shlex.join(dockerfile_command())}` (bound to 127.0.0.1:{args.port}); "
        f"load average {load_before:.1f} before, {load_after:.1f} after"
    )
    print("\n| pages | requests | failed | requests/s | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, rows in (
        ("all", results),
        ("dashboard", [r for r in results if r[0] == "dashboard"]),
        ("rep page", [r for r in results if r[0] == "rep page"]),
    ):
        ms = [r[1] * 1000 for r in rows]
        rate = f"{len(rows) / elapsed:.1f}" if label == "all" else ""
        print(
            f"| {label} | {len(rows)} | {sum(1 for r in rows if r[2] != 200)} | {rate} | "
            f"{statistics.median(ms):.0f} | {percentile(ms, 0.95):.0f} | "
            f"{percentile(ms, 0.99):.0f} | {max(ms):.0f} |"
        )
    if failed:
        print("failures:", sorted({str(row[2]) for row in failed}))
    print(
        f"\nwall {elapsed:.1f} s for {len(times)} requests; CPU: gunicorn workers "
        f"{workers_cpu:.1f} s ({1000 * workers_cpu / len(times):.0f} ms a request), "
        f"this load client {client_cpu:.1f} s"
    )


if __name__ == "__main__":
    main()

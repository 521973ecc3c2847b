"""`make run`'s processes: web, worker and beat start together and one Ctrl-C stops them all.

Runs the Procfile that `make run` hands to honcho, on a fresh SQLite database and the
file-system broker, as a newcomer's machine would, then sends SIGINT to the whole process
group (what a terminal's Ctrl-C does) and checks that no process is left behind.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _descendants(root: int) -> set[int]:
    """Every live process below ``root`` (honcho starts each of its processes in a session of
    its own, so the tree, not the group, says what belongs to `make run`)."""
    out = subprocess.run(["ps", "-eo", "pid,ppid"], capture_output=True, text=True).stdout
    children: dict[int, list[int]] = {}
    for line in out.splitlines()[1:]:
        pid, ppid = map(int, line.split())
        children.setdefault(ppid, []).append(pid)
    found, stack = set(), [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        alive.add(pid)
    return alive


def test_one_ctrl_c_stops_web_worker_and_beat_with_no_orphan(tmp_path):
    port = _free_port()
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}
    } | {
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'relay.sqlite3'}",
        "EMAIL_URL": f"file://{tmp_path / 'mail'}",
        "RELAY_VAR_DIR": str(tmp_path),
        "HOST": "127.0.0.1",
        "PORT": str(port),
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    honcho = Path(sys.executable).parent / "honcho"
    # A session of its own, as a terminal gives `make run`: Ctrl-C reaches that group.
    proc = subprocess.Popen(
        [str(honcho), "start", "-f", "Procfile.dev"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("make run's web process never answered /healthz")
                time.sleep(0.5)
        started = _descendants(proc.pid)
        assert len(started) >= 3, "web, its reloader child and the worker should be running"

        os.killpg(proc.pid, signal.SIGINT)
        output = proc.communicate(timeout=30)[0].decode()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    time.sleep(1)
    assert _alive(started) == set(), "a process outlived Ctrl-C"
    assert output.count("Warm shutdown") <= 1, "the stop signal must not re-trigger itself"

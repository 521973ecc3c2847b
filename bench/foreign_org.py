"""Benchmark: Relay's departure-risk scores on an independent simulated org (``foreign_sim``).

    DEBUG=true LOG_LEVEL=WARNING SECRET_KEY=… \\
        .venv/bin/python bench/foreign_org.py --seats 2000 --seed 0 [--keep] [--db-name NAME]

1. Generates the org (``bench/foreign_sim.py``: a model written without reading Relay's) into
   a temporary directory: the Salesforce Data Export (.ZIP), HR's people file and HR's absence
   report as those systems write them, and the hidden truth (every rep's real last day,
   departures after T included).
2. Creates a fresh PostgreSQL database (``postgres://postgres@127.0.0.1:5432/<name>``, default
   ``relay_foreign_<seed>``; dropped at the end unless ``--keep``) and migrates it.
3. Imports as an admin does a first import on an empty Relay (README, "The first import of a
   real org"), through ``manage.py import_data``, all files at once and as the systems wrote
   them: a check first (``--dry-run``), then the apply. Where the check gets a user wrong, the
   admin corrects the users-and-teams table (``--people``), and the corrections are printed, each
   a finding about the importer; rejected rows stop the bench. ``--check-only`` checks and stops.
   ``--admin-steps`` does what an admin had to do before the importer read these files (Relay
   before 2026-12-04): HR's absence report copied into Relay's leave template,
   ``--map relay.people.leaving_reason="Termination Type"``, a ``--value`` for every team whose
   name has a hyphen, and ``--skip-rejected`` when the rows rejected are cases a queue owns.
4. Trains and scores as of T (``manage.py train_risk_model --as-of T``, ``manage.py score_reps
   --as-of T``), reads the latest complete run's ``RiskScore`` rows and measures them against the
   truth (a departure in (T, T + 90 days]): ROC AUC, average precision, precision and recall in
   the riskiest 10 %, for Relay's 90-day probability and two baselines computed from the
   generated data itself (workdays absent in the last 90 days; the coefficient of variation of
   weekly activity over the last 13 weeks), beside the published model's own holdout AUC; then
   the calibration per band. Reps serving notice (``leaving``) are reported apart.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import foreign_sim  # noqa: E402

SERVER = "postgres://postgres@127.0.0.1:5432"
HORIZON_DAYS = 90


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')} load {_load()}] {message}", flush=True)


def _database(name: str, *, drop: bool = False) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop:
            connection.execute(f'CREATE DATABASE "{name}"')


def _manage(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    command = [sys.executable, str(ROOT / "manage.py"), *args]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    _say(f"manage.py {args[0]}: exit {done.returncode} in {seconds:.1f} s")
    if check and done.returncode != 0:
        print(done.stdout[-4000:], done.stderr[-4000:], sep="\n")
        raise SystemExit(f"manage.py {' '.join(args[:1])} failed")
    return done


# --- the admin's side of the import -----------------------------------------------------------


def hyphenated_team_values(people_file: Path) -> list[str]:
    """``--value`` options that write HR's 'Region - Team' as 'Region / Team' where the team's
    own name holds a hyphen (Relay splits at the last one: 'Boston Mid-Market' is not found)."""
    with people_file.open(encoding="utf-8-sig", newline="") as handle:
        teams = {row["Team"] for row in csv.DictReader(handle)}
    options = []
    for team in sorted(teams):
        region, separator, name = team.partition(" - ")
        if separator and "-" in name:
            options.append(f"--value=relay.people.team:{team}={region} / {name}")
    return options


def import_files(directory: Path, paths: dict[str, Path], *, as_exported: bool) -> list[str]:
    """The files of the upload (and the admin's options), as the admin gives them."""
    salesforce, people, absences = (
        paths["salesforce"],
        paths["HR_People_Export"],
        paths["HR_Absences_Export"],
    )
    if as_exported:
        return [str(salesforce), str(people), str(absences)]
    leave = directory / "HR_Leave_relay_template.csv"
    rows = foreign_sim.absences_as_relay_template(absences, leave)
    _say(f"admin: HR's absence report copied into Relay's leave template ({rows} rows)")
    options = ["--map", "relay.people.leaving_reason=Termination Type"]
    values = hyphenated_team_values(people)
    _say(f"admin: --map leaving_reason to HR's Termination Type; {len(values)} --value for teams")
    return [str(salesforce), str(people), str(leave), *options, *values]


def read_job() -> tuple:
    """The latest import job and every row its report lists (rejected and flagged)."""
    from retention.imports.services import report_path
    from retention.models import ImportJob

    job = ImportJob.objects.order_by("-id").first()
    issues = []
    path = report_path(job)
    if path.exists():
        with path.open(encoding="utf-8-sig", newline="") as handle:
            issues = list(csv.DictReader(handle))
    return job, issues


QUEUED = "owned by a queue (00G…), not a user"


def rejections(issues: list[dict]) -> Counter:
    """The rejected rows by file, column and reason (the import's report has them all)."""
    grouped: Counter = Counter()
    for issue in issues:
        if issue["outcome"] != "rejected":
            continue
        queued = issue["column"] == "OwnerId" and issue["value"].startswith("00G")
        grouped[(issue["file"], issue["column"], QUEUED if queued else issue["reason"])] += 1
    return grouped


def _examples(issues: list[dict], limit: int = 3) -> list[str]:
    """The first few rejected rows of each file and column, as the report lists them."""
    seen: Counter = Counter()
    lines = []
    for issue in issues:
        key = (issue["file"], issue["column"])
        if issue["outcome"] == "rejected" and seen[key] < limit:
            seen[key] += 1
            lines.append(
                f"    {issue['file']} row {issue['row']}, {issue['column']}={issue['value']!r}: "
                f"{issue['reason']}"
            )
    return lines


def people_corrections(job: object, truth: pl.DataFrame) -> tuple[list[tuple[str, str]], Counter]:
    """The check's users against what each user is: the admin's corrections (Id, becomes)."""
    expected = dict(zip(truth["crm_user_id"], truth["expected"], strict=True))
    titles = dict(zip(truth["crm_user_id"], truth["title"], strict=True))
    corrections, why = [], Counter()
    for row in job.counts.get("people", {}).get("users", []):
        wanted = expected.get(row["id"])
        if wanted and wanted != row["becomes"]:
            corrections.append((row["id"], wanted))
            why[(wanted, row["becomes"], titles.get(row["id"], ""), row["reason"])] += 1
    return corrections, why


# --- the measurement ----------------------------------------------------------------------------


def _top_share(y: np.ndarray, score: np.ndarray, share: float = 0.1) -> tuple[float, float]:
    k = max(1, math.ceil(share * len(y)))
    top = np.argsort(-score, kind="stable")[:k]
    hits = y[top].sum()
    return hits / k, hits / max(y.sum(), 1)


def figures(y: np.ndarray, score: np.ndarray) -> dict:
    """ROC AUC, average precision, precision and recall in the riskiest 10 %."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    if y.sum() == 0 or y.sum() == len(y):
        return {
            "roc_auc": None,
            "average_precision": None,
            "precision_top": None,
            "recall_top": None,
        }
    precision, recall = _top_share(y, score)
    return {
        "roc_auc": float(roc_auc_score(y, score)),
        "average_precision": float(average_precision_score(y, score)),
        "precision_top": float(precision),
        "recall_top": float(recall),
    }


def activity_cv(org: foreign_sim.Org, person: np.ndarray, hired: np.ndarray) -> np.ndarray:
    """Coefficient of variation of each person's weekly activity over the last 13 weeks (the
    weeks since hire only; 0 with fewer than four such weeks or no activity)."""
    weekly = org.weekly_activity[person][:, -13:]
    week_start = (
        org.calendar.as_of - org.calendar.weekday[org.calendar.as_of] - 7 * np.arange(12, -1, -1)
    )
    employed = week_start[None, :] >= hired[:, None] - 6
    cv = np.zeros(len(person))
    for i in range(len(person)):
        values = weekly[i][employed[i]]
        if len(values) >= 4 and values.mean() > 0:
            cv[i] = values.std() / values.mean()
    return cv


def measure(org: foreign_sim.Org, as_of: dt.date) -> dict:
    """The published scores of T (the latest succeeded run as of T) against the truth."""
    from retention.models import RiskModel, RiskScore, ScoringRun

    run = (
        ScoringRun.objects.filter(status=ScoringRun.Status.SUCCEEDED, as_of=as_of)
        .order_by("-finished_at")
        .first()
    )
    scores = list(
        RiskScore.objects.filter(run=run).values(
            "probability", "band", "status", "last_day", "rep__crm_user_id", "rep__hr_employee_id"
        )
    )
    truth = org.truth.with_row_index("person")
    by_crm = dict(zip(truth["crm_user_id"], truth["person"], strict=True))
    by_hr = dict(zip(truth["employee_id"], truth["person"], strict=True))
    kind = truth["kind"].to_numpy()
    last = truth["last_day_from_t"].to_numpy()
    voluntary = truth["voluntary"].to_numpy()
    hire = np.array(
        [(dt.date.fromisoformat(d) - org.calendar.day0).days for d in truth["hire_date"]]
    )
    rows = []
    outside = Counter()
    for score in scores:
        person = by_crm.get(score["rep__crm_user_id"]) if score["rep__crm_user_id"] else None
        if person is None and score["rep__hr_employee_id"]:
            person = by_hr.get(score["rep__hr_employee_id"])
        if person is None:
            outside["not a person of the org"] += 1
            continue
        if kind[person] != "rep":
            outside[f"scored as a rep, but a {kind[person]}"] += 1
            continue
        if score["status"] == RiskScore.Status.LEAVING:
            outside["leaving (serving notice)"] += 1
            continue
        if last[person] <= 0:
            outside["already gone by T, Relay not told"] += 1
            continue
        rows.append((person, score["probability"], score["band"]))
    person = np.array([r[0] for r in rows], dtype=np.int64)
    probability = np.array([r[1] for r in rows])
    band = np.array([r[2] for r in rows])
    y = (last[person] > 0) & (last[person] <= HORIZON_DAYS)
    y_voluntary = y & voluntary[person]
    leave_days = org.leave_days_90[person]
    cv = activity_cv(org, person, hire[person])
    drift = truth["latent_drift_4w"].to_numpy()[person]
    leaving = [s for s in scores if s["status"] == RiskScore.Status.LEAVING]
    # The true leavers of (T, T + 90]: were they scored?
    reps_at_t = (kind == "rep") & (last > 0)
    leavers = np.flatnonzero(reps_at_t & (last <= HORIZON_DAYS))
    scored_people = set(person.tolist())
    leaving_people = set()
    for s in leaving:
        p = by_crm.get(s["rep__crm_user_id"]) or by_hr.get(s["rep__hr_employee_id"] or "")
        if p is not None:
            leaving_people.add(p)
    # The model page: the published model (the one the run used), its own holdout's figures.
    model = run.model if run else None
    trained = RiskModel.objects.filter(kind=RiskModel.Kind.TRAINED).order_by("-id").first()
    bands = []
    for name in ("low", "medium", "high"):
        mask = band == name
        bands.append(
            {
                "band": name,
                "reps": int(mask.sum()),
                "predicted": float(probability[mask].mean()) if mask.any() else None,
                "observed": float(y[mask].mean()) if mask.any() else None,
                "departures": int(y[mask].sum()),
            }
        )
    # Each kind of departure's leavers against every rep who stays: which ones Relay ranks high.
    reason = truth["reason"].to_numpy()[person]
    visible = drift > 0.1
    groups = {name: y & (reason == name) for name in foreign_sim.REASON_NAMES.values()}
    groups["any leaver, drift > 0.1 at T"] = y & visible
    groups["resigned after a search, drift ≤ 0.1 at T"] = (
        y & ~visible & (reason == foreign_sim.REASON_NAMES[foreign_sim.RESIGN_SEARCH])
    )
    by_reason = {}
    for name, positives in groups.items():
        keep = positives | ~y
        if positives.any():
            by_reason[name] = {
                "leavers": int(positives.sum()),
                "relay_auc": figures(positives[keep], probability[keep])["roc_auc"],
                "ceiling_auc": figures(positives[keep], drift[keep])["roc_auc"],
            }
    return {
        "by_reason": by_reason,
        "run": run.pk if run else None,
        "model": model.version if model else None,
        "model_kind": model.kind if model else None,
        "algorithm": model.algorithm if model else None,
        "trained_published": bool(trained and trained.is_active),
        "trained_version": trained.version if trained else None,
        "trained_holdout_auc": (trained.metrics or {}).get("roc_auc") if trained else None,
        "not_published_because": (trained.metrics or {}).get("not_published_because")
        if trained
        else None,
        "holdout_auc": (model.metrics or {}).get("roc_auc") if model else None,
        "holdout_ap": (model.metrics or {}).get("average_precision") if model else None,
        "holdout_window": [
            (model.metrics or {}).get("holdout_start"),
            (model.metrics or {}).get("holdout_end"),
        ]
        if model
        else None,
        "scores": len(scores),
        "scored": int(sum(s["status"] != RiskScore.Status.LEAVING for s in scores)),
        "leaving": len(leaving),
        "leaving_truly_gone_by_horizon": int(
            sum(1 for p in leaving_people if 0 < last[p] <= HORIZON_DAYS)
        ),
        "outside": dict(outside),
        "evaluated": len(person),
        "positives": int(y.sum()),
        "positives_voluntary": int(y_voluntary.sum()),
        "true_leavers": len(leavers),
        "true_leavers_scored": int(sum(p in scored_people for p in leavers)),
        "true_leavers_leaving": int(sum(p in leaving_people for p in leavers)),
        "relay": figures(y, probability),
        "relay_voluntary": figures(y_voluntary, probability),
        "baseline_leave_days_90": figures(y, leave_days),
        "baseline_activity_cv_13w": figures(y, cv),
        "oracle_latent_drift": figures(y, drift),
        "bands": bands,
    }


def _print_table(result: dict) -> None:
    def cell(value) -> str:
        return "  —  " if value is None else f"{value:.3f}"

    print()
    print(f"{'score':34} {'ROC AUC':>8} {'AP':>7} {'P@10%':>7} {'R@10%':>7}")
    for label, key in (
        ("Relay (90-day probability)", "relay"),
        ("Relay, voluntary departures only", "relay_voluntary"),
        ("baseline: leave days, last 90 d", "baseline_leave_days_90"),
        ("baseline: activity CV, last 13 w", "baseline_activity_cv_13w"),
        ("ceiling: latent drift (hidden)", "oracle_latent_drift"),
    ):
        f = result[key]
        print(
            f"{label:34} {cell(f['roc_auc']):>8} {cell(f['average_precision']):>7}"
            f" {cell(f['precision_top']):>7} {cell(f['recall_top']):>7}"
        )
    print(
        f"{'model page, own holdout':34} {cell(result['holdout_auc']):>8}"
        f" {cell(result['holdout_ap']):>7}   ({result['model']}, {result['algorithm']},"
        f" holdout {result['holdout_window']})"
    )
    if not result["trained_published"] and result["trained_version"]:
        print(
            f"{'trained model, not published':34} {cell(result['trained_holdout_auc']):>8}"
            f"   ({result['trained_version']}: {result['not_published_because']})"
        )
    print()
    print(f"{'band':8} {'reps':>6} {'predicted':>10} {'observed':>9} {'departures':>11}")
    for b in result["bands"]:
        print(
            f"{b['band']:8} {b['reps']:6} {cell(b['predicted']):>10} {cell(b['observed']):>9}"
            f" {b['departures']:11}"
        )
    print()
    print(f"{'leavers of (T, T + 90 d] by kind':44} {'reps':>5} {'Relay AUC':>10} {'ceiling':>8}")
    for name, group in result["by_reason"].items():
        print(
            f"{name:44} {group['leavers']:5} {cell(group['relay_auc']):>10}"
            f" {cell(group['ceiling_auc']):>8}"
        )
    print()
    print(
        f"scores {result['scores']}: scored {result['scored']}, leaving {result['leaving']}"
        f" ({result['leaving_truly_gone_by_horizon']} of them gone by T + 90 d);"
        f" evaluated {result['evaluated']} reps, {result['positives']} leave in (T, T + 90 d]"
        f" ({result['positives_voluntary']} voluntarily)"
    )
    print(
        f"true leavers of (T, T + 90 d]: {result['true_leavers']}, scored"
        f" {result['true_leavers_scored']}, shown leaving {result['true_leavers_leaving']}"
    )
    print(f"not evaluated: {result['outside']}")
    users = result["users"]
    print(
        f"users: the check made {users['check']}, the apply after {users['corrections']}"
        f" corrections {users['applied']}"
    )
    foreign, own = result["relay"]["roc_auc"], result["holdout_auc"]
    if foreign is not None and own is not None:
        print(
            f"the model page's holdout AUC {own:.3f}, this org's {foreign:.3f}:"
            f" the page says {own - foreign:+.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seats", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--weeks", type=int, default=130)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=foreign_sim.DEFAULT_AS_OF)
    parser.add_argument("--db-name", default=None, help="default relay_foreign_<seed>")
    parser.add_argument("--keep", action="store_true", help="keep the database and the files")
    parser.add_argument("--check-only", action="store_true", help="check the files and stop")
    parser.add_argument(
        "--admin-steps",
        action="store_true",
        help="the admin's workarounds of the importer before 2026-12-04 (see the docstring)",
    )
    parser.add_argument(
        "--no-corrections", action="store_true", help="apply the check's users as they are"
    )
    parser.add_argument("--json", type=Path, default=None, help="write the figures here too")
    args = parser.parse_args()
    name = args.db_name or f"relay_foreign_{args.seed}"
    if not name.startswith("relay_foreign"):
        raise SystemExit("--db-name must start with relay_foreign")
    workdir = Path(tempfile.mkdtemp(prefix=f"relay-foreign-{args.seed}-"))
    _say(f"seats {args.seats}, seed {args.seed}, T {args.as_of}, database {name}, files {workdir}")
    started = time.perf_counter()
    config = foreign_sim.Config(
        seats=args.seats, seed=args.seed, as_of=args.as_of, weeks=args.weeks
    )
    org = foreign_sim.simulate(config)
    paths = foreign_sim.write_export(org, workdir / "export")
    org.truth.write_csv(workdir / "truth.csv")
    rows = {name: table.height for name, table in org.tables.items()}
    _say(f"generated in {time.perf_counter() - started:.1f} s: {rows}; {org.counts}")

    # Nothing here needs Redis: without REDIS_URL, Relay's Celery broker is a directory under
    # RELAY_VAR_DIR, so the runs the import and the scoring queue (no worker takes them) are
    # deleted with the temporary directory instead of waiting in a shared Redis.
    os.environ.pop("REDIS_URL", None)
    env = {
        **os.environ,
        "DATABASE_URL": f"{SERVER}/{name}",
        "RELAY_VAR_DIR": str(workdir / "var"),
        "MEDIA_ROOT": str(workdir / "media"),
        "DEBUG": os.environ.get("DEBUG", "true"),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
    }
    os.environ.update({key: env[key] for key in ("DATABASE_URL", "RELAY_VAR_DIR", "MEDIA_ROOT")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    _database(name)
    try:
        _manage(env, "migrate", "-v0")
        import django

        django.setup()
        result = _run(org, env, workdir, paths, args)
        if result is not None:
            _print_table(result)
            if args.json:
                args.json.write_text(json.dumps(result, indent=2, default=str))
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _database(name, drop=True)
            for path in sorted(workdir.rglob("*"), reverse=True):
                path.unlink() if path.is_file() else path.rmdir()
            workdir.rmdir()
            _say(f"dropped {name} and the files")
        else:
            _say(f"kept {name} and {workdir}")


def _run(
    org: foreign_sim.Org, env: dict, workdir: Path, paths: dict, args: argparse.Namespace
) -> dict | None:
    """Check, correct, apply, train, score, measure (None when the import stops)."""
    upload = import_files(workdir, paths, as_exported=not args.admin_steps)
    check = _manage(env, "import_data", *upload, "--dry-run", check=False)
    job, issues = read_job()
    # The command's report without the team tree (the org's 170 teams, one a line).
    print("\n".join(line for line in check.stdout.splitlines() if not line.startswith("    ")))
    counts = job.counts.get("people", {}).get("counts", {})
    _say(f"check: job {job.pk} {job.status}; users {counts}; {job.issues_total} rows listed")
    rejected = rejections(issues)
    for (file, column, reason), count in rejected.most_common():
        print(f"  rejected {count:6} × {file} {column}: {reason}")
    print("\n".join(_examples(issues)))
    if args.check_only:
        return None
    corrections, why = people_corrections(job, org.truth)
    for (wanted, got, title, reason), count in why.most_common():
        print(f"  admin corrects {count:4} × {got} → {wanted} ({title!r}; check said: {reason})")
    options = []
    if corrections and not args.no_corrections:
        choices = workdir / "people_choices.csv"
        with choices.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["Id", "becomes"])
            writer.writerows(corrections)
        options += ["--people", str(choices)]
    unknown = [key for key in rejected if key[2] != QUEUED]
    if unknown:
        _say(f"rejected rows the admin cannot fix here: {unknown}; stopping")
        return None
    if rejected:
        options.append("--skip-rejected")
        _say(f"admin: --skip-rejected for {sum(rejected.values())} cases owned by a queue")
    applied = _manage(env, "import_data", *upload, *options, check=False)
    job, _issues = read_job()
    print(
        "\n".join(
            line
            for line in applied.stdout.splitlines()
            if " rows, " in line or "Salesforce users" in line
        )
    )
    print("\n".join(applied.stdout.splitlines()[-4:]))
    _say(f"apply: job {job.pk} {job.status}; users {job.counts.get('people', {}).get('counts')}")
    if job.status != "applied":
        print(applied.stdout[-3000:], applied.stderr[-3000:])
        return None
    as_of = org.config.as_of.isoformat()
    trained = _manage(env, "train_risk_model", "--as-of", as_of, "-v0")
    print(trained.stdout.strip())
    scored = _manage(env, "score_reps", "--as-of", as_of, "-v0")
    # The run's alerts go to the console's e-mail backend: only the run's own line is shown.
    print("\n".join(line for line in scored.stdout.splitlines() if line.startswith("Run ")))
    result = measure(org, org.config.as_of)
    result["users"] = {
        "check": counts,
        "applied": job.counts.get("people", {}).get("counts"),
        "corrections": len(corrections),
    }
    result["rejected"] = {f"{k[0]} {k[1]}: {k[2]}": v for k, v in rejected.items()}
    result["generated"] = org.counts
    return result


if __name__ == "__main__":
    main()

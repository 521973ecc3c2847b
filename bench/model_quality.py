"""Benchmark: model quality on demo data, time-based holdout, per database (one per seed).

    .venv/bin/python bench/model_quality.py --db postgres://…/relay_seed0 --db postgres://…/relay_seed1
    .venv/bin/python bench/model_quality.py --seed-into postgres://…/relay_bench --seeds 0 1 2 7

Each database must hold ``manage.py seed_demo --seed N`` (``--seed-into`` seeds one database
per seed in turn, flushing it first). Trains with ``risk_model_train`` (as of the data's end) and
prints, per database: the holdout ROC AUC, average precision, top-10 % precision and recall and
median lead time, the same for the two simple baselines, the rolling-split spread, the
calibration per band and whether the model was published; then a summary against the targets
(AUC ≥ 0.85 and ≥ 0.08 above the best baseline, median lead ≥ 45 days, bands within 5 points)
and the calibration per band: snapshots (reps), mean predicted against observed 90-day rate
with the observed rate's 95 % interval (a bootstrap resampling reps), and the verdict on the
gap against 5 points (``within`` / ``outside`` when the whole interval of the gap is on one
side, ``undecided`` when a band holds too few reps to tell); last, per holdout date, the reps
in the high band against the departures the probabilities of all reps expect.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(as_of: str | None) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    import datetime as dt

    from django.db import connection

    from retention.models import RiskModel, SalesRep
    from retention.risk import services

    day = dt.date.fromisoformat(as_of) if as_of else None
    started = time.perf_counter()
    services.risk_model_train(as_of=day)
    seconds = time.perf_counter() - started
    model = RiskModel.objects.filter(kind=RiskModel.Kind.TRAINED).order_by("-id").first()
    metrics = model.metrics if model else {}
    baselines = metrics.get("baselines", {})
    best = max((b.get("roc_auc") or 0 for b in baselines.values()), default=None)
    return {
        "database": connection.settings_dict["NAME"],
        "reps": SalesRep.objects.count(),
        "model": model.version if model else None,
        "published": bool(model and model.is_active),
        "not_published_because": metrics.get("not_published_because"),
        "algorithm": model.algorithm if model else None,
        "candidates_roc_auc": metrics.get("candidates_roc_auc"),
        "calibration": metrics.get("calibration"),
        "roc_auc": metrics.get("roc_auc"),
        "best_baseline_auc": best,
        "auc_margin": (metrics["roc_auc"] - best) if metrics.get("roc_auc") and best else None,
        "average_precision": metrics.get("average_precision"),
        "precision_top10": metrics.get("precision_top"),
        "recall_top10": metrics.get("recall_top"),
        "median_lead_days": metrics.get("median_lead_days"),
        "holdout": [metrics.get("holdout_start"), metrics.get("holdout_end")],
        "holdout_departures": metrics.get("departures"),
        "baselines": {
            name: {k: b.get(k) for k in ("roc_auc", "average_precision", "recall_top")}
            for name, b in baselines.items()
        },
        "rolling_auc": metrics.get("rolling", {}).get("roc_auc"),
        "horizons": metrics.get("horizons"),
        "bands": [
            {
                k: b.get(k)
                for k in (
                    "band",
                    "rows",
                    "reps",
                    "predicted",
                    "observed",
                    "observed_low",
                    "observed_high",
                    "expected_departures",
                    "departures",
                    "within_tolerance",
                    "gap_low",
                    "gap_high",
                    "verdict",
                )
            }
            for b in metrics.get("bands", [])
        ],
        "high_band_count": metrics.get("high_band_count"),
        "holdout_thresholds": metrics.get("holdout_thresholds"),
        "thresholds": metrics.get("thresholds"),
        "recalibration": (metrics.get("recalibration_by_horizon") or {}).get("90"),
        "calibration_by_horizon": metrics.get("calibration_by_horizon"),
        "train_s": round(seconds, 1),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def _run(url: str, as_of: str | None) -> dict:
    command = [sys.executable, __file__] + (["--as-of", as_of] if as_of else [])
    output = subprocess.run(
        command,
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def _seed(url: str, seed: int, end: str | None) -> None:
    manage = [sys.executable, str(ROOT / "manage.py")]
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    extra = ["--end-date", end] if end else []
    subprocess.run(
        [*manage, "seed_demo", "--flush", "--seed", str(seed), *extra],
        env=env,
        check=True,
        capture_output=True,
    )


def _summary(results: list[dict]) -> None:
    print("\nseed/db            AUC   base  margin  AP    lead  bands≤5pt  published")
    for r in results:
        bands_ok = all(b.get("within_tolerance") is not False for b in r["bands"] if b["rows"])
        print(
            f"{r['database'][:16]:16}  {r['roc_auc'] or 0:.3f} {r['best_baseline_auc'] or 0:.3f}"
            f"  {r['auc_margin'] or 0:+.3f} {r['average_precision'] or 0:.3f}"
            f"  {r['median_lead_days'] or 0:4.0f}  {bands_ok!s:9}  {r['published']}"
        )
    print("\nseed/db           band    rows (reps)  predicted  observed (95 % over reps)  verdict")
    for r in results:
        for b in r["bands"]:
            if not b["rows"]:
                print(f"{r['database'][:16]:16}  {b['band']:6}  none")
                continue
            interval = (
                f"({b['observed_low']:.2f}–{b['observed_high']:.2f})"
                if b.get("observed_low") is not None
                else ""
            )
            print(
                f"{r['database'][:16]:16}  {b['band']:6}  {b['rows']:5} ({b.get('reps') or 0:4})"
                f"  {b['predicted']:.3f}      {b['observed']:.3f} {interval:13}"
                f"  {'≤5pt' if b['within_tolerance'] else '>5pt'} {b.get('verdict') or ''}"
            )
    print(
        "\nseed/db           per holdout date: high-band reps, departures expected, came;"
        " threshold holding as many reps as expected"
    )
    for r in results:
        count = r.get("high_band_count") or {}
        if count.get("dates"):
            print(
                f"{r['database'][:16]:16}  {count['high_band_reps']:6.1f}"
                f"  {count['expected_departures']:6.1f}  {count['departures']:6.1f}"
                f"  {count.get('count_threshold') or 0:.2f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", default=[], help="DATABASE_URL (repeatable)")
    parser.add_argument("--as-of", default=None, help="YYYY-MM-DD (the data's end)")
    parser.add_argument("--seed-into", default=None, help="DATABASE_URL to seed each seed into")
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2, 7])
    parser.add_argument("--end-date", default=None, help="demo end date when seeding")
    args = parser.parse_args()
    if args.seed_into:
        results = []
        for seed in args.seeds:
            _seed(args.seed_into, seed, args.end_date)
            result = _run(args.seed_into, args.as_of) | {"database": f"seed {seed}"}
            print(json.dumps(result))
            results.append(result)
        _summary(results)
        return
    if not args.db:
        print(json.dumps(measure(args.as_of)))
        return
    results = []
    for url in args.db:
        result = _run(url, args.as_of)
        print(json.dumps(result))
        results.append(result)
    _summary(results)


if __name__ == "__main__":
    main()

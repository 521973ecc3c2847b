"""Benchmark: model quality on demo data, time-based holdout, per database (one per seed).

    .venv/bin/python bench/model_quality.py --db postgres://…/relay_seed1 --db postgres://…/relay_seed2

Each database must hold ``manage.py seed_demo --seed N``. Trains (``risk_model_train``: compare
logistic regression and gradient boosting on a time split, keep the better by average
precision, calibrate), then backtests the model on the weeks after its training window.
"""

import argparse
import json
import os
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

    from retention.risk import services

    day = dt.date.fromisoformat(as_of) if as_of else None
    started = time.perf_counter()
    model = services.risk_model_train(as_of=day)
    trained = time.perf_counter()
    model = services.risk_model_evaluate(model=model, as_of=day)
    metrics, backtest = model.metrics, model.backtest.get("summary", {})
    return {
        "database": connection.settings_dict["NAME"],
        "model": model.version,
        "kind": model.kind,
        "algorithm": model.algorithm,
        "candidates_ap": metrics.get("candidates_average_precision"),
        "roc_auc": metrics.get("roc_auc"),
        "average_precision": metrics.get("average_precision"),
        "precision_top10": metrics.get("precision_top"),
        "recall_top10": metrics.get("recall_top"),
        "median_lead_days": metrics.get("median_lead_days"),
        "holdout": [metrics.get("holdout_start"), metrics.get("holdout_end")],
        "holdout_departures": metrics.get("departures"),
        "backtest": {
            key: backtest.get(key)
            for key in ("departures", "departures_flagged", "median_lead_days", "false_alarms")
        },
        "train_s": round(trained - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", default=[], help="DATABASE_URL (repeatable)")
    parser.add_argument("--as-of", default=None, help="YYYY-MM-DD (today)")
    args = parser.parse_args()
    if not args.db:
        print(json.dumps(measure(args.as_of)))
        return
    for url in args.db:
        command = [sys.executable, __file__] + (["--as-of", args.as_of] if args.as_of else [])
        output = subprocess.run(
            command,
            env={**os.environ, "DATABASE_URL": url},
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        print(output.strip().splitlines()[-1])


if __name__ == "__main__":
    main()

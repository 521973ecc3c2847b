"""Benchmark: train the risk model (``risk_model_train``) and split its time and memory by stage.

    DATABASE_URL=postgres://…/relay_10k DEBUG=1 .venv/bin/python bench/train_model.py \\
        [--as-of YYYY-MM-DD] [--dump-frames PATH | --compare-frames PATH]

The database must hold a seeded demo (``manage.py seed_demo``). Runs one real training, as the
training job does (a trained model is stored and may be published), and prints the wall and CPU
time of each stage (reading the history, the snapshot frames, the fit: learner choice,
calibration, rolling validation and storing), the whole training's wall, CPU and peak RSS, and
the load average before and after.

``--dump-frames PATH`` writes the snapshot frame and the training dataset (pickled pandas) so
that a later run of changed code can check with ``--compare-frames PATH`` that both are
identical (``pandas.testing.assert_frame_equal``, exact) and that the model's holdout figures
are the same.
"""

import argparse
import json
import os
import pickle
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _clock() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), usage.ru_utime + usage.ru_stime


def _timed(stages: dict, name: str, function, keep: dict | None = None):
    """``function`` wrapped to add its wall and CPU seconds to ``stages[name]``."""

    def wrapper(*args, **kwargs):
        wall, cpu = _clock()
        result = function(*args, **kwargs)
        wall_after, cpu_after = _clock()
        stage = stages.setdefault(name, {"wall_s": 0.0, "cpu_s": 0.0, "calls": 0})
        stage["wall_s"] += wall_after - wall
        stage["cpu_s"] += cpu_after - cpu
        stage["calls"] += 1
        if keep is not None:
            keep[name] = result
        return result

    return wrapper


def measure(as_of: str | None, dump: str | None, compare: str | None) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    import datetime as dt

    import pandas as pd
    from django.db import connection

    from retention.models import RiskModel, SalesRep
    from retention.risk import selectors, services

    stages: dict = {}
    kept: dict = {}
    selectors.risk_history = _timed(stages, "read", selectors.risk_history)
    services.snapshot_frame = _timed(stages, "snapshots", services.snapshot_frame, kept)
    services._training_dataset = _timed(stages, "labels", services._training_dataset, kept)
    services.scoring_model.train = _timed(stages, "fit", services.scoring_model.train)

    day = dt.date.fromisoformat(as_of) if as_of else None
    load_before = os.getloadavg()
    wall, cpu = _clock()
    services.risk_model_train(as_of=day)
    wall_after, cpu_after = _clock()
    load_after = os.getloadavg()
    model = RiskModel.objects.filter(kind=RiskModel.Kind.TRAINED).order_by("-id").first()
    metrics = model.metrics if model else {}
    figures = {
        "roc_auc": metrics.get("roc_auc"),
        "average_precision": metrics.get("average_precision"),
        "median_lead_days": metrics.get("median_lead_days"),
        "algorithm": model.algorithm if model else None,
    }
    result = {
        "database": connection.settings_dict["NAME"],
        "reps": SalesRep.objects.count(),
        "snapshot_rows": len(kept.get("snapshots", [])),
        "stages": {
            name: {k: round(v, 1) if isinstance(v, float) else v for k, v in stage.items()}
            for name, stage in stages.items()
        },
        "train_wall_s": round(wall_after - wall, 1),
        "train_cpu_s": round(cpu_after - cpu, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_before": [round(x, 1) for x in load_before],
        "load_after": [round(x, 1) for x in load_after],
        "model": figures,
    }
    if dump:
        with open(dump, "wb") as out:
            pickle.dump(
                {"snapshots": kept["snapshots"], "dataset": kept["labels"], "model": figures}, out
            )
    if compare:
        with open(compare, "rb") as saved:
            before = pickle.load(saved)
        pd.testing.assert_frame_equal(kept["snapshots"], before["snapshots"], check_exact=True)
        pd.testing.assert_frame_equal(kept["labels"], before["dataset"], check_exact=True)
        result["frames_identical"] = True
        result["model_figures_identical"] = figures == before["model"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", default=None, help="YYYY-MM-DD (the data's end)")
    parser.add_argument("--dump-frames", default=None, help="write the frames here (pickle)")
    parser.add_argument("--compare-frames", default=None, help="check the frames equal these")
    args = parser.parse_args()
    print(json.dumps(measure(args.as_of, args.dump_frames, args.compare_frames)))


if __name__ == "__main__":
    main()

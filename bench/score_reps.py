"""Benchmark: score every rep end to end (read from PostgreSQL, features, predict, write).

    DATABASE_URL=postgres://…/relay_1k  DEBUG=1 .venv/bin/python bench/score_reps.py
    .venv/bin/python bench/score_reps.py --db postgres://…/relay_1k --db postgres://…/relay_10k

With several --db, each is measured in its own process (so peak memory is per size). Prints
the stages of one in-process pass (read, features, predict + drivers) and the end-to-end time
of a real scoring run (``risk_scores_refresh``: chunks, writes, publication, alerts), with the
load average before and after.

``--dump-frames PATH`` writes the in-process pass's feature frame and scores (pickled pandas);
a later run of changed code with ``--compare-frames PATH`` checks both are identical
(``pandas.testing.assert_frame_equal``, exact: features, probabilities, bands and drivers).
"""

import argparse
import json
import os
import pickle
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(as_of: str | None, dump: str | None = None, compare: str | None = None) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    import datetime as dt

    from django.db import connection

    from retention.models import Activity
    from retention.risk import selectors, services
    from retention.scoring.features import feature_frame
    from retention.scoring.scorer import score_frame
    from retention.selectors import risk_thresholds

    day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    model = services.risk_model_ensure_active()
    reps = len(selectors.reps_to_score(as_of=day))
    activities = Activity.objects.count()

    load_before = os.getloadavg()
    t0 = time.perf_counter()
    history = selectors.risk_history(end=day)
    t1 = time.perf_counter()
    frame = feature_frame(history, day)
    t2 = time.perf_counter()
    thresholds = risk_thresholds(model)
    scored = score_frame(
        frame,
        scorer=services.scorer_for(model),
        medium=thresholds["medium"],
        high=thresholds["high"],
    )
    t3 = time.perf_counter()
    run = services.risk_scores_refresh(as_of=day)
    t4 = time.perf_counter()
    load_after = os.getloadavg()
    result = {
        "database": connection.settings_dict["NAME"],
        "reps_scored": reps,
        "activity_rows": activities,
        "weekly_rows": len(history.weekly),
        "model": f"{model.version} ({model.kind})",
        "read_s": round(t1 - t0, 2),
        "features_s": round(t2 - t1, 2),
        "predict_and_drivers_s": round(t3 - t2, 2),
        "end_to_end_run_s": round(t4 - t3, 2),
        "run_status": run.status,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_before": [round(x, 1) for x in load_before],
        "load_after": [round(x, 1) for x in load_after],
    }
    if dump:
        with open(dump, "wb") as out:
            pickle.dump({"features": frame, "scores": scored}, out)
    if compare:
        import pandas as pd

        with open(compare, "rb") as saved:
            before = pickle.load(saved)
        pd.testing.assert_frame_equal(frame, before["features"], check_exact=True)
        pd.testing.assert_frame_equal(scored, before["scores"], check_exact=True)
        result["frames_identical"] = True
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", default=[], help="DATABASE_URL (repeatable)")
    parser.add_argument("--as-of", default=None, help="YYYY-MM-DD (today)")
    parser.add_argument("--dump-frames", default=None, help="write the frames here (pickle)")
    parser.add_argument("--compare-frames", default=None, help="check the frames equal these")
    args = parser.parse_args()
    if not args.db:
        print(json.dumps(measure(args.as_of, args.dump_frames, args.compare_frames)))
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

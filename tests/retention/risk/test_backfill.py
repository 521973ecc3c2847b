"""The score history seeded in bulk is the history weekly runs would have written.

``risk_history_backfill`` reads the history once, computes every date's features from it and
scores all dates in one batch; a scoring run reads only its own window and its chunk's reps.
Both must give every rep the same score, drivers, signals and change since the last run.
"""

import datetime as dt

import pytest
from django.test import override_settings

from retention.demo import DemoSize, demo_seed
from retention.models import RiskScore, ScoringRun
from retention.risk import services

pytestmark = pytest.mark.django_db

END = dt.date(2026, 6, 30)
WEEKS = 4


def _scores_by_date() -> dict[dt.date, dict[int, dict]]:
    result: dict[dt.date, dict[int, dict]] = {}
    for score in RiskScore.objects.filter(run__status=ScoringRun.Status.SUCCEEDED):
        result.setdefault(score.as_of, {})[score.rep_id] = {
            "status": score.status,
            "band": score.band,
            "probability": round(score.probability, 9),
            "probability_30": round(score.probability_30, 9),
            "probability_180": round(score.probability_180, 9),
            "change": None if score.change is None else round(score.change, 6),
            "last_day": score.last_day,
            "drivers": score.drivers,
            "signals": score.signals,
        }
    return result


# Chunks of 5 reps: the weekly runs read many small windows of whole teams.
@override_settings(RELAY_RISK_CHUNK_SIZE=5)
def test_bulk_backfill_writes_the_scores_weekly_runs_would():
    demo_seed(seed=3, size=DemoSize(reps=30, teams=6, regions=2, customers=120, months=14),
              end_date=END)  # fmt: skip

    bulk_runs = services.risk_history_backfill(end=END, weeks=WEEKS)
    bulk = _scores_by_date()
    previous_runs = [run.previous_run_id for run in bulk_runs]
    ScoringRun.objects.all().delete()

    # The same dates, oldest first, one real scoring run each (the model the backfill chose).
    weekly_runs = [
        services.risk_scores_refresh(as_of=run.as_of, raise_alerts=False) for run in bulk_runs
    ]
    weekly = _scores_by_date()

    assert [run.as_of for run in bulk_runs] == [END - dt.timedelta(weeks=w) for w in (3, 2, 1, 0)]
    assert {run.chunks for run in weekly_runs} != {1}, "the weekly runs should be chunked"
    assert sorted(bulk) == sorted(weekly)
    for as_of in weekly:
        assert bulk[as_of] == weekly[as_of], as_of
    # Each run compares with the one before; the first has nothing to compare with.
    assert previous_runs[0] is None and all(previous_runs[1:])
    changes = [s["change"] for s in bulk[END].values() if s["status"] == RiskScore.Status.SCORED]
    assert any(change not in (None, 0) for change in changes)
    # The poaching-wave signal counts teammates who left, in the chunked runs too.
    assert any(s["signals"].get("team_departures_90d", 0) > 0 for s in weekly[END].values())

"""Scoring history for the dashboard tests, built directly as rows (no scoring code involved).

Three succeeded weekly runs (published: their rollups written), then a failed and a running run
whose scores must never show.
In the latest succeeded run: rep_a (North A) is high risk, rep_a2 (North B) low, rep_b (South A)
medium.
"""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from retention.models import RiskModel, RiskScore, SalesRep, ScoringRun
from retention.risk.services import scoring_run_rollup_write

RUN_DATES = [dt.date(2026, 10, 26), dt.date(2026, 11, 2), dt.date(2026, 11, 9)]


def band_for(probability: float) -> str:
    if probability >= 0.5:
        return RiskScore.Band.HIGH
    if probability >= 0.25:
        return RiskScore.Band.MEDIUM
    return RiskScore.Band.LOW


def make_run(
    as_of: dt.date,
    *,
    model: RiskModel | None = None,
    status: str = ScoringRun.Status.SUCCEEDED,
) -> ScoringRun:
    finished = timezone.make_aware(dt.datetime.combine(as_of, dt.time(3, 0)))
    return ScoringRun.objects.create(
        as_of=as_of,
        status=status,
        model=model,
        started_at=finished - dt.timedelta(minutes=5),
        finished_at=finished if status == ScoringRun.Status.SUCCEEDED else None,
    )


def make_score(
    run: ScoringRun,
    rep: SalesRep,
    probability: float,
    *,
    change: float | None = None,
    drivers: list | None = None,
    signals: dict | None = None,
) -> RiskScore:
    return RiskScore.objects.create(
        run=run,
        rep=rep,
        as_of=run.as_of,
        probability=probability,
        band=band_for(probability),
        change=change,
        drivers=drivers or [],
        signals=signals or {},
    )


def publish(run: ScoringRun) -> ScoringRun:
    """Write the rollup of a succeeded run made by ``make_run`` once its scores are in, as
    publishing a run does (``scoring_run_rollup_write``)."""
    with transaction.atomic():
        scoring_run_rollup_write(run_id=run.pk)
    return run


LEAVE_DRIVER = {
    "feature": "leave_episode_change",
    "text": "average leave episode 4.5 days in the last 90 days, against 1.5 days over the "
    "previous year",
    "value": 3.0,
    "weight": 0.21,
}
VISIT_DRIVER = {
    "feature": "visit_hours_change",
    "text": "2.0 hours of visits and meetings a week in the last 13 weeks, against 6.0 in the "
    "13 weeks before",
    "value": -0.67,
    "weight": 0.08,
}


@pytest.fixture
def rules_model(db) -> RiskModel:
    return RiskModel.objects.create(
        version="rules-1", kind=RiskModel.Kind.RULES, is_active=True, features=[]
    )


@pytest.fixture
def scored(rules_model, rep_a, rep_a2, rep_b) -> dict:
    """Three succeeded runs with rep_a rising into high risk, then a failed and a running run."""
    history = {rep_a: [0.2, 0.35, 0.72], rep_a2: [0.1, 0.12, 0.08], rep_b: [0.3, 0.3, 0.4]}
    runs = []
    for index, as_of in enumerate(RUN_DATES):
        run = make_run(as_of, model=rules_model)
        runs.append(run)
        for rep, values in history.items():
            before = values[index - 1] if index else None
            make_score(
                run,
                rep,
                values[index],
                change=None if before is None else values[index] - before,
                drivers=[LEAVE_DRIVER, VISIT_DRIVER] if rep == rep_a else [],
                signals={
                    "leave_episode_change": [0.1, 0.2, 3.0][index] if rep == rep_a else 0.1,
                    "visit_hours_change": [0.2, 0.1, -0.67][index] if rep == rep_a else 0.0,
                    "activities_recent": 12.0,
                },
            )
        publish(run)
    failed = make_run(dt.date(2026, 11, 16), model=rules_model, status=ScoringRun.Status.FAILED)
    running = make_run(dt.date(2026, 11, 16), model=rules_model, status=ScoringRun.Status.RUNNING)
    for rep in history:
        make_score(failed, rep, 0.99)
        make_score(running, rep, 0.98)
    return {"runs": runs, "latest": runs[-1], "failed": failed, "running": running}


@pytest.fixture(autouse=True)
def _empty_cache():
    """Band history is cached under the run id; ids repeat between tests on SQLite."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()

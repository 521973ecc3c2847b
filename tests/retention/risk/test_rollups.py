"""Publishing a run writes its rollup (``RiskRollup``) in the transaction that publishes it, on
every path that publishes a run; the rollup is the run's scores counted per team (the rep's
team at publication), status and band, with the sum of their probabilities."""

import datetime as dt
import importlib
from collections import defaultdict

import pytest
from django.apps import apps
from django.db import transaction
from django.test import override_settings

from retention.models import RiskRollup, RiskScore, SalesRep, ScoringRun
from retention.risk import services
from tests.retention.risk.conftest import AS_OF

pytestmark = pytest.mark.django_db


def _scores_counted(run: ScoringRun) -> dict[tuple, tuple[int, float]]:
    """The run's scores counted in Python, per (team, status, band): reps, sum of
    probabilities."""
    cells: dict[tuple, list] = defaultdict(lambda: [0, 0.0])
    for score in RiskScore.objects.filter(run=run).select_related("rep"):
        cell = cells[(score.rep.team_id, score.status, score.band)]
        cell[0] += 1
        cell[1] += score.probability
    return {key: (reps, round(total, 9)) for key, (reps, total) in cells.items()}


def _rollup(run: ScoringRun) -> dict[tuple, tuple[int, float]]:
    return {
        (row.team_id, row.status, row.band): (row.reps, round(row.probability_sum, 9))
        for row in RiskRollup.objects.filter(run=run)
    }


def test_a_scoring_run_is_published_with_the_rollup_of_its_scores(small_org, rep_a):
    # rep_a is serving notice on the run's date (a last day ten days on) and has left since.
    SalesRep.objects.filter(pk=rep_a.pk).update(
        status=SalesRep.Status.LEFT,
        departure_date=AS_OF + dt.timedelta(days=10),
        departure_reason=SalesRep.DepartureReason.VOLUNTARY,
    )
    run = services.risk_scores_refresh(as_of=AS_OF, raise_alerts=False)
    assert run.status == ScoringRun.Status.SUCCEEDED
    rollup = _rollup(run)
    assert rollup == _scores_counted(run)
    assert len({team for team, _status, _band in rollup}) == 3
    assert {status for _team, status, _band in rollup} == {"scored", "leaving"}
    assert sum(reps for reps, _total in rollup.values()) == run.scores.count()


def test_a_run_published_in_chunks_has_its_rollup_and_one_that_fails_has_none(small_org):
    with override_settings(RELAY_RISK_CHUNK_SIZE=1):
        published = ScoringRun.objects.create(as_of=AS_OF)
        todo = services.scoring_run_start(run_id=published.pk)
        for index in todo:
            services.scoring_chunk_run(run_id=published.pk, index=index)
        assert not RiskRollup.objects.filter(run=published).exists()  # not published yet
        assert services.scoring_run_finish(run_id=published.pk)
        assert _rollup(published) == _scores_counted(published)
        assert services.scoring_run_finish(run_id=published.pk) is False  # once only
        assert _rollup(published) == _scores_counted(published)

        failed = ScoringRun.objects.create(as_of=AS_OF)
        for index in services.scoring_run_start(run_id=failed.pk):
            services.scoring_chunk_run(run_id=failed.pk, index=index)
    RiskScore.objects.filter(run=failed).order_by("rep_id").first().delete()
    assert services.scoring_run_finish(run_id=failed.pk) is False
    assert not RiskRollup.objects.filter(run=failed).exists()


def test_a_history_backfill_publishes_every_run_with_its_rollup(small_org):
    runs = services.risk_history_backfill(end=AS_OF, weeks=3)
    assert len(runs) == 3
    for run in runs:
        assert run.status == ScoringRun.Status.SUCCEEDED
        assert _rollup(run) and _rollup(run) == _scores_counted(run)


def test_the_rollup_counts_each_rep_in_their_team_at_publication(small_org, rep_a, team_south_a):
    first = services.risk_scores_refresh(as_of=AS_OF - dt.timedelta(days=7), raise_alerts=False)
    before = _rollup(first)
    SalesRep.objects.filter(pk=rep_a.pk).update(team=team_south_a)
    second = services.risk_scores_refresh(as_of=AS_OF, raise_alerts=False)
    assert _rollup(first) == before  # a move later does not rewrite the past
    assert _rollup(second) == _scores_counted(second)
    assert _reps_in(_rollup(second), team_south_a.pk) == _reps_in(before, team_south_a.pk) + 1


def _reps_in(rollup: dict[tuple, tuple[int, float]], team_id: int) -> int:
    return sum(reps for (team, _status, _band), (reps, _total) in rollup.items() if team == team_id)


def test_the_migration_backfills_the_rollups_of_runs_published_before_them(small_org):
    """Runs published before rollups existed get theirs from the migration; runs that failed
    or are in flight get none."""
    migration = importlib.import_module("retention.migrations.0016_risk_rollup")
    published = [
        services.risk_scores_refresh(as_of=AS_OF - dt.timedelta(days=days), raise_alerts=False)
        for days in (14, 0)
    ]
    failed = ScoringRun.objects.create(as_of=AS_OF)
    for index in services.scoring_run_start(run_id=failed.pk):
        services.scoring_chunk_run(run_id=failed.pk, index=index)
    services.scoring_run_fail(run_id=failed.pk, error="test")
    running = ScoringRun.objects.create(as_of=AS_OF)
    for index in services.scoring_run_start(run_id=running.pk):
        services.scoring_chunk_run(run_id=running.pk, index=index)
    expected = {run.pk: _rollup(run) for run in published}
    RiskRollup.objects.all().delete()  # as before the migration

    with transaction.atomic():
        migration.backfill(apps, None)

    assert {run.pk: _rollup(run) for run in published} == expected
    assert all(expected.values())
    assert set(RiskRollup.objects.values_list("run_id", flat=True)) == set(expected)
    for run in published:
        assert _rollup(run) == _scores_counted(run)

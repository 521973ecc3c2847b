""" "Change since last run" compares each rep with their own previous published score, whatever
its date: a second run the same day, or a run the rep was missing from, never blanks it."""

import datetime as dt

import pytest

from retention.models import RiskScore, ScoringRun
from retention.risk import services
from tests.retention.risk.conftest import AS_OF

pytestmark = pytest.mark.django_db


def _probability(run: ScoringRun, rep) -> float:
    return RiskScore.objects.get(run=run, rep=rep).probability


def test_second_run_the_same_day_shows_the_change_against_the_first(small_org, rep_a):
    first = services.risk_scores_refresh(as_of=AS_OF, raise_alerts=False)
    second = services.risk_scores_refresh(as_of=AS_OF, raise_alerts=False)
    assert first.status == second.status == ScoringRun.Status.SUCCEEDED
    scores = RiskScore.objects.filter(run=second, status=RiskScore.Status.SCORED)
    assert scores.exists()
    assert not scores.filter(change__isnull=True).exists()
    score = scores.get(rep=rep_a)
    assert score.change == pytest.approx(score.probability - _probability(first, rep_a), abs=1e-6)


def test_a_rep_missing_from_the_last_run_is_compared_with_their_score_before(small_org, rep_a):
    early = services.risk_scores_refresh(as_of=AS_OF - dt.timedelta(days=14), raise_alerts=False)
    middle = services.risk_scores_refresh(as_of=AS_OF - dt.timedelta(days=7), raise_alerts=False)
    # rep_a was not in the middle run (say, not a sales rep that week).
    RiskScore.objects.filter(run=middle, rep=rep_a).delete()
    latest = services.risk_scores_refresh(as_of=AS_OF, raise_alerts=False)
    score = RiskScore.objects.get(run=latest, rep=rep_a)
    assert score.change is not None
    assert score.change == pytest.approx(score.probability - _probability(early, rep_a), abs=1e-6)


def test_a_later_run_is_never_the_baseline_of_a_back_dated_one(small_org, rep_a):
    services.risk_scores_refresh(as_of=AS_OF, raise_alerts=False)
    back = services.risk_scores_refresh(as_of=AS_OF - dt.timedelta(days=28), raise_alerts=False)
    assert RiskScore.objects.get(run=back, rep=rep_a).change is None


def test_failed_runs_and_leaving_scores_are_not_a_baseline(small_org, rep_a):
    failed = ScoringRun.objects.create(as_of=AS_OF, status=ScoringRun.Status.FAILED)
    RiskScore.objects.create(
        run=failed, rep=rep_a, as_of=AS_OF, probability=0.9, band=RiskScore.Band.HIGH
    )
    run = services.risk_scores_refresh(as_of=AS_OF, raise_alerts=False)
    assert RiskScore.objects.get(run=run, rep=rep_a).change is None

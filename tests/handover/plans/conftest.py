"""Helpers for handover-plan tests: risk scores as the scoring run would leave them."""

import datetime as dt

import pytest
from django.utils import timezone

from retention.models import RiskScore, SalesRep, ScoringRun
from tests.conftest import make_customer, make_rep

TODAY = dt.date(2026, 11, 2)


def give_scores(bands: dict[SalesRep, str], *, as_of: dt.date = TODAY) -> ScoringRun:
    """A finished scoring run holding the given band for each rep."""
    run = ScoringRun.objects.create(
        as_of=as_of,
        status=ScoringRun.Status.SUCCEEDED,
        finished_at=timezone.now(),
        total=len(bands),
        done=len(bands),
    )
    probabilities = {"low": 0.1, "medium": 0.35, "high": 0.8}
    RiskScore.objects.bulk_create(
        RiskScore(run=run, rep=rep, as_of=as_of, probability=probabilities[band], band=band)
        for rep, band in bands.items()
    )
    return run


@pytest.fixture
def mates(team_north_a):
    """Two more reps in North A (region North): Carla and Dan."""
    return (
        make_rep(team_north_a, "Carla", "Costa"),
        make_rep(team_north_a, "Dan", "Dahl"),
    )


@pytest.fixture
def book(rep_a):
    """Rep A's customers: two key accounts and two small ones."""
    return {
        "big": make_customer("Big Key", owner=rep_a, annual_revenue=900_000, is_key_account=True),
        "mid": make_customer("Mid Key", owner=rep_a, annual_revenue=400_000, is_key_account=True),
        "small": make_customer("Small Co", owner=rep_a, annual_revenue=50_000),
        "tiny": make_customer("Tiny Co", owner=rep_a, annual_revenue=10_000),
    }

"""Hiring fixtures on top of the shared cast (tests/conftest.py)."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from handover.hiring import services
from handover.models import Candidate, Vacancy


def vacancy_post(team, **changes) -> dict:
    """The vacancy form's fields for a growth vacancy in ``team``, with ``changes`` over them."""
    data = {
        "team": team.pk,
        "role": "Account executive",
        "reason": "growth",
        "approved_headcount": "1",
        "opened_on": "2026-06-01",
    }
    return {**data, **changes}


def internal_candidate(rep) -> Candidate:
    """``rep`` as a candidate from inside the company (an internal transfer)."""
    return services.candidate_create(
        first_name=rep.first_name,
        last_name=rep.last_name,
        source=Candidate.Source.INTERNAL,
        existing_rep=rep,
    )


@pytest.fixture
def hr_client(client, hr_user):
    client.force_login(hr_user)
    return client


@pytest.fixture
def hr_api(hr_user) -> APIClient:
    client = APIClient()
    client.force_authenticate(hr_user)
    return client


@pytest.fixture
def vacancy_north(team_north_a, manager_a) -> Vacancy:
    """A growth vacancy in team North A (manager A's scope), with a salary band."""
    return services.vacancy_create(
        team=team_north_a,
        opened_on=dt.date(2026, 3, 2),
        role="Account executive",
        region="North",
        hiring_manager=manager_a,
        salary_min=50_000,
        salary_max=65_000,
        target_fill_date=dt.date(2026, 5, 1),
    )


@pytest.fixture
def vacancy_south(team_south_a) -> Vacancy:
    """A vacancy in team South A, outside manager A's scope."""
    return services.vacancy_create(
        team=team_south_a,
        opened_on=dt.date(2026, 3, 2),
        region="South",
        salary_min=40_000,
        salary_max=52_000,
    )


@pytest.fixture
def bench_candidate(db) -> Candidate:
    return services.candidate_create(
        first_name="Bea",
        last_name="Bench",
        source=Candidate.Source.BENCH,
        region="North",
        sales_experience_years=3,
        bench_ready=True,
        earliest_start=dt.date(2026, 3, 16),
        email="bea.bench@example.com",
    )


@pytest.fixture
def board_candidate(db) -> Candidate:
    return services.candidate_create(
        first_name="Jo",
        last_name="Board",
        source=Candidate.Source.JOB_BOARD,
        region="South",
        sales_experience_years=0,
    )

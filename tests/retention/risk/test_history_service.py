"""``risk_history``'s weekly service totals: each score read on its own scale, on PostgreSQL and
on SQLite alike (SQLite divides two whole numbers without a remainder)."""

import datetime as dt
from decimal import Decimal

import pytest

from retention.models import ServiceRecord
from retention.risk.selectors import risk_history
from tests.conftest import make_rep

pytestmark = pytest.mark.django_db


def test_scores_are_shares_of_their_own_scale(team_north_a):
    rep = make_rep(team_north_a, "Rated", "Rep", hire_date=dt.date(2020, 1, 6))
    monday = dt.date(2026, 11, 2)
    scores = [("4", "5"), ("3", "5"), ("5", "5"), ("7", "10"), ("2.5", "5")]
    ServiceRecord.objects.bulk_create(
        [
            ServiceRecord(
                rep=rep,
                date=monday + dt.timedelta(days=day),
                score=Decimal(score),
                scale_max=Decimal(scale),
                source=ServiceRecord.Source.CSAT,
            )
            for day, (score, scale) in enumerate(scores)
        ]
        # A case nobody rated counts as a case, not as a score.
        + [ServiceRecord(rep=rep, date=monday, source=ServiceRecord.Source.CASE)]
    )

    weekly = risk_history(end=dt.date(2026, 11, 30), rep_ids=[rep.pk]).weekly
    week = weekly[weekly["rep_id"] == rep.pk].set_index("week").loc[str(monday)]

    assert week["service_n"] == 5
    assert week["service_score_sum"] == pytest.approx(0.8 + 0.6 + 1.0 + 0.7 + 0.5)
    assert week["service_scale_sum"] == pytest.approx(30)
    assert week["cases"] == 1

import datetime as dt

import pytest
from django.utils import timezone

from retention import selectors
from retention.models import Activity, ScoringRun

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)


def _activity(rep, days_ago: int, **extra) -> Activity:
    moment = dt.datetime.combine(TODAY - dt.timedelta(days=days_ago), dt.time(12, 0))
    return Activity.objects.create(
        rep=rep,
        kind=Activity.Kind.CALL,
        occurred_at=timezone.make_aware(moment),
        **extra,
    )


def test_rep_page_last_90_days_counts_ninety_days_and_no_deleted_activity(rep_a):
    """The rep page's 'Last 90 days' box: today and the 89 days before it (it counted 91),
    without the activities the CRM deleted (an import keeps them, marked)."""
    _activity(rep_a, 0)
    _activity(rep_a, 89)
    _activity(rep_a, 90)
    _activity(rep_a, 3, is_deleted=True)
    assert selectors.rep_activity_summary(rep=rep_a, today=TODAY) == {"call": 2}


def test_runs_by_date_keep_one_succeeded_run_a_day_the_later_to_finish_oldest_first():
    def run(day: int, finished_hour: int, status=ScoringRun.Status.SUCCEEDED) -> ScoringRun:
        return ScoringRun.objects.create(
            as_of=dt.date(2026, 11, day),
            status=status,
            finished_at=dt.datetime(2026, 11, day, finished_hour, tzinfo=dt.UTC),
        )

    first = run(2, 6)
    redone = run(9, 18)
    run(9, 6)  # the same day's earlier run
    run(16, 20, status=ScoringRun.Status.FAILED)
    latest = run(16, 6)
    assert selectors.scoring_runs_by_date() == [first, redone, latest]
    assert selectors.scoring_runs_by_date(limit=2) == [redone, latest]
    # The dashboards' current scores are the newest of the same choice.
    assert selectors.scoring_run_latest_complete() == latest

import datetime as dt

import pytest
from django.utils import timezone

from retention import selectors
from retention.models import Activity

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

import datetime as dt

import pytest

from handover.hiring import selectors, services
from handover.models import Vacancy

pytestmark = pytest.mark.django_db


def test_vacancy_list_puts_open_vacancies_first(hr_user, team_north_a):
    """HR's vacancy list: open, then on hold, then filled, then cancelled, each newest first.
    Sorted by the status's stored name, 'filled' came before 'open', so a page of filled
    vacancies hid the open ones."""
    made = {}
    for number, status in enumerate(["filled", "open", "cancelled", "on_hold", "filled", "open"]):
        vacancy = services.vacancy_create(
            team=team_north_a, opened_on=dt.date(2026, 3, 1) + dt.timedelta(days=number)
        )
        filled_on = dt.date(2026, 4, 1) if status == Vacancy.Status.FILLED else None
        Vacancy.objects.filter(pk=vacancy.pk).update(status=status, filled_on=filled_on)
        made[vacancy.pk] = (status, number)
    listed = [made[v.pk] for v in selectors.vacancy_rows_visible_to(user=hr_user)]
    assert listed == [
        ("open", 5),
        ("open", 1),
        ("on_hold", 3),
        ("filled", 4),
        ("filled", 0),
        ("cancelled", 2),
    ]

"""The demo organisation as `make run` serves it: a demo manager sees only their own reps."""

import datetime as dt

import pytest

from accounts.models import User
from retention.demo import DemoSize, demo_seed
from retention.risk.services import risk_history_backfill
from retention.selectors import reps_visible
from tests.conftest import browser_login

pytestmark = pytest.mark.django_db(transaction=True)
END = dt.date(2026, 6, 30)


def test_demo_manager_sees_only_their_team_on_reps_and_dashboard(page):
    demo_seed(
        seed=2, size=DemoSize(reps=24, teams=6, regions=3, customers=100, months=9), end_date=END
    )
    risk_history_backfill(end=END, weeks=2)
    manager = User.objects.get(username="manager.east1")
    own = set(reps_visible(user=manager).values_list("id", flat=True))
    assert 0 < len(own) < 24

    browser_login(page, "manager.east1", "relay-demo")
    assert page.url.endswith("/dashboard/")
    # Rep pages only (/reps/<id>/), not the leaving reps' handover links (/reps/<id>/handover/).
    shown = {
        int(href.rstrip("/").rsplit("/", 1)[1])
        for href in page.locator("table a[href^='/reps/']").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        )
        if href.rstrip("/").rsplit("/", 1)[1].isdigit()
    }
    assert shown and shown <= own

    page.goto("/reps/?status=active")
    listed = {
        int(row.get_attribute("data-rep-id"))
        for row in page.locator("#rep-table tbody tr[data-rep-id]").all()
    }
    assert listed and listed <= own

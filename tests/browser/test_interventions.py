"""In Chromium: a manager logs a suggested intervention in one click; HR reads what worked."""

import datetime as dt

import pytest
from django.utils import timezone

from retention.models import Intervention, RiskModel
from tests.conftest import browser_login, make_customer
from tests.retention.dashboard.conftest import make_run, make_score

pytestmark = pytest.mark.browser

LEAVE = {
    "sign": "leave",
    "feature": "bridge_days",
    "message": "bridge_days",
    "numbers": {"recent": 5.0, "usual": 0.25},
    "weight": 0.33,
}


@pytest.fixture
def scored_rep(rep_a):
    model = RiskModel.objects.create(version="rules-1", kind="rules", is_active=True)
    make_score(make_run(timezone.localdate(), model=model), rep_a, 0.72, drivers=[LEAVE])
    make_customer("Acme", owner=rep_a, annual_revenue=2_000_000, is_key_account=True)
    return rep_a


def test_manager_logs_a_suggested_intervention_in_one_click(page, manager_a, scored_rep):
    browser_login(page, "manager.a", "pw-manager-a")
    page.goto(f"/reps/{scored_rep.pk}/")
    card = page.locator("#suggestions")
    assert "5 single days off next to a weekend in the last 90 days" in card.inner_text()
    card.locator("[data-log-suggestion=working_hours]").click()
    page.locator("#suggestion-state-working_hours", has_text="Logged today").wait_for()
    row = page.locator("#intervention-log tbody tr").first
    assert "More control over working hours" in row.inner_text()
    assert "Suggested by Relay because of: 5 single days off" in row.inner_text()
    item = Intervention.objects.get(rep=scored_rep)
    assert item.follow_up_on == timezone.localdate() + dt.timedelta(days=30)
    assert page.url.endswith(f"/reps/{scored_rep.pk}/")  # no detour


def test_hr_reads_what_worked_with_its_caveat(page, hr_user, manager_a, scored_rep):
    Intervention.objects.create(rep=scored_rep, kind="stay_conversation", created_by=manager_a)
    browser_login(page, "harriet.hr", "pw-hr-1")
    page.goto("/")
    page.locator("summary", has_text="More").click()
    page.locator("#nav-what-worked").click()
    assert "observational comparison, not an experiment" in page.content()
    row = page.locator("#what-worked tr[data-kind=stay_conversation]")
    assert "too few to tell" in row.inner_text()

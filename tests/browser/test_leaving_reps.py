"""A manager in Chromium sees a rep serving notice as leaving, first on the dashboard with what
they hold, and a scored rep's page with the chance of leaving over three horizons."""

import datetime as dt

import pytest
from django.utils import timezone

from retention.models import Assignment, RiskModel, RiskScore, SalesRep
from tests.conftest import browser_login, make_customer
from tests.retention.dashboard.conftest import make_run, make_score

pytestmark = pytest.mark.browser


@pytest.fixture
def notice(manager_a, rep_a, rep_a2):
    """rep_a2 is serving notice (last day in ten days) with a key account and no backup;
    rep_a is high risk."""
    model = RiskModel.objects.create(version="rules-test", kind="rules", is_active=True)
    today = timezone.localdate()
    last_day = today + dt.timedelta(days=10)
    SalesRep.objects.filter(pk=rep_a2.pk).update(
        status=SalesRep.Status.NOTICE,
        departure_date=last_day,
        departure_reason=SalesRep.DepartureReason.VOLUNTARY,
    )
    run = make_run(today - dt.timedelta(days=1), model=model)
    high = make_score(run, rep_a, 0.74, change=0.11)
    RiskScore.objects.filter(pk=high.pk).update(probability_30=0.4, probability_180=0.9)
    RiskScore.objects.create(
        run=run,
        rep=rep_a2,
        as_of=run.as_of,
        status=RiskScore.Status.LEAVING,
        last_day=last_day,
        probability=1.0,
        probability_30=1.0,
        probability_180=1.0,
        band=RiskScore.Band.HIGH,
    )
    key = make_customer(
        "Harbour Logistics", owner=rep_a2, annual_revenue=5_700_000, is_key_account=True
    )
    make_customer("Polar Paper", owner=rep_a, annual_revenue=800_000, is_key_account=True)
    Assignment.objects.filter(customer=key).update(valid_from=dt.date(2023, 1, 1))
    return {"leaving": rep_a2, "high": rep_a, "last_day": last_day}


def test_manager_sees_the_leaving_rep_first_and_three_horizons(page, notice):
    browser_login(page, "manager.a", "pw-manager-a")
    label = f"Leaving — last day {notice['last_day'].isoformat()}"

    leaving = page.locator("#leaving-table tbody tr").first
    assert leaving.get_attribute("data-rep-id") == str(notice["leaving"].pk)
    text = leaving.inner_text()
    assert label in text and "in 10 days" in text
    assert "5,700,000" in text and "0 of 1 with a backup" in text

    first = page.locator("#dashboard-table tbody tr").first
    assert first.get_attribute("data-rep-id") == str(notice["leaving"].pk)
    risk = first.locator("td.risk").inner_text()
    assert label in risk and "%" not in risk

    first.locator("td:first-child a").click()
    card = page.locator("#risk-card").inner_text()
    assert label in card and "%" not in card

    page.goto(f"/reps/{notice['high'].pk}/")
    rows = page.locator("#horizons tr")
    assert rows.count() == 3
    assert "40%" in rows.nth(0).inner_text()
    assert "74%" in rows.nth(1).inner_text() and "sets the band" in rows.nth(1).inner_text()
    assert "90%" in rows.nth(2).inner_text()

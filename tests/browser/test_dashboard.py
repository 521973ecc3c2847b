"""A manager's morning in Chromium: dashboard, a high-risk rep, an intervention, routing export.

Screenshots of the dashboard and the rep page are written to docs/ for the README.
"""

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from retention.models import Assignment
from tests.conftest import browser_login, make_customer, make_rep
from tests.retention.dashboard.conftest import make_run, make_score

pytestmark = pytest.mark.browser

WEEKS = [dt.date(2026, 9, 7) + dt.timedelta(weeks=n) for n in range(10)]


def _signals(week: int, rising: bool) -> dict:
    late = week >= 6
    return {
        "activity_change": -0.35 if rising and late else 0.02 * (week % 3),
        "leave_episode_change": 2.5 if rising and late else 0.1 + 0.05 * (week % 2),
        "visit_hours_change": -0.5 if rising and late else 0.1,
        "service_change": -0.12 if rising and late else 0.0,
        "tenure_years": 4.5 + week / 52,
    }


@pytest.fixture
def morning(manager_a, rep_a, rep_a2, rep_b, team_north_a, team_north_b):
    """Ten weekly runs: rep_a rises into high risk, the others stay calm."""
    from retention.models import RiskModel

    model = RiskModel.objects.create(version="rules-2026.11", kind="rules", is_active=True)
    extra = [
        make_rep(team_north_a, "Chen", "Wei", hire_date=dt.date(2019, 3, 1)),
        make_rep(team_north_b, "Dana", "Dahl", hire_date=dt.date(2025, 6, 1)),
        make_rep(team_north_b, "Emil", "Ek", hire_date=dt.date(2021, 9, 1)),
    ]
    paths = {
        rep_a: [0.12, 0.14, 0.13, 0.18, 0.22, 0.3, 0.41, 0.55, 0.63, 0.74],
        rep_a2: [0.1, 0.09, 0.11, 0.1, 0.08, 0.09, 0.07, 0.08, 0.09, 0.08],
        rep_b: [0.3] * 10,
        extra[0]: [0.2, 0.22, 0.25, 0.27, 0.3, 0.31, 0.33, 0.35, 0.34, 0.36],
        extra[1]: [0.05] * 10,
        extra[2]: [0.15, 0.16, 0.15, 0.14, 0.13, 0.14, 0.15, 0.16, 0.17, 0.18],
    }
    driver = {
        "feature": "leave_episode_change",
        "text": "average leave episode 4.5 days in the last 90 days, against 1.5 days over "
        "the previous year",
        "value": 2.5,
        "weight": 0.2,
    }
    for week, as_of in enumerate(WEEKS):
        run = make_run(as_of, model=model)
        for rep, path in paths.items():
            make_score(
                run,
                rep,
                path[week],
                change=None if week == 0 else path[week] - path[week - 1],
                drivers=[driver] if rep == rep_a and week >= 6 else [],
                signals=_signals(week, rising=rep == rep_a),
            )
    key = make_customer("Fjord Freight", owner=rep_a, annual_revenue=2_400_000, is_key_account=True)
    make_customer("Polar Paper", owner=rep_a, annual_revenue=800_000, is_key_account=True)
    Assignment.objects.create(
        customer=key, rep=rep_a2, role=Assignment.Role.BACKUP, valid_from=dt.date(2024, 2, 1)
    )
    return {"rep_a": rep_a}


def _no_horizontal_scroll(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 1000})
    page.wait_for_timeout(400)  # plotly redraws responsive charts after a short debounce
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className)"""
    )
    assert overflow <= 1, f"page scrolls sideways by {overflow}px at {width}px: {wide}"


def test_manager_works_through_the_dashboard(page, morning):
    browser_login(page, "manager.a", "pw-manager-a")
    assert page.url.endswith("/dashboard/")

    table = page.locator("#dashboard-table tbody")
    names = table.locator("tr td:first-child a").all_inner_texts()
    assert "Alice Anders" in names and "Arne Berg" in names
    assert "Bruno Silva" not in names
    page.wait_for_selector("#band-history-chart .main-svg")

    page.click("#sort-risk")  # highest first is the default: this turns it round
    page.wait_for_url("**sort=risk**")
    assert table.locator("tr").first.get_attribute("data-band") == "low"
    page.click("#sort-risk")
    page.wait_for_url("**sort=-risk**")
    first = table.locator("tr").first
    assert first.get_attribute("data-band") == "high"
    assert "High" in first.locator("td.risk").inner_text()  # a word, not only a colour
    _no_horizontal_scroll(page, 820)
    page.set_viewport_size({"width": 1366, "height": 900})

    first.locator("td:first-child a").click()
    page.wait_for_selector("#score-chart .main-svg")
    page.wait_for_selector("#signals-chart .main-svg")
    assert "Average leave episode 4.5 days" in page.inner_text("#drivers")
    assert "Rule-based (not trained)" in page.inner_text("#risk-model")

    page.select_option("#id_kind", "stay_conversation")
    page.fill("#id_note", "Talked about a move to key accounts")
    page.fill("#id_follow_up_on", "2030-01-15")
    page.click("#record-intervention")
    log = page.locator("#intervention-log")
    log.get_by_text("Talked about a move to key accounts").wait_for()
    assert "Stay conversation" in log.inner_text()
    _no_horizontal_scroll(page, 820)
    page.set_viewport_size({"width": 1366, "height": 900})

    page.goto("/dashboard/")
    row = page.locator(f"#dashboard-table tr[data-rep-id='{morning['rep_a'].pk}']")
    assert "Stay conversation" in row.locator("td.last-intervention").inner_text()

    page.goto("/routing/")
    assert "Fjord Freight" in page.inner_text("#routing-table")
    _no_horizontal_scroll(page, 820)
    page.set_viewport_size({"width": 1366, "height": 900})
    with page.expect_download() as download_info:
        page.click("#export-csv")
    path = download_info.value.path()
    rows = list(csv.DictReader(io.StringIO(Path(path).read_text(encoding="utf-8-sig"))))
    assert {row["customer_name"] for row in rows} == {"Fjord Freight", "Polar Paper"}
    fjord = next(row for row in rows if row["customer_name"] == "Fjord Freight")
    assert fjord["alternate_kind"] == "backup"
    assert fjord["alternate_name"] == "Arne Berg"

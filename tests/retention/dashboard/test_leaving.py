"""A rep serving notice is "Leaving — last day D", never a band and a percentage: on the
dashboard (first, with their key accounts, coverage and handover), its API, the rep page and
the risk API. A scored rep's page shows the chance of leaving within 30, 90 and 180 days."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from handover.models import HandoverPlan
from retention.dashboard.selectors import leaving_reps
from retention.models import Assignment, RiskScore, SalesRep
from retention.selectors import scoring_run_latest_complete
from tests.conftest import make_customer

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
LAST_DAY = dt.date(2026, 12, 4)
LABEL = "Leaving — last day 2026-12-04"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def leaving(scored, rep_a, rep_a2) -> SalesRep:
    """rep_a2 gave notice: the latest run stored them leaving. They own two key accounts (one
    backed up by rep_a) and a small customer."""
    SalesRep.objects.filter(pk=rep_a2.pk).update(
        status=SalesRep.Status.NOTICE,
        departure_date=LAST_DAY,
        departure_reason=SalesRep.DepartureReason.VOLUNTARY,
    )
    RiskScore.objects.filter(run=scored["latest"], rep=rep_a2).update(
        status=RiskScore.Status.LEAVING,
        last_day=LAST_DAY,
        probability=1.0,
        probability_30=1.0,
        probability_180=1.0,
        band=RiskScore.Band.HIGH,
        change=None,
        drivers=[],
    )
    backed = make_customer(
        "Backed Key", owner=rep_a2, annual_revenue=2_000_000, is_key_account=True
    )
    make_customer("Alone Key", owner=rep_a2, annual_revenue=1_500_000, is_key_account=True)
    make_customer("Small Shop", owner=rep_a2, annual_revenue=10_000)
    Assignment.objects.create(
        customer=backed, rep=rep_a, role=Assignment.Role.BACKUP, valid_from=dt.date(2024, 1, 1)
    )
    rep_a2.refresh_from_db()
    return rep_a2


def _row(html: str, rep_id: int, table: str = "dashboard-table") -> str:
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    match = re.search(rf'<tr data-rep-id="{rep_id}".*?</tr>', body, re.S)
    assert match, f"rep {rep_id} not in {table}"
    return match.group(0)


def test_dashboard_shows_a_leaving_rep_as_leaving_with_no_percentage(client, leaving, manager_a):
    client.force_login(manager_a)
    html = client.get(reverse("retention:dashboard")).content.decode()
    row = _row(html, leaving.pk)
    assert LABEL in row
    assert "%" not in row and "High" not in row
    assert 'id="leaving-count">1<' in html


def test_dashboard_lists_leaving_reps_first_with_key_accounts_coverage_and_handover(
    client, leaving, manager_a, rep_a
):
    client.force_login(manager_a)
    html = client.get(reverse("retention:dashboard")).content.decode()
    # Leaving section above the table, with what they hold.
    assert html.index('id="leaving-table"') < html.index('id="dashboard-table"')
    row = _row(html, leaving.pk, table="leaving-table")
    assert LABEL in row and "in 14 days" in row
    assert re.search(r'class="num key-accounts">2<', row)
    assert "3,500,000" in row
    assert "1 of 2 with a backup" in row
    assert "3 customers still to hand over" in row and "of them owned" not in row
    assert reverse("handover:plan_create", args=[leaving.pk]) in row
    # And the first row of the table, ahead of the high-risk rep.
    table = html.split('id="dashboard-table"', 1)[1]
    assert table.index(f'data-rep-id="{leaving.pk}"') < table.index(f'data-rep-id="{rep_a.pk}"')


def test_leaving_section_is_scoped(client, leaving, manager_b):
    client.force_login(manager_b)
    html = client.get(reverse("retention:dashboard")).content.decode()
    assert 'id="leaving-table"' not in html and "Arne Berg" not in html


def test_dashboard_api_answers_leaving_with_last_day_and_no_probability(
    client, leaving, manager_a, rep_a
):
    client.force_login(manager_a)
    rows = client.get(reverse("api-dashboard-reps")).json()["results"]
    assert rows[0]["id"] == leaving.pk
    first = rows[0]
    assert first["risk_state"] == "leaving" and first["last_day"] == "2026-12-04"
    assert first["risk_label"] == LABEL
    assert first["probability"] is None and first["band"] is None and first["change"] is None
    other = next(row for row in rows if row["id"] == rep_a.pk)
    assert other["risk_state"] == "scored" and other["probability"] == pytest.approx(0.72)
    summary = client.get(reverse("api-dashboard-summary")).json()
    assert summary["leaving"] == 1 and summary["band_counts"]["high"] == 1
    assert summary["band_history"][-1]["high"] == 1  # leaving is not counted as high risk


def test_risk_api_answers_leaving_with_last_day_and_no_probability(client, leaving, manager_a):
    client.force_login(manager_a)
    data = client.get(reverse("api-risk-rep-detail", args=[leaving.pk])).json()
    current = data["current"]
    assert current["status"] == "leaving" and current["last_day"] == "2026-12-04"
    assert current["state"] == LABEL
    assert current["probability"] is None and current["band"] is None
    assert data["history"][0]["probability"] is None


def test_rep_page_of_a_leaving_rep_shows_the_last_day_not_a_probability(client, leaving, manager_a):
    client.force_login(manager_a)
    html = client.get(reverse("retention:rep_detail", args=[leaving.pk])).content.decode()
    head = html.split("</h1>", 1)[0]
    card = html.split('id="risk-card"', 1)[1].split("</section>", 1)[0]
    assert LABEL in head and LABEL in card
    assert "%" not in head and "%" not in card
    assert "14 days from today" in card
    assert 'id="horizons"' not in html


def test_rep_page_shows_three_horizons_with_the_90_day_one_setting_the_band(
    client, scored, manager_a, rep_a
):
    RiskScore.objects.filter(run=scored["latest"], rep=rep_a).update(
        probability_30=0.31, probability_180=0.88
    )
    client.force_login(manager_a)
    html = client.get(reverse("retention:rep_detail", args=[rep_a.pk])).content.decode()
    table = html.split('id="horizons"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr data-horizon="(\d+)"(.*?)</tr>', table, re.S)
    assert [days for days, _ in rows] == ["30", "90", "180"]
    cells = dict(rows)
    assert "31%" in cells["30"] and "30 days" in cells["30"]
    assert "72%" in cells["90"] and "sets the band" in cells["90"]
    assert "88%" in cells["180"] and "180 days" in cells["180"]
    assert "sets the band" not in cells["30"] + cells["180"]
    assert "about 72 in 100 reps" in cells["90"]


def test_the_rep_page_reads_a_near_certain_chance_as_a_bound_not_as_certainty(
    client, scored, rep_a, manager_a
):
    RiskScore.objects.filter(run=scored["latest"], rep=rep_a).update(
        probability_30=0.001, probability=0.996, probability_180=0.999
    )
    client.force_login(manager_a)
    html = client.get(reverse("retention:rep_detail", args=[rep_a.pk])).content.decode()
    table = html.split('id="horizons"', 1)[1].split("</table>", 1)[0]
    cells = dict(re.findall(r'<tr data-horizon="(\d+)"(.*?)</tr>', table, re.S))
    assert "&lt;1%" in cells["30"] and "fewer than 1 in 100 reps" in cells["30"]
    assert "&gt;99%" in cells["90"] and "about 99 in 100 reps" in cells["90"]
    assert "100%" not in table and " 0%" not in table
    assert "&gt;99%</span>" in html.split('id="horizons"', 1)[0]  # the band badge


def test_routing_shows_a_leaving_owner_as_leaving(client, leaving, manager_a):
    client.force_login(manager_a)
    rows = client.get(reverse("api-routing")).json()["results"]
    mine = [row for row in rows if row["owner_id"] == leaving.pk]
    assert mine and all(row["owner_probability"] is None for row in mine)
    assert all(row["owner_last_day"] == "2026-12-04" for row in mine)
    html = client.get(reverse("retention:routing")).content.decode()
    assert LABEL in html


def test_customers_still_to_hand_over_count_what_the_handover_plan_moves(
    client, leaving, manager_a, rep_b
):
    """The leaving rep is also the backup of another rep's customer: the handover plan moves
    that relationship too (one item per current assignment), so the dashboard counts it among
    the customers still to hand over; the key-account figures stay those the rep owns."""
    other = make_customer("Other Key", owner=rep_b, annual_revenue=9_000_000, is_key_account=True)
    Assignment.objects.create(
        customer=other, rep=leaving, role=Assignment.Role.BACKUP, valid_from=dt.date(2024, 1, 1)
    )
    client.force_login(manager_a)
    html = client.get(reverse("retention:dashboard")).content.decode()
    row = _row(html, leaving.pk, table="leaving-table")
    # The vacancy lists the 3 the rep owns: the dashboard says so beside the 4.
    assert "4 customers still to hand over (3 of them owned)" in row
    assert re.search(r'class="num key-accounts">2<', row)
    assert "3,500,000" in row
    plan = client.post(reverse("handover:plan_create", args=[leaving.pk]))
    assert plan.status_code == 302
    assert HandoverPlan.objects.get(rep=leaving).items.count() == 4


def test_the_leaving_panel_rows_sort_and_card_read_one_owned_key_revenue(
    client, leaving, manager_a, rep_a
):
    """rep_a backs up the leaving rep's largest key account: it is the leaving rep's owned key
    revenue everywhere (``retention.ownership``'s one rule), never rep_a's."""
    client.force_login(manager_a)
    rows = client.get(reverse("api-dashboard-reps"), {"sort": "-revenue"}).json()["results"]
    revenue = {row["id"]: row["key_account_revenue"] for row in rows}
    assert rows[0]["id"] == leaving.pk
    assert revenue[leaving.pk] == "3500000.00" and revenue[rep_a.pk] == "0.00"
    [panel] = leaving_reps(user=manager_a, run=scoring_run_latest_complete(), today=NOW.date())
    assert panel.key_revenue == Decimal(revenue[leaving.pk])
    # The card: rep_a (high risk) owns none, the leaving rep 3,500,000.
    summary = client.get(reverse("api-dashboard-summary")).json()
    assert summary["high_risk_key_revenue"] == "3500000.00"


def test_high_band_filter_lists_the_reps_the_high_risk_card_counts(
    client, leaving, manager_a, rep_a
):
    """rep_a is high risk, the leaving rep_a2 is stored in the high band: ?band=high lists only
    rep_a, as the card counts one, and ?band=leaving lists the rep serving notice."""
    client.force_login(manager_a)
    html = client.get(reverse("retention:dashboard"), {"band": "high"}).content.decode()
    table = html.split('id="dashboard-table"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r'<tr data-rep-id="(\d+)"', table) == [str(rep_a.pk)]
    html = client.get(reverse("retention:dashboard"), {"band": "leaving"}).content.decode()
    table = html.split('id="dashboard-table"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r'<tr data-rep-id="(\d+)"', table) == [str(leaving.pk)]
    summary = client.get(reverse("api-dashboard-summary")).json()
    assert summary["band_counts"]["high"] == 1 and summary["leaving"] == 1


def test_dashboard_and_risk_apis_filter_bands_as_the_page(client, leaving, manager_a, rep_a):
    client.force_login(manager_a)
    for name, key in (("api-dashboard-reps", "id"), ("api-risk-score-list", "rep_id")):
        high = client.get(reverse(name), {"band": "high"}).json()["results"]
        assert [row[key] for row in high] == [rep_a.pk], name
        gone = client.get(reverse(name), {"band": "leaving"}).json()["results"]
        assert [row[key] for row in gone] == [leaving.pk], name

"""In Chromium: act from a list's row without leaving the page — assign a cover from the coverage
page, and acknowledge an alert while the navigation's badge counts down."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from retention.models import Assignment, RiskAlert
from tests.conftest import browser_login, make_customer, make_rep
from tests.handover.plans.conftest import give_scores

pytestmark = pytest.mark.browser


def _stays_on_the_page(page) -> None:
    """Mark the page's window: a full navigation would lose the mark."""
    page.evaluate("window.relayNoReload = true")


def _did_not_reload(page) -> bool:
    return page.evaluate("window.relayNoReload === true")


def test_manager_assigns_a_cover_from_the_coverage_row(
    page, transactional_db, manager_a, rep_a, team_north_a
):
    carla = make_rep(team_north_a, "Carla", "Costa")
    dan = make_rep(team_north_a, "Dan", "Dahl")
    gone = make_rep(team_north_a, "Gus", "Gone", status="left", departure_date=dt.date(2026, 6, 1))
    orphan = make_customer("Orphan Oil", annual_revenue=3_000_000, is_key_account=True)
    Assignment.objects.create(
        customer=orphan,
        rep=gone,
        role=Assignment.Role.OWNER,
        valid_from=dt.date(2023, 1, 1),
        valid_to=dt.date(2026, 6, 1),
    )
    # Carla already carries two accounts, Dan none: the policy offers Dan first.
    make_customer("Carla One", owner=carla, annual_revenue=10_000)
    make_customer("Carla Two", owner=carla, annual_revenue=10_000)
    # Alice is medium risk: not offered.
    give_scores({rep_a: "medium", carla: "low", dan: "low"}, as_of=timezone.localdate())
    browser_login(page, "manager.a", "pw-manager-a")

    page.goto("/coverage/")
    expect(page.locator('#coverage-counts [data-kind="uncovered"] .big')).to_have_text("1")
    row = page.locator('#coverage-gaps tr[data-kind="uncovered"]')
    expect(row).to_contain_text("Orphan Oil")
    options = row.locator("select[name=recipient] option")
    expect(options).to_have_count(3)  # Dan, Carla, then the team's manager; never Gus
    expect(options.nth(0)).to_contain_text("Dan Dahl")
    expect(options.nth(2)).to_contain_text("Mona North")
    expect(row.locator("select[name=recipient]")).not_to_contain_text("Gus Gone")
    row.locator("select[name=recipient]").select_option(f"rep:{carla.pk}")

    _stays_on_the_page(page)
    row.get_by_role("button", name="Assign cover").click()
    result = page.locator("#coverage-gaps tr.row-result")
    expect(result).to_contain_text("Carla Costa now covers Orphan Oil.")
    expect(result.get_by_role("link", name="Open customer")).to_be_visible()
    expect(page.locator('#coverage-gaps tr[data-kind="uncovered"]')).to_have_count(0)
    assert _did_not_reload(page)

    cover = Assignment.objects.get(customer=orphan, valid_to__isnull=True)
    assert (cover.rep, cover.role, cover.created_by) == (
        carla,
        Assignment.Role.TEMPORARY_COVER,
        manager_a,
    )

    page.reload()
    expect(page.locator('#coverage-counts [data-kind="uncovered"] .big')).to_have_text("0")
    page.goto(f"/customers/{orphan.pk}/")
    expect(page.locator("#customer-holders tr.current")).to_contain_text("Carla Costa")


def test_acknowledging_an_alert_counts_the_badge_down(page, transactional_db, manager_a, rep_a):
    other = make_rep(rep_a.team, "Olga", "Other")
    run = give_scores({rep_a: "high", other: "high"}, as_of=timezone.localdate())
    alerts = [
        RiskAlert.objects.create(
            rep=rep, score=run.scores.get(rep=rep), kind=RiskAlert.Kind.BECAME_HIGH, message=msg
        )
        for rep, msg in ((rep_a, "Alice became high risk"), (other, "Olga became high risk"))
    ]
    browser_login(page, "manager.a", "pw-manager-a")
    page.goto("/alerts/")
    badge = page.locator("#nav-alerts .badge")
    expect(badge).to_have_text("2")

    _stays_on_the_page(page)
    page.locator(f"#alert-{alerts[0].pk}").get_by_role("button", name="Acknowledge").click()
    expect(page.locator(f"#alert-{alerts[0].pk}")).to_contain_text("Mona North")
    expect(badge).to_have_text("1")
    page.locator(f"#alert-{alerts[1].pk}").get_by_role("button", name="Acknowledge").click()
    expect(page.locator(f"#alert-{alerts[1].pk}")).to_contain_text("Mona North")
    expect(page.locator("#nav-alerts .badge")).to_have_count(0)
    assert _did_not_reload(page)
    assert RiskAlert.objects.open().count() == 0

    # The row also logs an intervention in place, under the alert.
    row = page.locator(f"#alert-{alerts[0].pk}")
    row.locator("select[name=kind]").select_option("stay_conversation")
    row.locator("input[name=note]").fill("Talked about the territory")
    row.get_by_role("button", name="Log").click()
    logged = page.locator("#alert-table tr.row-result")
    expect(logged).to_contain_text("Intervention logged")
    assert rep_a.interventions.get().note == "Talked about the territory"

"""In Chromium: hand over a high-risk rep's customers and watch the coverage gap close."""

import re

import pytest
from playwright.sync_api import expect

from retention.models import Assignment
from tests.conftest import browser_login, make_customer, make_rep
from tests.handover.plans.conftest import give_scores

pytestmark = pytest.mark.browser


def test_manager_hands_over_a_high_risk_reps_customers(
    page, transactional_db, manager_a, rep_a, team_north_a
):
    carla = make_rep(team_north_a, "Carla", "Costa")
    dan = make_rep(team_north_a, "Dan", "Dahl")
    acme = make_customer(
        "Acme Shipping", owner=rep_a, annual_revenue=1_200_000, is_key_account=True
    )
    make_customer("Small Co", owner=rep_a, annual_revenue=50_000)
    give_scores({rep_a: "high", carla: "low", dan: "low"})
    browser_login(page, "manager.a", "pw-manager-a")

    page.goto("/coverage/")
    gaps = page.locator('#coverage-gaps tr[data-kind="high_risk_only"]')
    expect(gaps).to_have_count(2)
    expect(gaps.first).to_contain_text("Acme Shipping")

    page.goto(f"/reps/{rep_a.pk}/")  # the rep page shows the high band and the button
    page.click("#start-handover")
    expect(page.locator("#plan-status")).to_have_text("Draft")
    acme_row = page.locator('#plan-items tr[data-customer="Acme Shipping"]')
    expect(acme_row.locator(".recipient")).to_have_text("Carla Costa")
    expect(page.locator("#missing-notes")).to_contain_text("Acme Shipping")

    acme_row.get_by_role("link", name="Change").click()
    page.select_option("select[name=recipient]", f"rep:{dan.pk}")
    page.fill("textarea[name=note_needs]", "Weekly stock reports")
    page.fill("textarea[name=note_deals]", "Renewal due in May")
    page.fill("textarea[name=note_contacts]", "Eva Lind, head of purchasing")
    page.fill("textarea[name=note_risks]", "Competitor pitching on price")
    page.click("#item-form button[type=submit]")
    expect(acme_row.locator(".recipient")).to_have_text("Dan Dahl")
    expect(page.locator("#missing-notes")).to_contain_text("Every key account has its note.")

    page.click("#apply-plan")
    expect(page.locator("#plan-status")).to_have_text("Applied")

    page.goto(f"/customers/{acme.pk}/")
    current = page.locator("#customer-holders tr.current")
    expect(current).to_have_count(1)
    expect(current).to_contain_text("Dan Dahl")
    expect(current).to_contain_text(re.compile("Owner"))
    expect(page.locator("#customer-holders")).to_contain_text("Alice Anders")

    page.goto("/coverage/")
    expect(page.locator("#no-gaps")).to_be_visible()
    assert Assignment.objects.get(customer=acme, valid_to__isnull=True).rep == dan

"""In Chromium: hand over a high-risk rep's customers and watch the coverage gap close."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from handover.models import HandoverPlan
from retention.models import Assignment, CustomerKnowledge, Deal
from tests.conftest import browser_login, make_customer, make_rep
from tests.handover.plans.conftest import give_scores

pytestmark = pytest.mark.browser

NOTE = {
    "needs": "Weekly stock reports",
    "contacts": "Eva Lind, head of purchasing",
    "next_steps": "Renewal due in May",
    "open_issues": "Competitor pitching on price",
}


def write_note(page) -> None:
    for part, text in NOTE.items():
        page.fill(f"textarea[name=note-{part}]", text)


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
    write_note(page)
    page.click("#item-form button[type=submit]")
    expect(acme_row.locator(".recipient")).to_have_text("Dan Dahl")
    expect(page.locator("#missing-notes")).to_contain_text("Every key account has its note.")

    page.click("#apply-plan")
    expect(page.locator('#apply-impact dd[data-n="customers"]')).to_have_text("2")
    expect(page.locator("#apply-missing-notes")).to_have_count(0)
    page.click("#confirm-apply")
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


def test_apply_asks_to_confirm_a_missing_key_account_note_and_the_note_is_written_after(
    page, transactional_db, manager_a, rep_a, team_north_a
):
    carla = make_rep(team_north_a, "Carla", "Costa")
    acme = make_customer(
        "Acme Shipping", owner=rep_a, annual_revenue=1_200_000, is_key_account=True
    )
    make_customer("Nordic Foods", owner=rep_a, annual_revenue=800_000, is_key_account=True)
    Deal.objects.create(
        customer=acme,
        owner=rep_a,
        name="Renewal",
        stage="Proposal",
        amount=90_000,
        created_on=dt.date(2026, 9, 1),
        close_date=dt.date(2027, 3, 1),
    )
    give_scores({rep_a: "high", carla: "low"})
    browser_login(page, "manager.a", "pw-manager-a")
    page.goto(f"/reps/{rep_a.pk}/")
    page.click("#start-handover")
    nordic = page.locator('#plan-items tr[data-customer="Nordic Foods"]')
    nordic.get_by_role("link", name="Change").click()
    write_note(page)
    page.click("#item-form button[type=submit]")
    expect(nordic.locator(".note")).to_contain_text("written")

    # Approve and apply: the confirmation names what moves and the note still missing.
    page.click("#apply-plan")
    expect(page.locator('#apply-impact dd[data-n="customers"]')).to_have_text("2")
    expect(page.locator('#apply-impact dd[data-n="open_deals"]')).to_contain_text("1")
    missing = page.locator("#apply-missing-notes")
    expect(missing).to_contain_text("1 key account has no complete handover note")
    expect(missing.locator("li")).to_have_count(1)
    expect(missing.locator("li")).to_contain_text("Acme Shipping")
    page.click("#confirm-apply")  # without saying the note is not needed: refused
    expect(page.locator("#apply-form")).to_contain_text("Write the missing notes first")
    plan = HandoverPlan.objects.get(rep=rep_a)
    assert plan.status == "draft"
    page.check("input[name=confirm_missing_notes]")
    page.click("#confirm-apply")
    expect(page.locator("#plan-status")).to_have_text("Applied")
    expect(page.locator("#notes-waived")).to_contain_text("Applied without notes for Acme Shipping")

    # After apply the plan page still leads to the note, and the save keeps it.
    page.locator("#missing-notes").get_by_role("link", name="Acme Shipping").click()
    expect(page.locator("#plan-settled")).to_be_visible()
    expect(page.locator("select[name=recipient]")).to_have_count(0)
    expect(page.locator("textarea[name=note-next_steps]")).to_have_value(
        re.compile("Renewal: Proposal, 90,000, 2027-03-01")
    )
    write_note(page)
    page.click("#item-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text(
        "Saved Acme Shipping's note as version 1 of what is known about the customer"
    )
    expect(page.locator("#missing-notes")).to_contain_text("Every key account has its note.")

    page.goto(f"/customers/{acme.pk}/")
    knowledge = page.locator("#customer-knowledge")
    expect(knowledge).to_contain_text("Eva Lind, head of purchasing")
    expect(knowledge.locator("#knowledge-current")).to_contain_text(
        "Handover of Alice Anders's customers"
    )
    expect(knowledge.locator("#knowledge-history li")).to_have_count(1)

    # Edited again on the customer page: a second version, the first kept.
    page.click("#edit-knowledge")
    page.fill("textarea[name=contacts]", "Eva Lind; Oskar Berg, CFO")
    page.click("#knowledge-form button[type=submit]")
    expect(knowledge.locator("#knowledge-history li")).to_have_count(2)
    expect(knowledge).to_contain_text("Oskar Berg, CFO")
    versions = CustomerKnowledge.objects.filter(customer=acme).order_by("version")
    assert [v.contacts for v in versions] == [
        "Eva Lind, head of purchasing",
        "Eva Lind; Oskar Berg, CFO",
    ]

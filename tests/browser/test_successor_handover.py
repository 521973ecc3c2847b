"""In Chromium: HR hires a successor for a vacancy whose customers have a temporary cover; the
manager opens the drafted hand-over, applies it, and the customer page shows the successor."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from handover.hiring import services
from handover.models import Candidate, HandoverPlan
from retention.models import Assignment, SalesRep
from tests.conftest import browser_login, make_customer

pytestmark = pytest.mark.browser


def test_hr_hires_a_successor_and_the_manager_applies_the_drafted_handover(
    page, chromium_browser, live_server, transactional_db, hr_user, manager_a, rep_a, rep_a2
):
    today = timezone.localdate()
    rep_a.departure_date, rep_a.status = today - dt.timedelta(days=20), SalesRep.Status.LEFT
    rep_a.save()
    acme = make_customer("Acme Shipping", owner=rep_a, annual_revenue=1_200_000)
    Assignment.objects.filter(customer=acme).update(valid_to=rep_a.departure_date)
    Assignment.objects.create(
        customer=acme,
        rep=rep_a2,
        role=Assignment.Role.TEMPORARY_COVER,
        valid_from=rep_a.departure_date + dt.timedelta(days=1),
    )
    vacancy = services.vacancy_open_for_departure(
        rep_id=rep_a.pk, departure_date=rep_a.departure_date, today=rep_a.departure_date
    )
    bea = services.candidate_create(
        first_name="Bea", last_name="Bench", source=Candidate.Source.BENCH, region="North"
    )
    jo = services.candidate_create(
        first_name="Jo", last_name="Board", source=Candidate.Source.JOB_BOARD, region="North"
    )
    application = services.application_create(vacancy=vacancy, candidate=bea)
    other = services.application_create(vacancy=vacancy, candidate=jo)

    # HR: the vacancy shows the real cover, then the hire from the application page.
    browser_login(page, "harriet.hr", "pw-hr-1")
    page.goto(f"/vacancies/{vacancy.pk}/")
    acme_row = page.locator("#covers tr", has_text="Acme Shipping")
    expect(acme_row).to_contain_text(f"{rep_a2.full_name} (Temporary cover)")
    expect(acme_row).not_to_contain_text("nobody covers it")
    page.goto(f"/applications/{application.pk}/")
    stage = page.locator("select[name=stage]")
    expect(stage).to_have_value("screening")  # the next stage, not a backward one
    stage.select_option("hired")
    page.get_by_role("button", name="Move").click()
    expect(page.locator("#onboarding-tasks")).to_be_visible()
    page.goto(f"/vacancies/{vacancy.pk}/")
    expect(page.locator("#successor-plan")).to_contain_text("drafted")
    other.refresh_from_db()
    assert other.stage == "rejected"

    # The manager: open the drafted plan from the vacancy, apply it.
    context = chromium_browser.new_context(base_url=live_server.url)
    manager_page = context.new_page()
    errors: list[str] = []
    manager_page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        browser_login(manager_page, "manager.a", "pw-manager-a")
        manager_page.goto(f"/vacancies/{vacancy.pk}/")
        manager_page.locator("#successor-plan a").click()
        expect(manager_page.locator("#plan-status")).to_have_text("Draft")
        item = manager_page.locator('#plan-items tr[data-customer="Acme Shipping"]')
        expect(item.locator(".recipient")).to_have_text("Bea Bench")
        manager_page.click("#apply-plan")  # the confirmation: what moves, no note missing
        expect(manager_page.locator("#apply-missing-notes")).to_have_count(0)
        manager_page.click("#confirm-apply")
        expect(manager_page.locator("#plan-status")).to_have_text("Applied")

        manager_page.goto(f"/customers/{acme.pk}/")
        current = manager_page.locator("#customer-holders tr.current")
        expect(current).to_have_count(1)
        expect(current).to_contain_text("Bea Bench")
        expect(current).to_contain_text("Owner")
    finally:
        context.close()
    assert not errors, errors
    plan = HandoverPlan.objects.get(origin=HandoverPlan.Origin.SUCCESSOR)
    assert plan.status == HandoverPlan.Status.APPLIED
    assert Assignment.objects.get(customer=acme, rep=rep_a2).valid_to == today

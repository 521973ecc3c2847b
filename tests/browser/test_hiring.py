"""HR in Chromium: open a vacancy, pick a bench candidate from the ranked pool, hire them, and
find their onboarding plan and their new rep record."""

import datetime as dt

import pytest

from handover.hiring import services
from handover.models import Candidate, OnboardingPlan
from retention.models import SalesRep
from tests.conftest import browser_login, make_customer

pytestmark = pytest.mark.browser


def test_hr_hires_a_bench_candidate_from_the_ranked_pool(
    page, transactional_db, hr_user, rep_a, rep_a2, team_north_a
):
    rep_a.departure_date, rep_a.status = dt.date(2026, 3, 31), SalesRep.Status.LEFT
    rep_a.save()
    make_customer("Acme Shipping", owner=rep_a, annual_revenue=1_200_000)
    vacancy = services.vacancy_open_for_departure(
        rep_id=rep_a.pk, departure_date=rep_a.departure_date, today=dt.date(2026, 3, 1)
    )
    bench = services.candidate_create(
        first_name="Bea",
        last_name="Bench",
        source=Candidate.Source.BENCH,
        region="North",
        sales_experience_years=3,
        bench_ready=True,
    )
    board = services.candidate_create(
        first_name="Jo",
        last_name="Board",
        source=Candidate.Source.JOB_BOARD,
        region="South",
    )

    browser_login(page, "harriet.hr", "pw-hr-1")
    assert page.url.endswith("/vacancies/")  # HR lands on the vacancies
    page.click("nav.mainnav >> summary:has-text('Hiring')")
    page.click("nav.mainnav >> text=Vacancies")
    page.click(f"#vacancy-table tr[data-vacancy-id='{vacancy.pk}'] a")
    page.wait_for_selector("#ranked-pool")
    first_row = page.locator("#ranked-pool tbody tr").first
    assert first_row.get_attribute("data-candidate-id") == str(bench.pk)
    assert "Bench ready" in first_row.inner_text()
    first_row.locator("button", has_text="Add to pipeline").click()
    page.wait_for_load_state("networkidle")

    # A second candidate, dragged from Sourced to Screening on the board.
    page.locator(f"#ranked-pool tr[data-candidate-id='{board.pk}'] button").click()
    page.wait_for_load_state("networkidle")
    jo_card = page.locator(".board-card[data-candidate='Jo Board']")
    jo_card.scroll_into_view_if_needed()
    source = jo_card.bounding_box()
    target = page.locator(".board-col[data-stage='screening']").bounding_box()
    page.mouse.move(source["x"] + 4, source["y"] + 4)
    page.mouse.down()
    page.mouse.move(source["x"] + 14, source["y"] + 14)
    page.mouse.move(target["x"] + 30, target["y"] + 30, steps=5)
    page.mouse.up()
    page.wait_for_selector(
        ".board-col[data-stage='screening'] .board-card[data-candidate='Jo Board']"
    )
    assert board.applications.get().stage_changes.count() == 2

    card = page.locator(".board-col[data-stage='sourced'] .board-card[data-candidate='Bea Bench']")
    assert "Bea Bench" in card.inner_text()
    card.locator("select[name=stage]").select_option("hired")
    card.locator("button", has_text="Move").click()
    page.wait_for_selector("#onboarding-tasks")

    assert "Bea Bench" in page.locator("h1").inner_text()
    tasks = page.locator("#onboarding-tasks").inner_text()
    assert "Product training" in tasks
    assert "Introduction to Acme Shipping" in tasks
    assert "First solo visits" in tasks
    plan = OnboardingPlan.objects.get(rep__last_name="Bench")
    assert plan.vacancy_id == vacancy.pk

    page.click("#new-rep")
    page.wait_for_load_state("networkidle")
    assert "Bea Bench" in page.locator("h1").inner_text()
    assert SalesRep.objects.get(last_name="Bench").team == team_north_a

    # The HR views with charts draw them from the vendored plotly.js without console errors.
    page.goto("/onboarding/ramp-up/")
    page.wait_for_selector("#cohort-chart .main-svg")
    page.goto("/departure-costs/")
    page.wait_for_selector("#cost-chart .main-svg")
    assert "Method" in page.content()

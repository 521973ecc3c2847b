"""Every hiring page renders what it promises, and the API covers the same ground."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from handover.hiring import services
from handover.models import Application, Candidate, OnboardingPlan
from retention.models import Deal
from tests.conftest import make_customer, make_rep

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def test_vacancy_page_ranks_the_pool_with_reasons_and_shows_the_board(
    hr_client, vacancy_north, bench_candidate, board_candidate
):
    response = hr_client.get(reverse("handover:vacancy_detail", args=[vacancy_north.pk]))
    assert response.status_code == 200
    pool = response.context["pool"]
    assert [r.candidate for r in pool] == [bench_candidate, board_candidate]
    assert "Same region (North)" in pool[0].reasons
    assert b"ranked-pool" in response.content
    hr_client.post(
        reverse("handover:application_add", args=[vacancy_north.pk]),
        {"candidate": bench_candidate.pk},
    )
    response = hr_client.get(reverse("handover:vacancy_detail", args=[vacancy_north.pk]))
    columns = {stage: cards for stage, _label, cards in response.context["board"]}
    assert [a.candidate for a in columns["sourced"]] == [bench_candidate]
    assert [r.candidate for r in response.context["pool"]] == [board_candidate]


def test_moving_a_card_on_the_board_changes_its_stage_with_history(
    hr_client, vacancy_north, board_candidate
):
    application = services.application_create(vacancy=vacancy_north, candidate=board_candidate)
    url = reverse("handover:application_move", args=[application.pk])
    hr_client.post(url, {"stage": "offer"})
    response = hr_client.post(url, {"stage": "withdrew", "reason": ""}, follow=True)
    assert b"Say why the candidate declined the offer." in response.content
    hr_client.post(url, {"stage": "withdrew", "reason": "Salary too low"})
    application.refresh_from_db()
    assert application.stage == "withdrew"
    assert application.stage_changes.count() == 3
    page = hr_client.get(reverse("handover:application_detail", args=[application.pk]))
    assert b"Salary too low" in page.content
    candidate_page = hr_client.get(reverse("handover:candidate_detail", args=[board_candidate.pk]))
    assert b"Declined an earlier offer" in candidate_page.content


@pytest.mark.parametrize(
    ("next_url", "back"),
    [("abc", "vacancy"), ("//evil.example/", "vacancy"), ("/vacancies/", "/vacancies/")],
)
def test_a_move_goes_back_to_next_only_when_it_is_a_path_of_this_site(
    hr_client, vacancy_north, board_candidate, next_url, back
):
    """``next=abc`` was read by ``redirect()`` as a view name to reverse: a 500."""
    application = services.application_create(vacancy=vacancy_north, candidate=board_candidate)
    url = reverse("handover:application_move", args=[application.pk])
    response = hr_client.post(url, {"stage": "screening", "next": next_url})
    assert response.status_code == 302
    fallback = reverse("handover:vacancy_detail", args=[vacancy_north.pk])
    assert response.url == (fallback if back == "vacancy" else back)


def test_hired_on_the_page_leads_to_the_onboarding_plan_and_the_new_rep(
    hr_client, vacancy_north, bench_candidate
):
    application = services.application_create(vacancy=vacancy_north, candidate=bench_candidate)
    response = hr_client.post(
        reverse("handover:application_move", args=[application.pk]),
        {"stage": "hired"},
        follow=True,
    )
    plan = OnboardingPlan.objects.get(application=application)
    assert response.redirect_chain[-1][0] == reverse("handover:onboarding_detail", args=[plan.pk])
    assert b"Bea Bench" in response.content and b"Product training" in response.content


def test_pipeline_list_filters_by_stage_and_source(
    hr_client, vacancy_north, bench_candidate, board_candidate
):
    services.application_create(vacancy=vacancy_north, candidate=bench_candidate)
    moved = services.application_create(vacancy=vacancy_north, candidate=board_candidate)
    services.application_move(application=moved, to_stage="screening")
    response = hr_client.get(reverse("handover:application_list"), {"stage": "screening"})
    assert [a.pk for a in response.context["page"].object_list] == [moved.pk]
    response = hr_client.get(reverse("handover:application_list"), {"source": "bench"})
    assert [a.candidate for a in response.context["page"].object_list] == [bench_candidate]


def test_candidate_list_filters_and_bench_page(hr_client, bench_candidate, board_candidate):
    response = hr_client.get(reverse("handover:candidate_list"), {"bench_ready": "true"})
    assert list(response.context["page"].object_list) == [bench_candidate]
    response = hr_client.get(reverse("handover:candidate_list"), {"source": "job_board"})
    assert list(response.context["page"].object_list) == [board_candidate]
    bench = hr_client.get(reverse("handover:bench"))
    assert [(r.region, r.count) for r in bench.context["regions"]] == [("North", 1)]


def test_candidate_form_adds_to_the_pool_and_names_the_missing_referrer(hr_client):
    data = {
        "first_name": "Rae",
        "last_name": "Ferral",
        "source": "referral",
        "sales_experience_years": "1",
    }
    response = hr_client.post(reverse("handover:candidate_create"), data)
    assert b"A referral needs the person who referred the candidate." in response.content
    assert not Candidate.objects.exists()


def test_the_candidate_form_preselects_no_source(hr_client):
    """A source is the person's to say: none is chosen on a new form, and a form sent without
    one names the field."""
    page = hr_client.get(reverse("handover:candidate_create"))
    assert page.context["form"]["source"].value() in (None, "")
    html = page.content.decode()
    assert '<option value="" selected>' in html
    data = {"first_name": "Ann", "last_name": "Source", "sales_experience_years": "1"}
    response = hr_client.post(reverse("handover:candidate_create"), data)
    assert response.context["form"].errors["source"]
    assert not Candidate.objects.exists()


def test_source_stats_ramp_cohorts_and_costs_pages_render(
    hr_client, vacancy_north, bench_candidate, team_north_a
):
    veteran = make_rep(team_north_a, "Vera", "Veteran", hire_date=dt.date(2020, 1, 6))
    customer = make_customer("Steady Co", owner=veteran)
    application = services.application_create(vacancy=vacancy_north, candidate=bench_candidate)
    services.application_move(
        application=application, to_stage="hired", start_date=dt.date(2026, 3, 16)
    )
    bench_candidate.refresh_from_db()
    new_rep = bench_candidate.existing_rep
    for day, owner, amount in [
        (dt.date(2026, 3, 20), veteran, 10_000),
        (dt.date(2026, 4, 20), veteran, 10_000),
        (dt.date(2026, 3, 25), new_rep, 4_000),
        (dt.date(2026, 4, 25), new_rep, 9_000),
    ]:
        Deal.objects.create(
            customer=customer,
            owner=owner,
            amount=amount,
            created_on=day,
            close_date=day,
            status="won",
        )
    assert hr_client.get(reverse("handover:source_stats")).status_code == 200
    plan_page = hr_client.get(
        reverse("handover:onboarding_detail", args=[new_rep.onboarding_plan.pk])
    )
    ramp = plan_page.context["ramp"]
    # Month 1 alone, then months 1–2 together (the trailing window): 4k/10k, 13k/20k.
    assert [round(m.share, 2) for m in ramp.months] == [0.4, 0.65]
    assert ramp.reached_month is None
    lenient = hr_client.get(
        reverse("handover:onboarding_detail", args=[new_rep.onboarding_plan.pk]), {"target": "60"}
    )
    assert lenient.context["ramp"].reached_month == 2
    assert b"ramp-chart" in plan_page.content
    assert b"vendor/plotly-cartesian.min.js" in plan_page.content
    cohorts = hr_client.get(reverse("handover:ramp_cohorts"), {"target": "60"}).context["cohorts"]
    bench_cohort = next(c for c in cohorts if c.key == "bench")
    assert (bench_cohort.size, bench_cohort.reached, bench_cohort.median_months_to_target) == (
        1,
        1,
        2,
    )
    assert next(c for c in cohorts if c.key == "not_bench").size == 0
    veteran.departure_date, veteran.status = dt.date(2026, 5, 1), "left"
    veteran.save()
    costs_page = hr_client.get(reverse("handover:departure_costs"))
    assert costs_page.status_code == 200
    assert b"cost-chart" in costs_page.content and b"Method" in costs_page.content
    assert [row.rep for row in costs_page.context["rows"]] == [veteran]


def test_openapi_schema_lists_hiring_endpoints(hr_client):
    schema = hr_client.get("/api/schema/", {"format": "json"}).json()
    for path in [
        "/api/vacancies/",
        "/api/vacancies/{vacancy_id}/",
        "/api/vacancies/create/",
        "/api/vacancies/{vacancy_id}/matches/",
        "/api/candidates/",
        "/api/candidates/create/",
        "/api/applications/",
        "/api/applications/{application_id}/stage/",
        "/api/applications/{application_id}/stages/",
        "/api/onboarding/plans/",
        "/api/onboarding/plans/{plan_id}/",
        "/api/onboarding/tasks/{task_id}/done/",
        "/api/departure-costs/",
    ]:
        assert path in schema["paths"], path


def test_api_walks_a_candidate_from_pool_to_hire(hr_client, vacancy_north, bench_candidate):
    matches = hr_client.get(f"/api/vacancies/{vacancy_north.pk}/matches/").json()["results"]
    assert matches[0]["candidate_id"] == bench_candidate.pk and matches[0]["reasons"]
    created = hr_client.post(
        "/api/applications/create/",
        {"vacancy": vacancy_north.pk, "candidate": bench_candidate.pk},
        content_type="application/json",
    )
    assert created.status_code == 201
    app_id = created.json()["id"]
    moved = hr_client.post(
        f"/api/applications/{app_id}/stage/",
        {"stage": "hired", "start_date": "2026-06-15"},
        content_type="application/json",
    )
    assert moved.status_code == 200
    plan_id = moved.json()["onboarding_plan"]
    stages = hr_client.get(f"/api/applications/{app_id}/stages/").json()["results"]
    assert [s["to_stage"] for s in stages] == ["sourced", "hired"]
    plan = hr_client.get(f"/api/onboarding/plans/{plan_id}/").json()
    assert plan["start_date"] == "2026-06-15" and plan["tasks"]
    task_id = plan["tasks"][0]["id"]
    done = hr_client.post(
        f"/api/onboarding/tasks/{task_id}/done/", {"done": True}, content_type="application/json"
    )
    assert done.json()["done"] is True
    again = hr_client.post(
        f"/api/applications/{app_id}/stage/", {"stage": "offer"}, content_type="application/json"
    )
    assert again.status_code == 400 and "cannot move" in again.json()["detail"]
    assert Application.objects.get(pk=app_id).stage == "hired"


def test_hr_edits_a_vacancys_requisition_and_a_candidates_bench_readiness(
    hr_client, vacancy_north, board_candidate
):
    url = reverse("handover:vacancy_edit", args=[vacancy_north.pk])
    form = hr_client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({"hiring_manager": data["hiring_manager"].pk, "salary_max": "40000"})
    response = hr_client.post(url, data)
    assert response.context["form"].errors["salary_max"] == [
        "The salary band's upper end must be at least its lower end."
    ]
    data["salary_max"] = "70000"
    assert hr_client.post(url, data).status_code == 302
    vacancy_north.refresh_from_db()
    assert vacancy_north.salary_max == 70_000 and vacancy_north.salary_min == 50_000

    response = hr_client.post(
        f"/api/candidates/{board_candidate.pk}/update/",
        {"bench_ready": True, "earliest_start": "2026-07-01"},
        content_type="application/json",
    )
    assert response.status_code == 200
    board_candidate.refresh_from_db()
    assert board_candidate.bench_ready and board_candidate.earliest_start == dt.date(2026, 7, 1)
    assert board_candidate.first_name == "Jo"


def test_managers_cannot_edit_vacancies_in_or_out_of_scope(
    client, manager_a, vacancy_north, vacancy_south
):
    client.force_login(manager_a)
    assert client.get(reverse("handover:vacancy_edit", args=[vacancy_north.pk])).status_code == 403
    # A role that may never edit a vacancy is refused before the vacancy is even looked up.
    assert client.get(reverse("handover:vacancy_edit", args=[vacancy_south.pk])).status_code == 403
    response = client.post(
        f"/api/vacancies/{vacancy_north.pk}/update/",
        {"salary_max": "1"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_a_refused_vacancy_or_candidate_shows_the_reason_under_the_field_it_names(
    hr_client, team_north_a
):
    vacancy = {
        "team": team_north_a.pk,
        "role": "Account executive",
        "reason": "growth",
        "approved_headcount": "1",
        "opened_on": "2026-06-01",
        "target_fill_date": "2026-05-01",
    }
    form = hr_client.post(reverse("handover:vacancy_create"), vacancy).context["form"]
    assert form.errors["target_fill_date"] == [
        "The target fill date must not be before the opening date."
    ]
    assert not form.non_field_errors()
    candidate = {"first_name": "Rae", "last_name": "Ferral", "source": "referral"}
    candidate["sales_experience_years"] = "1"
    form = hr_client.post(reverse("handover:candidate_create"), candidate).context["form"]
    assert form.errors["referrer"] == ["A referral needs the person who referred the candidate."]
    assert not form.non_field_errors()


def test_a_refused_move_or_feedback_says_which_field_is_wrong(
    hr_client, vacancy_north, board_candidate
):
    application = services.application_create(vacancy=vacancy_north, candidate=board_candidate)
    moved = hr_client.post(
        reverse("handover:application_move", args=[application.pk]),
        {"stage": "interview", "start_date": "next week"},
        follow=True,
    )
    assert "Start date: Enter a valid date." in moved.content.decode()
    application.refresh_from_db()
    assert application.stage == "sourced"
    rated = hr_client.post(
        reverse("handover:feedback_add", args=[application.pk]), {"rating": "9"}, follow=True
    )
    assert "Rating: Select a valid choice. 9 is not one of the available choices." in (
        rated.content.decode()
    )


def test_a_closed_application_that_cannot_move_is_named_by_its_candidate(
    hr_client, vacancy_north, board_candidate
):
    application = services.application_create(vacancy=vacancy_north, candidate=board_candidate)
    url = reverse("handover:application_move", args=[application.pk])
    hr_client.post(url, {"stage": "rejected"})
    again = hr_client.post(url, {"stage": "offer"}, follow=True).content.decode()
    assert "Jo Board&#x27;s application to Account executive, North A is Rejected" in again


def test_the_costs_page_offers_the_years_someone_in_scope_left_in(
    hr_client, manager_a, team_north_a, team_south_a
):
    """Every year offered has departures behind it, newest first; a manager is offered only
    the years of their own scope's departures."""
    for team, name, day in [
        (team_north_a, "Nora", dt.date(2026, 2, 1)),
        (team_north_a, "Otto", dt.date(2023, 7, 1)),
        (team_south_a, "Sid", dt.date(2024, 3, 1)),
    ]:
        rep = make_rep(team, name, "Left", hire_date=dt.date(2020, 1, 6))
        rep.departure_date, rep.status = day, "left"
        rep.save()
    assert hr_client.get(reverse("handover:departure_costs")).context["years"] == [2026, 2024, 2023]
    hr_client.force_login(manager_a)
    assert hr_client.get(reverse("handover:departure_costs")).context["years"] == [2026, 2023]

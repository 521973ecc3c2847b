"""Hiring on the one access layer: scope is a 404 and rights are the role groups' permissions
(403), the same on pages and in the API; lists refuse parameters they cannot read with a 400
naming them; people beside a candidate are named only within scope; the hiring manager is the
nearest active manager up the tree."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Team, User
from accounts.roles import ROLE_GROUP_NAMES
from accounts.services import user_create
from handover.hiring import services
from handover.models import Application, Candidate, InterviewFeedback, Vacancy
from retention.models import SalesRep
from tests.conftest import make_rep


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def pages(client, user):
    client.force_login(user)
    return client


def take_from_managers(codename: str) -> None:
    """The sales managers' group loses one permission: what a role may do is its group's."""
    group = Group.objects.get(name=ROLE_GROUP_NAMES[User.Role.SALES_MANAGER])
    group.permissions.remove(Permission.objects.get(codename=codename))


@pytest.fixture
def on_north(vacancy_north, bench_candidate) -> Application:
    return services.application_create(vacancy=vacancy_north, candidate=bench_candidate)


@pytest.fixture
def on_south(vacancy_south, board_candidate) -> Application:
    return services.application_create(vacancy=vacancy_south, candidate=board_candidate)


# --- scope: out of scope is a 404 on pages and API alike --------------------------------------


def test_manager_gets_404_for_another_teams_vacancy_application_and_candidate(
    client, manager_a, vacancy_south, on_south
):
    browser = pages(client, manager_a)
    for url in (
        reverse("handover:vacancy_detail", args=[vacancy_south.pk]),
        reverse("handover:application_detail", args=[on_south.pk]),
        reverse("handover:candidate_detail", args=[on_south.candidate_id]),
    ):
        assert browser.get(url).status_code == 404, url
    feedback = browser.post(reverse("handover:feedback_add", args=[on_south.pk]), {"rating": "5"})
    assert feedback.status_code == 404
    assert not InterviewFeedback.objects.exists()

    caller = api(manager_a)
    for url in (
        f"/api/vacancies/{vacancy_south.pk}/",
        f"/api/applications/{on_south.pk}/stages/",
        f"/api/candidates/{on_south.candidate_id}/",
    ):
        assert caller.get(url).status_code == 404, url
    response = caller.post(
        f"/api/applications/{on_south.pk}/feedback/", {"rating": 5}, format="json"
    )
    assert response.status_code == 404
    assert caller.get("/api/vacancies/").json()["results"] == []
    assert caller.get("/api/applications/").json()["results"] == []


def test_manager_lists_hold_only_their_teams_on_page_and_api(
    client, manager_a, vacancy_north, vacancy_south, on_north, on_south
):
    browser = pages(client, manager_a)
    listed = browser.get(reverse("handover:vacancy_list")).context["page"].object_list
    assert [v.pk for v in listed] == [vacancy_north.pk]
    listed = browser.get(reverse("handover:application_list")).context["page"].object_list
    assert [a.pk for a in listed] == [on_north.pk]
    body = api(manager_a).get("/api/applications/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert [a["id"] for a in body["results"]] == [on_north.pk]


# --- HR -----------------------------------------------------------------------------------------


def test_hr_sees_and_runs_hiring_everywhere_with_salary_bands(
    client, hr_user, vacancy_north, vacancy_south, on_south, team_south_a
):
    browser = pages(client, hr_user)
    listed = browser.get(reverse("handover:vacancy_list")).context["page"].object_list
    assert {v.pk for v in listed} == {vacancy_north.pk, vacancy_south.pk}
    detail = browser.get(reverse("handover:vacancy_detail", args=[vacancy_south.pk]))
    assert b'id="salary-band"' in detail.content and detail.context["can_manage"]
    assert browser.get(reverse("handover:bench")).status_code == 200
    assert browser.get(reverse("handover:vacancy_create")).status_code == 200

    caller = api(hr_user)
    assert caller.get(f"/api/vacancies/{vacancy_south.pk}/").json()["salary_max"] == "52000.00"
    moved = caller.post(
        f"/api/applications/{on_south.pk}/stage/", {"stage": "screening"}, format="json"
    )
    assert moved.status_code == 200 and moved.json()["stage"] == "screening"
    created = caller.post(
        "/api/vacancies/create/",
        {"team": team_south_a.pk, "opened_on": "2026-03-01"},
        format="json",
    )
    assert created.status_code == 201


# --- rights: a role lacking one gets 403, on pages and API alike --------------------------------


def test_managers_may_never_run_hiring_so_both_page_and_api_refuse(
    client, manager_a, vacancy_north, on_north, team_north_a
):
    browser = pages(client, manager_a)
    assert browser.get(reverse("handover:vacancy_create")).status_code == 403
    assert browser.get(reverse("handover:bench")).status_code == 403
    moved = browser.post(
        reverse("handover:application_move", args=[on_north.pk]), {"stage": "screening"}
    )
    assert moved.status_code == 403
    added = browser.post(
        reverse("handover:application_add", args=[vacancy_north.pk]), {"candidate": "1"}
    )
    assert added.status_code == 403

    caller = api(manager_a)
    assert caller.get(f"/api/vacancies/{vacancy_north.pk}/matches/").status_code == 403
    response = caller.post(
        f"/api/applications/{on_north.pk}/stage/", {"stage": "screening"}, format="json"
    )
    assert response.status_code == 403
    response = caller.post(
        "/api/vacancies/create/",
        {"team": team_north_a.pk, "opened_on": "2026-03-01"},
        format="json",
    )
    assert response.status_code == 403
    on_north.refresh_from_db()
    assert on_north.stage == Application.Stage.SOURCED
    assert Vacancy.objects.count() == 1


def test_a_manager_whose_group_lacks_the_feedback_right_is_refused_on_page_and_api(
    client, manager_a, on_north
):
    assert (
        api(manager_a)
        .post(f"/api/applications/{on_north.pk}/feedback/", {"rating": 4}, format="json")
        .status_code
        == 201
    )
    take_from_managers("add_interviewfeedback")
    manager = User.objects.get(pk=manager_a.pk)  # a fresh permission cache
    page = pages(client, manager).post(
        reverse("handover:feedback_add", args=[on_north.pk]), {"rating": "4"}
    )
    assert page.status_code == 403
    response = api(manager).post(
        f"/api/applications/{on_north.pk}/feedback/", {"rating": 4}, format="json"
    )
    assert response.status_code == 403
    assert InterviewFeedback.objects.count() == 1


def test_a_manager_whose_group_lacks_the_vacancy_view_right_sees_no_vacancy_anywhere(
    client, manager_a, vacancy_north
):
    take_from_managers("view_vacancy")
    manager = User.objects.get(pk=manager_a.pk)
    browser = pages(client, manager)
    assert browser.get(reverse("handover:vacancy_list")).status_code == 403
    assert (
        browser.get(reverse("handover:vacancy_detail", args=[vacancy_north.pk])).status_code == 403
    )
    assert api(manager).get("/api/vacancies/").status_code == 403
    assert api(manager).get(f"/api/vacancies/{vacancy_north.pk}/").status_code == 403


def test_a_user_without_a_role_is_refused_hiring_on_page_and_api(client, vacancy_north):
    nobody = User.objects.create_user(username="no.role", password="x")
    assert pages(client, nobody).get(reverse("handover:vacancy_list")).status_code == 403
    assert api(nobody).get("/api/vacancies/").status_code == 403


# --- people beside a candidate ------------------------------------------------------------------


@pytest.fixture
def referred_from_the_south(vacancy_north, rep_b) -> Candidate:
    """A candidate on a North vacancy, referred by Bruno of team South A."""
    candidate = services.candidate_create(
        first_name="Rhea",
        last_name="Ferral",
        source=Candidate.Source.REFERRAL,
        referrer=rep_b,
        region="North",
    )
    services.application_create(vacancy=vacancy_north, candidate=candidate)
    return candidate


def test_a_referrer_from_another_team_is_not_named_to_a_manager(
    client, manager_a, referred_from_the_south
):
    browser = pages(client, manager_a)
    detail = browser.get(
        reverse("handover:candidate_detail", args=[referred_from_the_south.pk])
    ).content.decode()
    listing = browser.get(reverse("handover:candidate_list")).content.decode()
    for html in (detail, listing):
        assert "Bruno" not in html and "Silva" not in html
        assert "a rep of another team" in html

    body = api(manager_a).get(f"/api/candidates/{referred_from_the_south.pk}/").json()
    assert body["referrer"] is None and body["referrer_name"] == "a rep of another team"
    listed = api(manager_a).get("/api/candidates/").json()["results"]
    assert [(c["referrer"], c["referrer_name"]) for c in listed] == [
        (None, "a rep of another team")
    ]


def test_hr_sees_the_referrer_named(client, hr_user, rep_b, referred_from_the_south):
    detail = pages(client, hr_user).get(
        reverse("handover:candidate_detail", args=[referred_from_the_south.pk])
    )
    assert "Bruno Silva" in detail.content.decode()
    body = api(hr_user).get(f"/api/candidates/{referred_from_the_south.pk}/").json()
    assert (body["referrer"], body["referrer_name"]) == (rep_b.pk, "Bruno Silva")


# --- the hiring manager: the nearest active manager up the tree ---------------------------------


def test_a_departures_vacancy_names_the_nearest_active_manager_up_the_tree(db):
    region = Team.objects.create(name="West", region="West")
    area = Team.objects.create(name="West Coast", parent=region, region="West")
    team = Team.objects.create(name="West Coast 1", parent=area, region="West")
    user_create(
        username="region.boss",
        password=None,
        role=User.Role.SALES_MANAGER,
        managed_teams=[region],
    )
    area_manager = user_create(
        username="area.manager",
        password=None,
        role=User.Role.SALES_MANAGER,
        managed_teams=[area],
    )
    gone = user_create(
        username="gone.manager",
        password=None,
        role=User.Role.SALES_MANAGER,
        managed_teams=[team],
    )
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    leaver = make_rep(team, "Lea", "Ving")
    leaver.departure_date, leaver.status = dt.date(2026, 5, 29), SalesRep.Status.ACTIVE
    leaver.save()

    vacancy = services.vacancy_open_for_departure(
        rep_id=leaver.pk, departure_date=leaver.departure_date, today=dt.date(2026, 5, 1)
    )
    # The team's own manager is inactive: skipped. Two levels up is the nearest active one.
    assert vacancy.hiring_manager == area_manager


# --- bad parameters: a 400 naming them, on page and API -----------------------------------------


@pytest.mark.parametrize(
    ("page_name", "api_path", "params", "named"),
    [
        ("handover:vacancy_list", "/api/vacancies/", {"q": "Acc\x00ount"}, "q"),
        ("handover:candidate_list", "/api/candidates/", {"q": "Bea\x00"}, "q"),
        ("handover:candidate_list", "/api/candidates/", {"region": "No\x00rth"}, "region"),
        ("handover:departure_costs", "/api/departure-costs/", {"year": "-5"}, "year"),
        ("handover:departure_costs", "/api/departure-costs/", {"year": "10000"}, "year"),
        ("handover:departure_costs", "/api/departure-costs/", {"window": "9999"}, "window"),
        ("handover:departure_costs", "/api/departure-costs/", {"target": "0"}, "target"),
        ("handover:vacancy_list", "/api/vacancies/", {"team": "99999999999999999999"}, "team"),
        ("handover:application_list", "/api/applications/", {"vacancy": "x\x00"}, "vacancy"),
        ("handover:application_list", "/api/applications/", {"stage": "nowhere"}, "stage"),
    ],
)
def test_unreadable_list_parameters_are_a_400_naming_them_on_page_and_api(
    client, hr_user, vacancy_north, bench_candidate, page_name, api_path, params, named
):
    page = pages(client, hr_user).get(reverse(page_name), params)
    assert page.status_code == 400
    assert f'data-parameter="{named}"' in page.content.decode()
    response = api(hr_user).get(api_path, params)
    assert response.status_code == 400
    assert named in response.json()


def test_readable_parameters_filter_page_and_api_alike(
    client, hr_user, vacancy_north, vacancy_south, team_south_a
):
    page = pages(client, hr_user).get(reverse("handover:vacancy_list"), {"team": team_south_a.pk})
    assert [v.pk for v in page.context["page"].object_list] == [vacancy_south.pk]
    listed = api(hr_user).get("/api/vacancies/", {"team": team_south_a.pk}).json()["results"]
    assert [v["id"] for v in listed] == [vacancy_south.pk]
    page = pages(client, hr_user).get(reverse("handover:vacancy_list"), {"q": "account exec"})
    assert [v.pk for v in page.context["page"].object_list] == [vacancy_north.pk]
    listed = api(hr_user).get("/api/vacancies/", {"q": "account exec"}).json()["results"]
    assert [v["id"] for v in listed] == [vacancy_north.pk]


def test_onboarding_target_out_of_range_is_a_400(client, hr_user):
    response = pages(client, hr_user).get(reverse("handover:ramp_cohorts"), {"target": "500"})
    assert response.status_code == 400
    assert 'data-parameter="target"' in response.content.decode()


def test_a_service_refusal_is_a_400_naming_the_field_through_the_one_handler(hr_user, team_north_a):
    response = api(hr_user).post(
        "/api/vacancies/create/",
        {"team": team_north_a.pk, "opened_on": "2026-03-01", "approved_headcount": 0},
        format="json",
    )
    assert response.status_code == 400
    response = api(hr_user).post(
        "/api/vacancies/create/",
        {
            "team": team_north_a.pk,
            "opened_on": "2026-03-01",
            "target_fill_date": "2026-02-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "target_fill_date"


def test_a_hiring_manager_above_the_viewers_scope_is_not_named(
    client, manager_b, hr_user, team_south_a, region_south
):
    head_of_south = user_create(
        username="head.south",
        password=None,
        role=User.Role.SALES_MANAGER,
        first_name="Hedda",
        last_name="Hoyle",
        managed_teams=[region_south],
    )
    vacancy = services.vacancy_create(
        team=team_south_a, opened_on=dt.date(2026, 3, 2), hiring_manager=head_of_south
    )
    page = pages(client, manager_b).get(reverse("handover:vacancy_detail", args=[vacancy.pk]))
    assert "Hoyle" not in page.content.decode()
    body = api(manager_b).get(f"/api/vacancies/{vacancy.pk}/").json()
    assert body["hiring_manager"] is None and "Hoyle" not in body["hiring_manager_name"]
    body = api(hr_user).get(f"/api/vacancies/{vacancy.pk}/").json()
    assert body["hiring_manager"] == head_of_south.pk and "Hoyle" in body["hiring_manager_name"]

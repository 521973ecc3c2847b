"""The Django admin records a departure only through the departure service, never by editing
status or last day directly, so a departure entered there opens the vacancy and drafts the plan."""

import datetime as dt

import pytest
from django.templatetags.static import static
from django.urls import reverse

from handover.models import HandoverPlan, Vacancy
from retention.models import SalesRep

TODAY = dt.date(2026, 4, 1)


@pytest.fixture
def admin_client_logged_in(client, admin_user, time_machine):
    """The cast's admin in the Django admin, on 1 April 2026."""
    time_machine.move_to(dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC), tick=False)
    client.force_login(admin_user)
    return client


def _change_form_data(rep: SalesRep, **changes) -> dict:
    data = {
        "first_name": rep.first_name,
        "last_name": rep.last_name,
        "email": rep.email,
        "team": rep.team_id,
        "region": rep.region,
        "hire_date": rep.hire_date.isoformat(),
        "annual_quota": rep.annual_quota,
        "crm_user_id": rep.crm_user_id,
        "hr_employee_id": rep.hr_employee_id,
        "title": rep.title,
        "user": "",
    }
    data.update(changes)
    return data


def test_status_and_last_day_are_read_only_on_the_change_form(admin_client_logged_in, rep_a):
    url = reverse("admin:retention_salesrep_change", args=[rep_a.pk])
    page = admin_client_logged_in.get(url)
    assert page.status_code == 200
    form_fields = page.context["adminform"].form.fields
    assert not {"status", "departure_date", "departure_reason"} & set(form_fields)
    assert reverse("admin:retention_salesrep_departure", args=[rep_a.pk]).encode() in page.content

    response = admin_client_logged_in.post(
        url,
        _change_form_data(
            rep_a, status="left", departure_date="2026-03-01", departure_reason="voluntary"
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    rep_a.refresh_from_db()
    assert (rep_a.status, rep_a.departure_date) == (SalesRep.Status.ACTIVE, None)
    assert not Vacancy.objects.filter(leaving_rep=rep_a).exists()


def test_a_departure_recorded_in_the_admin_opens_a_vacancy_and_drafts_a_plan(
    admin_client_logged_in, admin_user, rep_a, customer_a, django_capture_on_commit_callbacks
):
    url = reverse("admin:retention_salesrep_departure", args=[rep_a.pk])
    assert admin_client_logged_in.get(url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_logged_in.post(
            url, {"departure_date": "2026-04-30", "reason": "voluntary"}
        )

    assert response.status_code == 302
    assert response.url == reverse("admin:retention_salesrep_change", args=[rep_a.pk])
    rep_a.refresh_from_db()
    assert rep_a.status == SalesRep.Status.NOTICE
    assert rep_a.departure_date == dt.date(2026, 4, 30)
    vacancy = Vacancy.objects.get(leaving_rep=rep_a)
    assert vacancy.opened_on == TODAY
    plan = HandoverPlan.objects.get(rep=rep_a)
    assert plan.origin == HandoverPlan.Origin.DEPARTURE
    assert plan.created_by == admin_user


def test_a_last_day_in_the_past_marks_the_rep_as_left(admin_client_logged_in, rep_a):
    url = reverse("admin:retention_salesrep_departure", args=[rep_a.pk])
    admin_client_logged_in.post(url, {"departure_date": "2026-03-31", "reason": "involuntary"})
    rep_a.refresh_from_db()
    assert (rep_a.status, rep_a.departure_reason) == (SalesRep.Status.LEFT, "involuntary")


def test_a_last_day_before_the_hire_date_is_refused_on_the_field_and_nothing_changes(
    admin_client_logged_in, rep_a, django_capture_on_commit_callbacks
):
    url = reverse("admin:retention_salesrep_departure", args=[rep_a.pk])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_client_logged_in.post(
            url, {"departure_date": "2020-01-01", "reason": "voluntary"}
        )
    assert response.status_code == 200
    assert response.context["form"].errors["departure_date"] == [
        "The last day (2020-01-01) must not be before the hire date (2022-01-10)."
    ]
    assert not callbacks
    rep_a.refresh_from_db()
    assert (rep_a.status, rep_a.departure_date) == (SalesRep.Status.ACTIVE, None)


@pytest.mark.parametrize("day", ["9999-12-25", "2206-01-15"])
def test_a_last_day_years_ahead_is_refused_on_the_field_and_opens_nothing(
    admin_client_logged_in, rep_a, django_capture_on_commit_callbacks, day
):
    """Near the year 9999 the vacancy's target date overflowed in the receiver (logged, so the
    vacancy was silently not opened); any last day over two years ahead is a typo."""
    url = reverse("admin:retention_salesrep_departure", args=[rep_a.pk])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_client_logged_in.post(url, {"departure_date": day, "reason": "voluntary"})
    assert response.status_code == 200
    [error] = response.context["form"].errors["departure_date"]
    assert error.startswith(f"The last day ({day}) is more than two years after today (")
    assert not callbacks
    rep_a.refresh_from_db()
    assert (rep_a.status, rep_a.departure_date) == (SalesRep.Status.ACTIVE, None)


def test_an_unknown_reason_is_refused_by_the_form(admin_client_logged_in, rep_a):
    url = reverse("admin:retention_salesrep_departure", args=[rep_a.pk])
    response = admin_client_logged_in.post(url, {"departure_date": "2026-04-30", "reason": "x"})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    rep_a.refresh_from_db()
    assert rep_a.departure_date is None


def test_a_user_outside_the_admin_cannot_record_a_departure(client, manager_a, rep_a):
    client.force_login(manager_a)
    url = reverse("admin:retention_salesrep_departure", args=[rep_a.pk])
    response = client.post(url, {"departure_date": "2026-04-30", "reason": "voluntary"})
    assert response.status_code == 302 and "/login/" in response.url
    rep_a.refresh_from_db()
    assert rep_a.departure_date is None


def test_admin_pages_name_relays_icon(admin_client_logged_in):
    """The admin's pages link Relay's icon as the app's do; without it the browser asked for
    /favicon.ico, a 404 and a console error on every admin page."""
    page = admin_client_logged_in.get(reverse("admin:index")).content.decode()
    assert f'<link rel="icon" href="{static("favicon.svg")}"' in page

"""Risk API and pages: scoped by role (out of scope is a 404), rules labelled "not trained"."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from retention.models import ScoringRun
from retention.risk import services
from tests.retention.risk.conftest import AS_OF

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(small_org) -> ScoringRun:
    return services.risk_scores_refresh(as_of=AS_OF)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_manager_sees_score_drivers_and_history_of_a_rep_in_scope(scored, manager_a, rep_a):
    response = api(manager_a).get(reverse("api-risk-rep-detail", args=[rep_a.pk]))
    assert response.status_code == 200
    body = response.json()
    assert body["current"]["run_id"] == scored.pk
    assert 0 <= body["current"]["probability"] <= 1
    assert body["current"]["band"] in {"low", "medium", "high"}
    assert isinstance(body["current"]["drivers"], list)
    assert [row["run_id"] for row in body["history"]] == [scored.pk]
    assert body["model"]["trained"] is False
    assert body["model"]["label"] == "Rule-based (not trained)"


def test_manager_gets_404_for_a_rep_outside_scope(scored, manager_a, rep_b):
    response = api(manager_a).get(reverse("api-risk-rep-detail", args=[rep_b.pk]))
    assert response.status_code == 404


def test_score_list_is_scoped_and_filters_by_band(scored, manager_b, hr_user, rep_b):
    mine = api(manager_b).get(reverse("api-risk-score-list")).json()["results"]
    assert {row["rep_id"] for row in mine} <= {
        s.rep_id for s in scored.scores.filter(rep__team_id=rep_b.team_id)
    }
    assert rep_b.pk in {row["rep_id"] for row in mine}
    everyone = api(hr_user).get(reverse("api-risk-score-list")).json()
    assert everyone["count"] == scored.total
    bad = api(hr_user).get(reverse("api-risk-score-list"), {"band": "extreme"})
    assert bad.status_code == 400 and "band" in bad.json()


def test_history_only_lists_succeeded_runs(scored, admin_user, rep_a):
    failed = ScoringRun.objects.create(as_of=AS_OF, status=ScoringRun.Status.FAILED)
    body = api(admin_user).get(reverse("api-risk-rep-detail", args=[rep_a.pk])).json()
    assert failed.pk not in [row["run_id"] for row in body["history"]]


@pytest.mark.parametrize("name", ["api-risk-run-list", "api-risk-model-list"])
def test_runs_and_models_are_for_admins_only(scored, admin_user, manager_a, hr_user, name):
    assert api(admin_user).get(reverse(name)).status_code == 200
    assert api(manager_a).get(reverse(name)).status_code == 403
    assert api(hr_user).get(reverse(name)).status_code == 403


def test_admin_starts_a_run_through_the_api(
    small_org, admin_user, manager_a, django_capture_on_commit_callbacks
):
    assert api(manager_a).post(reverse("api-risk-run-start")).status_code == 403
    with django_capture_on_commit_callbacks() as callbacks:
        response = api(admin_user).post(reverse("api-risk-run-start"), {"as_of": "2025-12-28"})
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    assert len(callbacks) == 1
    detail = api(admin_user).get(reverse("api-risk-run-detail", args=[response.json()["id"]]))
    assert detail.json()["as_of"] == "2025-12-28"
    bad = api(admin_user).post(reverse("api-risk-run-start"), {"as_of": "soon"})
    assert bad.status_code == 400 and "as_of" in bad.json()


@pytest.mark.parametrize("as_of", ["2026-11-21", "9999-12-31"])
def test_a_run_dated_after_today_is_refused_naming_as_of(small_org, admin_user, as_of):
    """The current scores are the published run with the latest date: one dated ahead would
    stay current over every run of today (and 9999-12-31 failed in the worker)."""
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC), tick=False):
        response = api(admin_user).post(reverse("api-risk-run-start"), {"as_of": as_of})
    assert response.status_code == 400
    assert response.json()["field"] == "as_of" and "2026-11-20" in response.json()["detail"]
    assert not ScoringRun.objects.exists()


@pytest.mark.parametrize("as_of", ["0001-01-01", "1899-12-31"])
def test_a_run_dated_before_the_calendar_relay_takes_is_refused_naming_as_of(
    small_org, admin_user, as_of
):
    response = api(admin_user).post(reverse("api-risk-run-start"), {"as_of": as_of})
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"The as-of date {as_of} is not a date Relay takes: choose one from "
        "1900-01-01 to 2100-12-31.",
        "field": "as_of",
    }
    assert not ScoringRun.objects.exists()


def test_models_api_says_rules_are_not_trained(scored, admin_user):
    rows = api(admin_user).get(reverse("api-risk-model-list")).json()["results"]
    active = [row for row in rows if row["is_active"]]
    assert active and active[0]["trained"] is False and active[0]["kind"] == "rules"


def test_model_page_for_admin_shows_kind_and_buttons(scored, client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("retention:risk_model"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Rule-based (not trained)" in content
    assert 'id="start-scoring"' in content and 'id="retrain"' in content
    assert "rules-1" in content


def test_model_and_backtest_pages_are_403_for_managers_as_in_the_api(scored, client, manager_a):
    client.force_login(manager_a)
    assert client.get(reverse("retention:risk_model")).status_code == 403
    assert client.get(reverse("retention:risk_backtest")).status_code == 403
    assert client.post(reverse("retention:risk_scoring_start")).status_code == 403
    assert api(manager_a).get(reverse("api-risk-model-list")).status_code == 403


def test_start_button_returns_a_polling_progress_fragment(
    small_org, client, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks():
        response = client.post(reverse("retention:risk_scoring_start"), HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert response.status_code == 200
    assert 'hx-trigger="every 2s"' in content
    run = ScoringRun.objects.get()
    progress = client.get(reverse("retention:risk_run_progress", args=[run.pk]))
    assert "hx-get" in progress.content.decode()


def test_backtest_page_shows_the_report(small_org, client, admin_user):
    client.force_login(admin_user)
    before = client.get(reverse("retention:risk_backtest")).content.decode()
    assert 'id="no-backtest"' in before
    assert "Run the backtest</button>" in before and "Run the backtest again" not in before
    model = services.risk_model_evaluate(as_of=AS_OF)
    response = client.get(reverse("retention:risk_backtest"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Run the backtest again</button>" in content
    assert 'id="backtest-summary"' in content
    for row in model.backtest["departures"]:
        assert row["departure_date"] in content

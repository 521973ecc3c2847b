"""Who may read and do what on the risk pages and API, and the audit every risk read writes.

The cast: manager A (North: rep_a high risk, rep_a2 low), manager B (South: rep_b medium),
HR (everyone, read-only), an admin. Rights are the role groups' permissions; scope is the org
tree; out of scope is a 404, a right the role lacks a 403, the same on pages and API.
"""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.access import users_visible_to
from retention.dashboard.services import intervention_create
from retention.models import Intervention, RiskAlert, RiskPageView, ScoringRun
from tests.conftest import make_customer

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def audited(viewer) -> list[int]:
    """The rep ids of the viewer's audit rows, sorted (one entry per row)."""
    return sorted(RiskPageView.objects.filter(viewer=viewer).values_list("rep_id", flat=True))


def _alert(rep, run, kind=RiskAlert.Kind.BECAME_HIGH):
    return RiskAlert.objects.create(rep=rep, score=run.scores.get(rep=rep), kind=kind, message="m")


# --- audit inside the read ------------------------------------------------------------------


def test_an_api_read_of_a_reps_risk_writes_an_audit_row(scored, manager_a, rep_a):
    response = api(manager_a).get(reverse("api-risk-rep-detail", args=[rep_a.pk]))
    assert response.status_code == 200
    view = RiskPageView.objects.get()
    assert (view.viewer, view.rep) == (manager_a, rep_a)


def test_an_out_of_scope_risk_read_is_404_and_writes_nothing(scored, manager_b, rep_a):
    assert api(manager_b).get(reverse("api-risk-rep-detail", args=[rep_a.pk])).status_code == 404
    assert not RiskPageView.objects.exists()


def test_the_rep_page_writes_one_audit_row_per_view(client, scored, manager_a, rep_a):
    client.force_login(manager_a)
    client.get(reverse("retention:rep_detail", args=[rep_a.pk]))
    client.get(reverse("retention:rep_detail", args=[rep_a.pk]))
    assert audited(manager_a) == [rep_a.pk, rep_a.pk]


def test_score_list_api_audits_one_row_per_rep_on_the_page(
    scored, hr_user, rep_a, rep_a2, rep_b
):
    body = api(hr_user).get(reverse("api-risk-score-list"), {"page_size": 2}).json()
    assert body["count"] == 3
    shown = [row["rep_id"] for row in body["results"]]
    assert shown == [rep_a.pk, rep_b.pk]  # riskiest first
    assert audited(hr_user) == sorted(shown)


def test_dashboard_list_on_page_and_api_audits_the_reps_shown(
    client, scored, manager_a, rep_a, rep_a2
):
    body = api(manager_a).get(reverse("api-dashboard-reps"), {"band": "high"}).json()
    assert [row["id"] for row in body["results"]] == [rep_a.pk]
    assert audited(manager_a) == [rep_a.pk]
    client.force_login(manager_a)
    assert client.get(reverse("retention:dashboard")).status_code == 200
    assert audited(manager_a) == sorted([rep_a.pk, rep_a.pk, rep_a2.pk])


def test_dashboard_summary_counts_without_auditing_anyone(scored, manager_a):
    assert api(manager_a).get(reverse("api-dashboard-summary")).status_code == 200
    assert not RiskPageView.objects.exists()


def test_routing_page_export_and_api_each_audit_the_owner_shown(
    client, scored, manager_a, rep_a
):
    make_customer("Acme", owner=rep_a, annual_revenue=900_000, is_key_account=True)
    client.force_login(manager_a)
    assert client.get(reverse("retention:routing")).status_code == 200
    assert audited(manager_a) == [rep_a.pk]
    client.get(reverse("retention:routing_export"), {"format": "csv"})
    client.get(reverse("retention:routing_export"), {"format": "xlsx"})
    assert audited(manager_a) == [rep_a.pk] * 3
    assert api(manager_a).get(reverse("api-routing")).json()["count"] == 1
    assert audited(manager_a) == [rep_a.pk] * 4


def test_alert_inbox_and_api_audit_the_reps_alerted_about(
    client, scored, admin_user, rep_a, rep_b
):
    _alert(rep_a, scored["latest"])
    _alert(rep_b, scored["latest"])
    client.force_login(admin_user)
    assert client.get(reverse("retention:alert_list")).status_code == 200
    assert audited(admin_user) == sorted([rep_a.pk, rep_b.pk])
    body = api(admin_user).get(reverse("api-alert-list")).json()
    assert body["count"] == 2
    assert audited(admin_user) == sorted([rep_a.pk, rep_a.pk, rep_b.pk, rep_b.pk])


def test_the_navigation_counts_open_alerts_in_scope_without_auditing_anyone(
    client, scored, manager_a, rep_a, rep_a2, rep_b
):
    _alert(rep_a, scored["latest"])
    _alert(rep_a2, scored["latest"])
    acknowledged = _alert(rep_a2, scored["latest"], RiskAlert.Kind.JUMP)
    acknowledged.acknowledged_at = NOW
    acknowledged.save()
    _alert(rep_b, scored["latest"])  # another manager's
    client.force_login(manager_a)
    html = client.get(reverse("retention:customer_list")).content.decode()
    assert 'title="Open alerts">2</span>' in html
    summary = api(manager_a).get(reverse("api-dashboard-summary")).json()
    assert summary["open_alerts"] == 2
    # A count shows nobody's score: the look is audited where the alerts are listed.
    assert not RiskPageView.objects.exists()


def test_acknowledging_an_alert_audits_the_look_once_and_out_of_scope_is_404(
    client, scored, manager_a, rep_a, rep_b
):
    on_page = _alert(rep_a, scored["latest"])
    by_api = _alert(rep_a, scored["latest"], RiskAlert.Kind.JUMP)
    other = _alert(rep_b, scored["latest"])
    client.force_login(manager_a)
    url = reverse("retention:alert_acknowledge", args=[on_page.pk])
    assert client.post(url, headers={"HX-Request": "true"}).status_code == 200
    assert audited(manager_a) == [rep_a.pk]
    body = api(manager_a).post(reverse("api-alert-acknowledge", args=[by_api.pk])).json()
    assert body["probability"] is not None
    assert audited(manager_a) == [rep_a.pk, rep_a.pk]
    assert client.post(reverse("retention:alert_acknowledge", args=[other.pk])).status_code == 404
    assert api(manager_a).post(reverse("api-alert-acknowledge", args=[other.pk])).status_code == 404
    assert audited(manager_a) == [rep_a.pk, rep_a.pk]
    other.refresh_from_db()
    assert other.acknowledged_at is None


def test_an_intervention_out_of_scope_is_404_on_page_and_api(
    client, scored, manager_a, manager_b, rep_b
):
    theirs = intervention_create(rep=rep_b, kind="other", created_by=manager_b)
    client.force_login(manager_a)
    page_url = reverse("retention:intervention_outcome", args=[theirs.pk])
    assert client.post(page_url, {"outcome": "stayed"}).status_code == 404
    api_url = reverse("api-intervention-outcome", args=[theirs.pk])
    assert api(manager_a).post(api_url, {"outcome": "stayed"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.outcome == ""


def test_audit_admin_filters_by_viewer_rep_and_date(client, scored, admin_user, manager_a, rep_a):
    api(manager_a).get(reverse("api-risk-rep-detail", args=[rep_a.pk]))
    api(admin_user).get(reverse("api-risk-score-list"))
    client.force_login(admin_user)
    url = reverse("admin:retention_riskpageview_changelist")
    by_viewer = client.get(url, {"viewer__id__exact": manager_a.pk})
    assert by_viewer.status_code == 200
    assert list(by_viewer.context["cl"].result_list.values_list("viewer_id", flat=True)) == [
        manager_a.pk
    ]
    by_rep = client.get(url, {"rep__id__exact": rep_a.pk})
    assert {row.rep_id for row in by_rep.context["cl"].result_list} == {rep_a.pk}
    by_day = client.get(
        url, {"viewed_at__year": 2026, "viewed_at__month": 11, "viewed_at__day": 20}
    ).context["cl"]
    assert by_day.result_count == RiskPageView.objects.count()
    filters = {spec.title for spec in by_day.filter_specs}
    assert {"viewed by", "rep", "viewed at"} <= filters


# --- HR reads risk, read-only -------------------------------------------------------------------


def test_hr_reads_risk_organisation_wide_on_pages_and_api(client, scored, hr_user, rep_a, rep_b):
    client.force_login(hr_user)
    dashboard = client.get(reverse("retention:dashboard")).content.decode()
    assert "Alice Anders" in dashboard and "Bruno Silva" in dashboard
    page = client.get(reverse("retention:rep_detail", args=[rep_a.pk])).content.decode()
    assert 'id="risk-card"' in page and "High · 72%" in page
    assert api(hr_user).get(reverse("api-risk-rep-detail", args=[rep_b.pk])).status_code == 200
    assert api(hr_user).get(reverse("api-dashboard-reps")).json()["count"] == 3


def test_hr_navigation_shows_the_dashboard_but_not_the_model(client, scored, hr_user):
    client.force_login(hr_user)
    html = client.get(reverse("retention:rep_list")).content.decode()
    assert 'id="nav-dashboard"' in html and 'id="nav-alerts"' in html
    assert 'id="nav-risk-model"' not in html


def test_hr_sees_no_managers_controls(client, scored, hr_user, manager_a, rep_a):
    intervention_create(rep=rep_a, kind="other", created_by=manager_a)
    _alert(rep_a, scored["latest"])
    client.force_login(hr_user)
    page = client.get(reverse("retention:rep_detail", args=[rep_a.pk])).content.decode()
    assert 'id="intervention-log"' in page  # the log is readable
    assert 'id="record-intervention"' not in page
    assert 'name="outcome"' not in page
    alerts = client.get(reverse("retention:alert_list")).content.decode()
    assert "Alice Anders" in alerts and "Acknowledge</button>" not in alerts


def test_managers_see_their_controls(client, scored, manager_a, rep_a):
    intervention_create(rep=rep_a, kind="other", created_by=manager_a)
    _alert(rep_a, scored["latest"])
    client.force_login(manager_a)
    page = client.get(reverse("retention:rep_detail", args=[rep_a.pk])).content.decode()
    assert 'id="record-intervention"' in page and 'name="outcome"' in page
    assert "Acknowledge</button>" in client.get(reverse("retention:alert_list")).content.decode()


def test_hr_gets_403_for_interventions_score_now_and_acknowledging(
    client, scored, hr_user, manager_a, rep_a
):
    intervention = intervention_create(rep=rep_a, kind="other", created_by=manager_a)
    alert = _alert(rep_a, scored["latest"])
    client.force_login(hr_user)
    hr_api = api(hr_user)
    page_posts = [
        (reverse("retention:intervention_create", args=[rep_a.pk]), {"kind": "other"}),
        (reverse("retention:intervention_outcome", args=[intervention.pk]), {"outcome": "left"}),
        (reverse("retention:risk_scoring_start"), {}),
        (reverse("retention:alert_acknowledge", args=[alert.pk]), {}),
    ]
    for url, data in page_posts:
        assert client.post(url, data).status_code == 403, url
    api_posts = [
        (reverse("api-intervention-create", args=[rep_a.pk]), {"kind": "other"}),
        (reverse("api-intervention-outcome", args=[intervention.pk]), {"outcome": "left"}),
        (reverse("api-risk-run-start"), {}),
        (reverse("api-alert-acknowledge", args=[alert.pk]), {}),
    ]
    for url, data in api_posts:
        assert hr_api.post(url, data, format="json").status_code == 403, url
    assert Intervention.objects.count() == 1
    intervention.refresh_from_db()
    alert.refresh_from_db()
    assert intervention.outcome == "" and alert.acknowledged_at is None
    assert not ScoringRun.objects.filter(status=ScoringRun.Status.PENDING).exists()


# --- 404 out of scope, 403 for a right the role lacks ---------------------------------------------


def test_manager_gets_404_for_a_rep_out_of_scope_on_page_and_api(client, scored, manager_a, rep_b):
    client.force_login(manager_a)
    assert client.get(reverse("retention:rep_detail", args=[rep_b.pk])).status_code == 404
    for name in ("api-rep-detail", "api-risk-rep-detail", "api-intervention-list"):
        assert api(manager_a).get(reverse(name, args=[rep_b.pk])).status_code == 404, name
    response = client.post(
        reverse("retention:intervention_create", args=[rep_b.pk]), {"kind": "other"}
    )
    assert response.status_code == 404


def test_manager_gets_403_for_admin_only_pages_and_api_alike(client, scored, manager_a):
    client.force_login(manager_a)
    assert client.get(reverse("retention:risk_model")).status_code == 403
    assert api(manager_a).get(reverse("api-risk-model-list")).status_code == 403
    assert client.get(reverse("retention:risk_backtest")).status_code == 403
    assert api(manager_a).get(reverse("api-risk-run-list")).status_code == 403
    html = client.get(reverse("retention:dashboard")).content.decode()
    assert 'id="nav-risk-model"' not in html


def test_a_user_without_a_role_gets_403_on_pages_and_api(client, scored, django_user_model):
    nobody = django_user_model.objects.create_user(username="nobody", password="x-nobody-1")
    client.force_login(nobody)
    assert client.get(reverse("retention:dashboard")).status_code == 403
    assert client.get(reverse("retention:rep_list")).status_code == 403
    assert api(nobody).get(reverse("api-risk-score-list")).status_code == 403
    assert api(nobody).get(reverse("api-rep-list")).status_code == 403


# --- intervention owners -------------------------------------------------------------------------


def test_owner_choices_are_the_people_the_manager_may_see(client, scored, manager_a, rep_a):
    client.force_login(manager_a)
    page = client.get(reverse("retention:rep_detail", args=[rep_a.pk]))
    choices = set(page.context["intervention_form"].fields["owner"].queryset)
    assert choices == set(users_visible_to(user=manager_a))
    assert manager_a in choices


def test_an_owner_outside_scope_is_refused_on_page_and_api(
    client, scored, manager_a, manager_b, hr_user, rep_a
):
    client.force_login(manager_a)
    for outsider in (manager_b, hr_user):
        response = client.post(
            reverse("retention:intervention_create", args=[rep_a.pk]),
            {"kind": "other", "owner": outsider.pk},
        )
        assert response.status_code == 400 and b"owner" in response.content
        response = api(manager_a).post(
            reverse("api-intervention-create", args=[rep_a.pk]),
            {"kind": "other", "owner": outsider.pk},
            format="json",
        )
        assert response.status_code == 400
        assert response.json()["field"] == "owner"
    assert not Intervention.objects.exists()
    accepted = api(manager_a).post(
        reverse("api-intervention-create", args=[rep_a.pk]),
        {"kind": "other", "owner": manager_a.pk},
        format="json",
    )
    assert accepted.status_code == 201 and accepted.json()["owner"] == manager_a.pk


def test_intervention_list_api_uses_the_one_envelope_and_filters(scored, manager_a, rep_a):
    intervention_create(rep=rep_a, kind="other", created_by=manager_a)
    intervention_create(rep=rep_a, kind="job_rotation", created_by=manager_a)
    url = reverse("api-intervention-list", args=[rep_a.pk])
    body = api(manager_a).get(url, {"kind": "job_rotation"}).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert [row["kind"] for row in body["results"]] == ["job_rotation"]
    bad = api(manager_a).get(url, {"kind": "bribe"})
    assert bad.status_code == 400 and "kind" in bad.json()


def test_scoped_score_reads_audit_what_they_hand_out_and_counts_nothing(
    scored, manager_a, rep_a, rep_a2, rep_b
):
    from retention.selectors import risk_scores_visible_to

    scores = risk_scores_visible_to(manager_a, run=scored["latest"]).order_by("-probability")
    assert scores.count() == 2
    assert scores.filter(band="high").exists()
    assert not RiskPageView.objects.exists()
    assert [score.rep_id for score in scores[:1]] == [rep_a.pk]
    assert audited(manager_a) == [rep_a.pk]
    assert {row["rep_id"] for row in scores.values("rep_id", "probability")} == {
        rep_a.pk,
        rep_a2.pk,
    }
    assert audited(manager_a) == sorted([rep_a.pk, rep_a.pk, rep_a2.pk])


def test_the_role_groups_carry_the_risk_rights(admin_user, hr_user, manager_a):
    read = ("retention.view_riskscore", "retention.view_riskalert", "retention.view_intervention")
    act = ("retention.add_intervention", "retention.change_intervention")
    for user in (admin_user, hr_user, manager_a):
        assert all(user.has_perm(perm) for perm in read), user
    assert all(manager_a.has_perm(perm) for perm in act)
    assert not any(hr_user.has_perm(perm) for perm in act)
    assert not hr_user.has_perm("retention.add_scoringrun")
    assert not hr_user.has_perm("retention.change_riskalert")
    for admin_only in ("retention.view_riskmodel", "retention.view_riskpageview"):
        assert admin_user.has_perm(admin_only)
        assert not manager_a.has_perm(admin_only) and not hr_user.has_perm(admin_only)

import datetime as dt
import html
import json

import pytest
import time_machine
from django.urls import reverse

from retention.dashboard.services import intervention_create
from retention.models import Assignment, Intervention, RiskAlert, RiskPageView
from tests.conftest import make_customer, make_rep
from tests.retention.dashboard.conftest import LEAVE_DRIVER, make_score

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _alert(rep, run):
    score = run.scores.get(rep=rep)
    return RiskAlert.objects.create(
        rep=rep, score=score, kind=RiskAlert.Kind.BECAME_HIGH, message="became high risk"
    )


def test_dashboard_page_shows_only_the_managers_reps_with_band_words(
    client, scored, manager_a, rep_a
):
    client.force_login(manager_a)
    html = client.get(reverse("retention:dashboard")).content.decode()
    assert "Alice Anders" in html and "Arne Berg" in html
    assert "Bruno Silva" not in html
    assert 'data-band="high">High · 72%' in html
    assert "average leave episode 4.5 days" in html
    assert "Scores as of 2026-11-09" in html
    assert "band-history-data" in html
    assert "team-heatmap-data" not in html


def test_admin_dashboard_covers_the_organisation_with_team_heatmap(client, scored, admin_user):
    client.force_login(admin_user)
    html = client.get(reverse("retention:dashboard")).content.decode()
    assert "Bruno Silva" in html
    assert "team-heatmap-data" in html


def test_dashboard_team_filter_lists_the_scope_s_teams_escaped_with_the_chosen_one_selected(
    client, scored, manager_a, team_north_a, team_north_b, team_south_a
):
    team_north_b.name = 'North <b>"B" & co\'s</b>'
    team_north_b.save()
    client.force_login(manager_a)
    html = client.get(reverse("retention:dashboard"), {"team": team_north_a.pk}).content.decode()
    assert f'<option value="{team_north_a.pk}" selected>{team_north_a.name}</option>' in html
    assert (
        f'<option value="{team_north_b.pk}">North &lt;b&gt;&quot;B&quot; &amp; co&#x27;s&lt;/b&gt;'
        "</option>" in html
    )
    assert f'<option value="{team_south_a.pk}"' not in html  # out of scope


def test_dashboard_htmx_request_returns_only_the_rows(client, scored, manager_a):
    client.force_login(manager_a)
    response = client.get(
        reverse("retention:dashboard"),
        {"band": "low"},
        headers={"HX-Request": "true", "HX-Target": "dashboard-rows"},
    )
    html = response.content.decode()
    assert "<html" not in html
    assert "Arne Berg" in html and "Alice Anders" not in html


def test_dashboard_queries_do_not_grow_with_rows(
    client, scored, admin_user, team_north_a, django_assert_max_num_queries
):
    # One row of each kind first: an empty id list is answered without a query at all.
    make_customer("First", owner=scored["latest"].scores.first().rep, is_key_account=True)
    intervention_create(
        rep=scored["latest"].scores.first().rep, kind="other", created_by=admin_user
    )
    client.force_login(admin_user)
    client.get(reverse("retention:dashboard"))  # warm the band-history cache

    def count_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("retention:dashboard")).status_code == 200
        return len(queries)

    few = count_queries()
    for index in range(40):
        rep = make_rep(team_north_a, f"R{index}", "Many")
        make_score(scored["latest"], rep, 0.6, drivers=[LEAVE_DRIVER])
        make_customer(f"K{index}", owner=rep, annual_revenue=10, is_key_account=True)
        intervention_create(rep=rep, kind="other", created_by=admin_user)
    with django_assert_max_num_queries(few):
        client.get(reverse("retention:dashboard"))


def _backups_link(html: str, rep) -> bool:
    """Whether the row of ``rep`` offers the "Backups" link to the single-threaded page."""
    row = html[html.index(f'<tr data-rep-id="{rep.pk}"') :]
    row = row[: row.index("</tr>")]
    return f'<input type="hidden" name="rep" value="{rep.pk}">' in row


def test_dashboard_offers_backups_only_for_a_rep_a_key_account_depends_on_alone(
    client, scored, manager_a, rep_a, rep_a2
):
    shared = make_customer("Shared", owner=rep_a, annual_revenue=900_000, is_key_account=True)
    Assignment.objects.create(
        customer=shared, rep=rep_a2, role=Assignment.Role.BACKUP, valid_from=dt.date(2024, 1, 1)
    )
    client.force_login(manager_a)
    html = client.get(reverse("retention:dashboard")).content.decode()
    # rep_a holds key-account revenue, but the single-threaded page would list nothing.
    assert not _backups_link(html, rep_a)
    alone = make_customer("Alone", owner=rep_a, annual_revenue=10_000, is_key_account=True)
    html = client.get(reverse("retention:dashboard")).content.decode()
    assert _backups_link(html, rep_a)
    single = client.get(reverse("handover:single_threaded"), {"rep": rep_a.pk}).content.decode()
    assert alone.name in single and shared.name not in single


def test_rep_page_shows_risk_drivers_model_label_charts_and_audits_the_view(
    client, scored, manager_a, rep_a
):
    client.force_login(manager_a)
    response = client.get(reverse("retention:rep_detail", args=[rep_a.pk]))
    html = response.content.decode()
    assert "Average leave episode 4.5 days in the last 90 days" in html
    assert "Rule-based (not trained)" in html and "rules-1" in html
    scores = json.loads(_script(html, "score-chart-data"))
    assert scores["data"][0]["y"] == [20.0, 35.0, 72.0]
    signals = json.loads(_script(html, "signals-chart-data"))
    assert {trace["name"] for trace in signals["data"]} == {
        "Length of leave episodes, change",
        "Visit and meeting hours, change",
    }
    # one shaded usual range and one dotted average per signal
    assert [shape["type"] for shape in signals["layout"]["shapes"]] == ["rect", "line"] * 2
    view = RiskPageView.objects.get()
    assert (view.viewer, view.rep) == (manager_a, rep_a)
    assert reverse("handover:plan_create", args=[rep_a.pk]) in html


def _script(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}">') + len(f'id="{element_id}">')
    return html[start : html.index("</script>", start)]


def test_rep_page_of_another_team_is_404_and_not_audited(client, scored, manager_b, rep_a):
    client.force_login(manager_b)
    assert client.get(reverse("retention:rep_detail", args=[rep_a.pk])).status_code == 404
    assert not RiskPageView.objects.exists()


def test_rep_page_marks_single_threaded_key_revenue(client, scored, manager_a, rep_a):
    make_customer("Alone", owner=rep_a, annual_revenue=750_000, is_key_account=True)
    make_customer("Small", owner=rep_a, annual_revenue=10_000)
    client.force_login(manager_a)
    html = client.get(reverse("retention:rep_detail", args=[rep_a.pk])).content.decode()
    assert "100% of this rep" in html
    assert "Only this rep" in html


def test_a_key_account_a_manager_covers_is_not_held_alone_on_any_page_or_api(
    client, scored, manager_a, rep_a
):
    covered = make_customer("Covered", owner=rep_a, annual_revenue=750_000, is_key_account=True)
    Assignment.objects.create(
        customer=covered, manager=manager_a, role="manager_cover", valid_from=dt.date(2024, 1, 1)
    )
    client.force_login(manager_a)
    html = client.get(reverse("retention:rep_detail", args=[rep_a.pk])).content.decode()
    assert "0% of this rep" in html and "Only this rep" not in html
    body = client.get(reverse("api-rep-detail", args=[rep_a.pk])).json()
    assert [c["only_relationship"] for c in body["customers"]] == [False]
    assert not _backups_link(client.get(reverse("retention:dashboard")).content.decode(), rep_a)
    single = client.get(reverse("handover:single_threaded"), {"rep": rep_a.pk}).content.decode()
    assert "Covered" not in single


def test_rep_page_queries_do_not_grow_with_customers_or_interventions(
    client, scored, manager_a, rep_a, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # One of each first: an empty id list is answered without a query at all.
    make_customer("First", owner=rep_a, annual_revenue=1, is_key_account=True)
    intervention_create(rep=rep_a, kind="other", created_by=manager_a)
    client.force_login(manager_a)
    url = reverse("retention:rep_detail", args=[rep_a.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    for index in range(30):
        make_customer(f"C{index}", owner=rep_a, annual_revenue=index, is_key_account=True)
        intervention_create(rep=rep_a, kind="other", created_by=manager_a, note=f"n{index}")
    with django_assert_max_num_queries(len(queries)):
        client.get(url)


def test_unscored_rep_page_says_so(client, manager_a, rep_a):
    client.force_login(manager_a)
    html = client.get(reverse("retention:rep_detail", args=[rep_a.pk])).content.decode()
    assert "Not scored yet" in html


def test_recording_an_intervention_with_htmx_shows_it_in_log_and_dashboard(
    client, scored, manager_a, rep_a
):
    client.force_login(manager_a)
    response = client.post(
        reverse("retention:intervention_create", args=[rep_a.pk]),
        {"kind": "stay_conversation", "note": "Talked about growth", "follow_up_on": "2026-12-01"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Talked about growth" in response.content.decode()
    intervention = Intervention.objects.get()
    assert (intervention.owner, intervention.created_by) == (manager_a, manager_a)
    assert intervention.follow_up_on == dt.date(2026, 12, 1)
    html = client.get(reverse("retention:dashboard")).content.decode()
    assert "Stay conversation · 2026-11-20" in html


def test_bad_intervention_input_is_refused_naming_the_field(client, scored, manager_a, rep_a):
    client.force_login(manager_a)
    response = client.post(
        reverse("retention:intervention_create", args=[rep_a.pk]),
        {"kind": "bribe", "follow_up_on": "soon"},
    )
    assert response.status_code == 400
    assert b"kind" in response.content and b"follow_up_on" in response.content
    assert not Intervention.objects.exists()


KINDS_REFUSED = (
    "The kind of intervention must be one of: Stay conversation, Job rotation, Job enrichment, "
    "Change of location, More control over working hours, Coaching, Lighter key-account load, "
    "Key customers' calls routed to a colleague, Other."
)
OUTCOMES_REFUSED = "The outcome must be one of: Stayed, Left, Too early to tell."


def test_a_kind_that_is_none_of_them_is_refused_in_the_services_words_on_the_page(
    client, scored, manager_a, rep_a
):
    client.force_login(manager_a)
    url = reverse("retention:intervention_create", args=[rep_a.pk])
    page = client.post(url, {"kind": "bribe", "follow_up_on": "soon"})
    assert page.status_code == 400
    text = html.unescape(page.content.decode())
    assert KINDS_REFUSED in text and "Select a valid choice" not in text
    response = client.post(url, {"kind": "bribe"}, headers={"HX-Request": "true"})
    assert response.context["intervention_form"].errors == {"kind": [KINDS_REFUSED]}
    assert not Intervention.objects.exists()


def test_an_outcome_that_is_none_of_them_is_refused_in_the_services_words_on_the_page(
    client, scored, manager_a, rep_a
):
    logged = Intervention.objects.create(rep=rep_a, kind="coaching", created_by=manager_a)
    client.force_login(manager_a)
    url = reverse("retention:intervention_outcome", args=[logged.pk])
    refused = client.post(url, {"outcome": "maybe"}, headers={"HX-Request": "true"})
    assert refused.status_code == 422
    assert f"Outcome: {OUTCOMES_REFUSED}" in html.unescape(refused.content.decode())
    page = client.post(url, {"outcome": "maybe"})
    assert page.status_code == 400 and b'data-parameter="outcome"' in page.content
    assert OUTCOMES_REFUSED in html.unescape(page.content.decode())
    logged.refresh_from_db()
    assert logged.outcome == ""


def test_a_past_follow_up_is_refused_on_the_page_naming_the_field(
    client, scored, manager_a, rep_a
):
    client.force_login(manager_a)
    url = reverse("retention:intervention_create", args=[rep_a.pk])
    page = client.post(url, {"kind": "coaching", "follow_up_on": "2026-11-19"})
    assert page.status_code == 400
    assert b'data-parameter="follow_up_on"' in page.content
    assert b"2026-11-19" in page.content
    response = client.post(
        url, {"kind": "coaching", "follow_up_on": "2026-11-19"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200  # the form again, with the reason under its field
    assert "The follow-up date must be today (2026-11-20) or later, not 2026-11-19." in html
    assert 'min="2026-11-20"' in html
    assert not Intervention.objects.exists()


def _off_calendar(day: str) -> str:
    return (
        f"The follow-up date {day} is not a date Relay takes: choose one from 1900-01-01 to "
        "2100-12-31."
    )


@pytest.mark.parametrize("day", ["9999-12-31", "2101-01-01"])
def test_a_follow_up_off_the_calendar_is_refused_under_its_field_when_logging(
    client, scored, manager_a, rep_a, day
):
    client.force_login(manager_a)
    url = reverse("retention:intervention_create", args=[rep_a.pk])
    page = client.post(url, {"kind": "coaching", "follow_up_on": day})
    assert page.status_code == 400 and b'data-parameter="follow_up_on"' in page.content
    response = client.post(
        url, {"kind": "coaching", "follow_up_on": day}, headers={"HX-Request": "true"}
    )
    assert response.context["intervention_form"].errors == {"follow_up_on": [_off_calendar(day)]}
    assert not Intervention.objects.exists()


@pytest.mark.parametrize("day", ["9999-12-31", "2101-01-01"])
def test_a_next_follow_up_off_the_calendar_is_refused_when_recording_an_outcome(
    client, scored, manager_a, rep_a, day
):
    logged = Intervention.objects.create(
        rep=rep_a, kind="coaching", created_by=manager_a, follow_up_on=dt.date(2026, 12, 1)
    )
    client.force_login(manager_a)
    url = reverse("retention:intervention_outcome", args=[logged.pk])
    refused = client.post(
        url, {"outcome": "too_early", "follow_up_on": day}, headers={"HX-Request": "true"}
    )
    assert refused.status_code == 422
    assert f"Next follow-up: {_off_calendar(day)}" in refused.content.decode()
    page = client.post(url, {"outcome": "too_early", "follow_up_on": day})
    assert page.status_code == 400 and b'data-parameter="follow_up_on"' in page.content
    logged.refresh_from_db()
    assert (logged.outcome, logged.follow_up_on) == ("", dt.date(2026, 12, 1))


def test_a_follow_up_on_the_calendar_s_last_day_shows_on_every_page_listing_it(
    client, scored, manager_a, rep_a
):
    client.force_login(manager_a)
    url = reverse("retention:intervention_create", args=[rep_a.pk])
    client.post(url, {"kind": "coaching", "follow_up_on": "2100-12-31"})
    assert Intervention.objects.get().follow_up_on == dt.date(2100, 12, 31)
    for page in (
        reverse("retention:rep_detail", args=[rep_a.pk]),
        reverse("retention:dashboard"),
        reverse("retention:intervention_list"),
        reverse("retention:intervention_effects"),
    ):
        response = client.get(page)
        assert response.status_code == 200, page
    assert "2100-12-31" in client.get(reverse("retention:intervention_list")).content.decode()


def test_an_overdue_intervention_is_completed_from_its_row_and_a_past_date_is_refused(
    client, scored, manager_a, rep_a
):
    overdue = Intervention.objects.create(
        rep=rep_a, kind="coaching", created_by=manager_a, follow_up_on=dt.date(2026, 11, 1)
    )
    client.force_login(manager_a)
    url = reverse("retention:intervention_outcome", args=[overdue.pk])
    refused = client.post(
        url, {"outcome": "too_early", "follow_up_on": "2026-11-10"}, headers={"HX-Request": "true"}
    )
    html = refused.content.decode()
    assert refused.status_code == 422  # htmx swaps the row in with the reason
    assert f'id="intervention-{overdue.pk}"' in html
    assert "Next follow-up: The follow-up date must be today (2026-11-20) or later" in html
    assert 'value="too_early" selected' in html and 'value="2026-11-10"' in html
    page = client.post(url, {"outcome": "too_early", "follow_up_on": "2026-11-10"})
    assert page.status_code == 400 and b'data-parameter="follow_up_on"' in page.content
    overdue.refresh_from_db()
    assert (overdue.outcome, overdue.follow_up_on) == ("", dt.date(2026, 11, 1))
    moved = client.post(
        url, {"outcome": "too_early", "follow_up_on": "2026-12-01"}, headers={"HX-Request": "true"}
    )
    assert moved.status_code == 200 and "Overdue" not in moved.content.decode()
    overdue.refresh_from_db()
    assert (overdue.outcome, overdue.follow_up_on) == ("too_early", dt.date(2026, 12, 1))


def test_manager_cannot_record_interventions_for_another_teams_rep(
    client, scored, manager_b, rep_a
):
    client.force_login(manager_b)
    response = client.post(
        reverse("retention:intervention_create", args=[rep_a.pk]), {"kind": "other"}
    )
    assert response.status_code == 404
    assert not Intervention.objects.exists()


def test_outcome_is_recorded_and_overdue_follow_ups_show_on_dashboard(
    client, scored, manager_a, rep_a
):
    with time_machine.travel(dt.datetime(2026, 10, 15, 9, 0, tzinfo=dt.UTC), tick=False):
        intervention = intervention_create(
            rep=rep_a,
            kind="job_enrichment",
            created_by=manager_a,
            follow_up_on=dt.date(2026, 11, 15),
        )
    client.force_login(manager_a)
    html = client.get(reverse("retention:dashboard")).content.decode()
    assert 'id="overdue-count">1<' in html
    assert "follow up was due 2026-11-15" in html
    response = client.post(
        reverse("retention:intervention_outcome", args=[intervention.pk]),
        {"outcome": "stayed"},
        headers={"HX-Request": "true"},
    )
    assert "Stayed" in response.content.decode()
    intervention.refresh_from_db()
    assert intervention.outcome == "stayed"
    html = client.get(reverse("retention:dashboard")).content.decode()
    assert 'id="overdue-count">0<' in html


def test_alert_inbox_acknowledge_with_htmx_and_nav_count(client, scored, manager_a, rep_a, rep_b):
    mine = _alert(rep_a, scored["latest"])
    other = _alert(rep_b, scored["latest"])
    client.force_login(manager_a)
    html = client.get(reverse("retention:alert_list")).content.decode()
    assert "Alice Anders" in html and "Bruno Silva" not in html
    assert 'title="Open alerts">1</span>' in html
    response = client.post(
        reverse("retention:alert_acknowledge", args=[mine.pk]), headers={"HX-Request": "true"}
    )
    assert "Acknowledge</button>" not in response.content.decode()
    mine.refresh_from_db()
    assert mine.acknowledged_by == manager_a
    assert client.post(reverse("retention:alert_acknowledge", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.acknowledged_at is None
    html = client.get(reverse("retention:alert_list")).content.decode()
    assert 'title="Open alerts">' not in html


def test_nav_alert_count_costs_one_query(
    client, scored, manager_a, rep_a, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(manager_a)
    url = reverse("retention:customer_list")
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    counts = [q["sql"] for q in queries if "retention_riskalert" in q["sql"]]
    assert len(counts) == 1 and "COUNT(" in counts[0].upper()


def test_routing_page_and_exports(client, scored, manager_a, manager_b, rep_a):
    make_customer("Acme", owner=rep_a, annual_revenue=900_000, is_key_account=True)
    client.force_login(manager_a)
    html = client.get(reverse("retention:routing")).content.decode()
    assert "Acme" in html and "Mona North" in html
    csv_response = client.get(reverse("retention:routing_export"), {"format": "csv"})
    assert csv_response["Content-Type"].startswith("text/csv")
    assert "relay-routing-2026-11-09.csv" in csv_response["Content-Disposition"]
    assert "Acme" in csv_response.content.decode("utf-8-sig")
    xlsx = client.get(reverse("retention:routing_export"), {"format": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    assert client.get(reverse("retention:routing_export"), {"format": "pdf"}).status_code == 400
    client.force_login(manager_b)
    assert "Acme" not in client.get(reverse("retention:routing")).content.decode()


@pytest.mark.parametrize(
    "name", ["retention:dashboard", "retention:alert_list", "retention:routing"]
)
def test_pages_need_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/login/" in response.url


def test_admins_read_the_risk_page_audit_log_but_cannot_edit_it(
    client, scored, admin_user, manager_a, rep_a
):
    client.force_login(manager_a)
    client.get(reverse("retention:rep_detail", args=[rep_a.pk]))
    client.force_login(admin_user)
    listing = client.get(reverse("admin:retention_riskpageview_changelist"))
    assert listing.status_code == 200
    assert "Mona North" in listing.content.decode()
    assert client.get(reverse("admin:retention_riskpageview_add")).status_code == 403
    client.force_login(manager_a)
    assert client.get(reverse("admin:retention_riskpageview_changelist")).status_code == 302

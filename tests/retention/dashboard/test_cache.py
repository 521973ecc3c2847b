"""What the risk pages cache under the latest run and the viewer's scope, and what stays live.

Run on whichever cache the settings name: Redis when REDIS_URL is set, the in-process cache on
the embedded default, so both are covered by the suite's two CI runs.
"""

import datetime as dt
import json

import pytest
import time_machine
from django.urls import reverse

from retention.dashboard.services import risk_alert_acknowledge
from retention.models import RiskAlert, RiskPageView
from tests.retention.dashboard.conftest import make_run, make_score

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _score_points(html: str) -> list[float]:
    start = html.index('id="score-chart-data">') + len('id="score-chart-data">')
    return json.loads(html[start : html.index("</script>", start)])["data"][0]["y"]


def _stat(html: str, label: str) -> str:
    """The number on the summary card whose label is ``label``."""
    end = html.index(f"<span>{label}</span>")
    start = html.rindex('<span class="stat-n"', 0, end)
    return html[html.index(">", start) + 1 : html.index("</span>", start)]


def test_a_newly_published_run_changes_the_cached_rep_page(
    client, scored, rules_model, manager_a, rep_a, rep_a2, rep_b
):
    client.force_login(manager_a)
    url = reverse("retention:rep_detail", args=[rep_a.pk])
    assert _score_points(client.get(url).content.decode()) == [20.0, 35.0, 72.0]
    assert _score_points(client.get(url).content.decode()) == [20.0, 35.0, 72.0]  # cached
    newer = make_run(dt.date(2026, 11, 16), model=rules_model)
    for rep, probability in ((rep_a, 0.31), (rep_a2, 0.1), (rep_b, 0.4)):
        make_score(newer, rep, probability)
    html = client.get(url).content.decode()
    assert _score_points(html) == [20.0, 35.0, 72.0, 31.0]
    assert "Medium · 31%" in html


def test_a_newly_published_run_changes_the_cached_dashboard_summary(
    client, scored, rules_model, manager_a, rep_a, rep_a2
):
    client.force_login(manager_a)
    url = reverse("retention:dashboard")
    assert _stat(client.get(url).content.decode(), "High risk") == "1"
    newer = make_run(dt.date(2026, 11, 16), model=rules_model)
    make_score(newer, rep_a, 0.9)
    make_score(newer, rep_a2, 0.8)
    html = client.get(url).content.decode()
    assert _stat(html, "High risk") == "2"
    assert "Scores as of 2026-11-16" in html


def test_acknowledging_an_alert_changes_the_dashboard_count(client, scored, manager_a, rep_a):
    alert = RiskAlert.objects.create(
        rep=rep_a,
        score=scored["latest"].scores.get(rep=rep_a),
        kind=RiskAlert.Kind.BECAME_HIGH,
        message="became high risk",
    )
    client.force_login(manager_a)
    url = reverse("retention:dashboard")
    html = client.get(url).content.decode()
    assert _stat(html, "Open alerts") == "1"
    assert 'title="Open alerts">1</span>' in html  # the navigation's count, the same number
    risk_alert_acknowledge(alert=alert, user=manager_a)
    html = client.get(url).content.decode()
    assert _stat(html, "Open alerts") == "0"
    assert 'title="Open alerts">' not in html


def test_a_manager_never_sees_another_managers_cached_pages(
    client, scored, manager_a, manager_b, rep_a, rep_b
):
    client.force_login(manager_a)
    assert client.get(reverse("retention:rep_detail", args=[rep_a.pk])).status_code == 200
    html_a = client.get(reverse("retention:dashboard")).content.decode()
    assert _stat(html_a, "High risk") == "1" and _stat(html_a, "Low risk") == "1"

    client.force_login(manager_b)
    assert client.get(reverse("retention:rep_detail", args=[rep_a.pk])).status_code == 404
    assert client.get(reverse("api-risk-rep-detail", args=[rep_a.pk])).status_code == 404
    html_b = client.get(reverse("retention:dashboard")).content.decode()
    assert _stat(html_b, "Medium risk") == "1"
    assert _stat(html_b, "High risk") == "0" and _stat(html_b, "Low risk") == "0"
    assert "Alice Anders" not in html_b


def test_a_change_of_scope_reads_the_summary_afresh(client, scored, manager_b, team_north_a, rep_a):
    client.force_login(manager_b)
    url = reverse("retention:dashboard")
    assert _stat(client.get(url).content.decode(), "High risk") == "0"
    manager_b.managed_teams.add(team_north_a)
    html = client.get(url).content.decode()
    assert _stat(html, "High risk") == "1"
    assert "Alice Anders" in html


def test_every_look_at_a_risk_score_is_audited_even_from_the_cache(
    client, scored, manager_a, rep_a
):
    client.force_login(manager_a)
    for _ in range(3):
        assert client.get(reverse("retention:rep_detail", args=[rep_a.pk])).status_code == 200
    assert client.get(reverse("api-risk-rep-detail", args=[rep_a.pk])).status_code == 200
    views = list(RiskPageView.objects.values_list("viewer_id", "rep_id"))
    assert views == [(manager_a.pk, rep_a.pk)] * 4


def test_risk_pages_and_api_never_load_the_models_stored_pipeline(
    client, scored, rules_model, manager_a, rep_a
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rules_model.artifact = b"\0" * 1024  # a trained model's pipeline is about a megabyte
    rules_model.save(update_fields=["artifact"])
    client.force_login(manager_a)
    with CaptureQueriesContext(connection) as queries:
        for url in (
            reverse("retention:dashboard"),
            reverse("retention:rep_detail", args=[rep_a.pk]),
            reverse("api-risk-rep-detail", args=[rep_a.pk]),
            reverse("api-dashboard-summary"),
            reverse("api-risk-score-list"),
        ):
            assert client.get(url).status_code == 200
    assert not [q["sql"] for q in queries if '"artifact"' in q["sql"]]

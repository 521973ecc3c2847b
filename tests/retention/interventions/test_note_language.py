"""A suggestion logged as it was offered reads in the reader's language: its note is kept as
data and worded again; a note the person changed is theirs and stays as typed (issue 16)."""

import datetime as dt
import html
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import user_create, user_language_set
from retention.models import Intervention, RiskModel
from tests.conftest import make_customer
from tests.retention.dashboard.conftest import make_run, make_score
from tests.translation_catalog import zh_hans_catalog

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
LEAVE = {
    "sign": "leave",
    "feature": "bridge_days",
    "message": "bridge_days",
    "text": "",
    "numbers": {"recent": 5.0, "usual": 0.25},
    "weight": 0.33,
}
BRIDGE = (
    "%(recent)s single day off next to a weekend in the last 90 days, against %(usual)s usually"
)
ZH = {
    "Suggested by Relay because of: %(reasons)s.": "Relay 建议，原因：%(reasons)s。",
    ("list separator", "; "): "；",
    "a %(p)s chance of leaving within 90 days": "90 天内离职的可能性为 %(p)s",
    (None, BRIDGE, BRIDGE.replace("single day", "single days")): (
        "近 90 天有 %(recent)s 次紧挨周末的单日休假，平时为 %(usual)s 次"
    ),
}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def at_risk(db, rep_a):
    model = RiskModel.objects.create(
        version="rules-1", kind=RiskModel.Kind.RULES, is_active=True, features=[]
    )
    make_score(make_run(NOW.date(), model=model), rep_a, 0.72, drivers=[LEAVE])
    make_customer("Acme", owner=rep_a, annual_revenue=2_000_000, is_key_account=True)


def _log_the_offered_suggestion(manager, rep, *, edit: str = "") -> Intervention:
    """As the one-click log does: the suggestion's note and data sent back unchanged."""
    api = APIClient()
    api.force_login(manager)
    offered = api.get(reverse("api-intervention-suggestions", args=[rep.pk])).json()
    offer = next(s for s in offered["suggestions"] if s["kind"] == "stay_conversation")
    created = api.post(
        f"/api/reps/{rep.pk}/interventions/create/",
        {
            "kind": "stay_conversation",
            "note": offer["note"] + edit,
            "note_data": offer["note_data"],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    return Intervention.objects.get(pk=created.json()["id"])


def test_a_suggestion_logged_in_english_reads_in_chinese(
    client, at_risk, manager_a, rep_a, team_north_a, tmp_path
):
    chinese = user_create(
        username="manager.zh",
        password=None,
        role=User.Role.SALES_MANAGER,
        managed_teams=[team_north_a],
    )
    user_language_set(user=chinese, language="zh-hans")
    with zh_hans_catalog(tmp_path, ZH):
        with translation.override("en"):
            logged = _log_the_offered_suggestion(manager_a, rep_a)
        assert logged.note.startswith("Suggested by Relay because of: a 72% chance of leaving")
        assert logged.note_data["code"] == "suggested"
        client.force_login(chinese)
        page = client.get(reverse("retention:rep_detail", args=[rep_a.pk])).content.decode()
        api = APIClient()
        api.force_login(chinese)
        listed = api.get(f"/api/reps/{rep_a.pk}/interventions/").json()
        english = APIClient()
        english.force_login(manager_a)
        english_listed = english.get(f"/api/reps/{rep_a.pk}/interventions/").json()
    wanted = (
        "Relay 建议，原因：90 天内离职的可能性为 72%；"
        "近 90 天有 5 次紧挨周末的单日休假，平时为 0.3 次。"
    )
    assert wanted in page and html.escape(logged.note) not in page
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert rows[0]["note"] == wanted
    english_rows = english_listed["results"] if isinstance(english_listed, dict) else english_listed
    assert english_rows[0]["note"] == logged.note  # English as logged, byte for byte


def test_a_note_the_person_changed_stays_as_typed(at_risk, manager_a, rep_a, tmp_path):
    with zh_hans_catalog(tmp_path, ZH):
        with translation.override("en"):
            logged = _log_the_offered_suggestion(manager_a, rep_a, edit=" Talked on Monday.")
        assert logged.note_data == {}
        with translation.override("zh-hans"):
            assert logged.note_text == logged.note


def test_the_one_click_log_on_the_rep_page_keeps_the_note_as_data(
    client, at_risk, manager_a, rep_a
):
    client.force_login(manager_a)
    page = client.get(reverse("retention:rep_detail", args=[rep_a.pk])).content.decode()
    form = page[page.index('data-kind="stay_conversation"') :]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form)[:6])
    client.post(
        reverse("retention:intervention_create", args=[rep_a.pk]),
        {name: html.unescape(value) for name, value in fields.items()},
    )
    logged = Intervention.objects.get(rep=rep_a)
    assert logged.note.startswith("Suggested by Relay because of: a 72% chance of leaving")
    assert logged.note_data["code"] == "suggested"
    assert logged.note_text == logged.note

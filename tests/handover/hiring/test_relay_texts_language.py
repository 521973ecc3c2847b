"""Texts Relay writes into the hiring records read in the reader's language: the note closing
the other applications of a filled vacancy, and an onboarding introduction's title (issue 16).
Relay's own default onboarding template (its name and task titles) reads in the reader's language
too; what a person typed (their own template's task titles, a stage note) stays as typed."""

import datetime as dt
import importlib

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from accounts.services import user_language_set
from handover.hiring import services
from handover.models import Application, OnboardingTask, StageChange
from retention.models import SalesRep
from tests.conftest import make_customer
from tests.translation_catalog import zh_hans_catalog

pytestmark = pytest.mark.django_db
Stage = Application.Stage
ZH = {
    "Position filled": "职位已招满",
    "Introduction to %(customer)s": "向 %(customer)s 引荐",
    "Product training": "产品培训",
    "Standard sales onboarding": "标准销售入职计划",
}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 3, 12, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def test_position_filled_reads_in_the_readers_language(
    vacancy_north, bench_candidate, board_candidate, hr_user, tmp_path
):
    hired = services.application_create(vacancy=vacancy_north, candidate=bench_candidate)
    closed = services.application_create(vacancy=vacancy_north, candidate=board_candidate)
    with zh_hans_catalog(tmp_path, ZH):
        with translation.override("en"):
            services.application_move(application=hired, to_stage=Stage.HIRED, by=hr_user)
        change = StageChange.objects.filter(application=closed).last()
        assert change.note == "Position filled"
        user_language_set(user=hr_user, language="zh-hans")
        api = APIClient()
        api.force_login(hr_user)
        page = api.get(reverse("handover:application_detail", args=[closed.pk])).content.decode()
        history = api.get(f"/api/applications/{closed.pk}/stages/").json()["results"]
    assert "职位已招满" in page and "Position filled" not in page
    assert history[-1]["note"] == "职位已招满"


def test_an_introduction_task_reads_in_the_readers_language(
    team_north_a, rep_a, bench_candidate, hr_user, tmp_path
):
    rep_a.departure_date, rep_a.status = dt.date(2026, 3, 6), SalesRep.Status.LEFT
    rep_a.save()
    make_customer("Covered Co", owner=rep_a, annual_revenue=900)
    vacancy = services.vacancy_open_for_departure(
        rep_id=rep_a.pk, departure_date=rep_a.departure_date, today=dt.date(2026, 3, 2)
    )
    application = services.application_create(vacancy=vacancy, candidate=bench_candidate)
    with zh_hans_catalog(tmp_path, ZH):
        with translation.override("en"):
            services.application_move(application=application, to_stage=Stage.HIRED, by=hr_user)
        bench_candidate.refresh_from_db()
        plan = bench_candidate.existing_rep.onboarding_plan
        intro = plan.tasks.get(kind=OnboardingTask.Kind.INTRODUCTION)
        assert intro.title == "Introduction to Covered Co"
        training = plan.tasks.get(kind=OnboardingTask.Kind.TRAINING, title="Product training")
        user_language_set(user=hr_user, language="zh-hans")
        api = APIClient()
        api.force_login(hr_user)
        page = api.get(reverse("handover:onboarding_detail", args=[plan.pk])).content.decode()
        tasks = api.get(f"/api/onboarding/plans/{plan.pk}/").json()["tasks"]
        # A title an organisation wrote stays as written, in every language.
        training.title = "Our own product day"
        training.save()
        own = api.get(f"/api/onboarding/plans/{plan.pk}/").json()["tasks"]
    titles = {task["id"]: task["title"] for task in tasks}
    assert "向 Covered Co 引荐" in page and "Introduction to Covered Co" not in page
    assert titles[intro.pk] == "向 Covered Co 引荐"
    # Relay's default template, stored in English, reads in the reader's language.
    assert titles[training.pk] == "产品培训"
    assert "标准销售入职计划" in page and "Standard sales onboarding" not in page
    assert {task["id"]: task["title"] for task in own}[training.pk] == "Our own product day"


def test_english_position_filled_notes_get_their_code(vacancy_north, bench_candidate):
    """Handover 0005 gives the English 'Position filled' notes written before it their code."""
    migration = importlib.import_module("handover.migrations.0005_reasons_as_data")
    application = services.application_create(vacancy=vacancy_north, candidate=bench_candidate)
    filled, typed = (
        StageChange.objects.create(
            application=application,
            to_stage=Stage.REJECTED,
            changed_at=application.created_at,
            note=note,
        )
        for note in ("Position filled", "Position filled elsewhere, she said")
    )
    migration.position_filled_notes_to_code(apps, None)
    filled.refresh_from_db()
    typed.refresh_from_db()
    assert filled.note_code == StageChange.NoteCode.POSITION_FILLED
    assert typed.note_code == ""

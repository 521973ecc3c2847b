"""A plan's reasons are worded in the reader's language, whatever language drafted it: an item
keeps what its reasons are made of and the page and the API word them again (issue 16)."""

import datetime as dt
import html

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from accounts.services import user_language_set
from handover.models import HandoverItem
from handover.plans.services import (
    NoteEdit,
    handover_plan_create,
    handover_plan_create_for_successor,
    handover_plan_item_update,
)
from retention.models import Assignment
from tests.conftest import make_rep
from tests.handover.plans.conftest import TODAY, give_scores
from tests.translation_catalog import zh_hans_catalog

pytestmark = pytest.mark.django_db

IMPORTANCE = (
    "revenue %(revenue)s; weighted open pipeline %(pipeline)s (%(deals)s deal); "
    "held %(years)s years"
)
ZH = {
    (None, IMPORTANCE, IMPORTANCE.replace("deal)", "deals)")): (
        "营收 %(revenue)s；加权在途商机 %(pipeline)s（%(deals)s 个）；已负责 %(years)s 年"
    ),
    "key account; %(reason)s": "重点客户；%(reason)s",
    "Low-risk rep of the same team and region, %(risk)s, with room; %(load)s.": (
        "同团队同区域的低风险销售，%(risk)s，尚有余量；%(load)s。"
    ),
    "Already holds this customer as %(role)s, %(risk)s; %(load)s.": (
        "已作为%(role)s负责该客户，%(risk)s；%(load)s。"
    ),
    ("risk band", "low"): "低",
    "Backup": "备份",
    "%(band)s risk (%(probability)s)": "%(band)s风险（%(probability)s）",
    "%(accounts)s/%(limit)s accounts, revenue %(revenue)s after this": (
        "接手后共 %(accounts)s/%(limit)s 个客户，营收 %(revenue)s"
    ),
    "%(successor)s was hired to succeed %(leaver)s.": "%(successor)s 受聘接替 %(leaver)s。",
    "Annual revenue": "年营收",
    "Handover of %(rep)s's customers (plan %(id)s)": "%(rep)s 的客户交接（计划 %(id)s）",
}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def english_plan(rep_a, mates, book, tmp_path):
    """Rep A's plan drafted in English (as the departure receiver drafts it, in LANGUAGE_CODE)
    while a Chinese catalog is there: Carla is a low-risk team-mate, Dan already backs Big Key."""
    carla, dan = mates
    give_scores({carla: "low", dan: "low"})
    Assignment.objects.create(
        customer=book["big"], rep=dan, role=Assignment.Role.BACKUP, valid_from=TODAY
    )
    with zh_hans_catalog(tmp_path, ZH):
        with translation.override("en"):
            plan, _created = handover_plan_create(rep=rep_a, created_by=None, today=TODAY)
        yield plan


def _items(plan) -> dict[str, HandoverItem]:
    return {item.customer.name: item for item in plan.items.select_related("customer")}


def test_a_plan_drafted_in_english_reads_in_chinese_on_the_page(client, manager_a, english_plan):
    items = _items(english_plan)
    big, small = items["Big Key"], items["Small Co"]
    assert big.importance_reason.startswith("key account; revenue ")
    assert big.suggestion_reason.startswith("Already holds this customer as backup")
    assert small.suggestion_reason.startswith("Low-risk rep of the same team and region")
    user_language_set(user=manager_a, language="zh-hans")
    client.force_login(manager_a)
    page = client.get(reverse("handover:plan_detail", args=[english_plan.pk])).content.decode()
    assert "重点客户；营收 " in page
    assert "已作为备份负责该客户，低风险（10%）；接手后共 1/60 个客户，营收 ¥900,000。" in page
    assert "同团队同区域的低风险销售，低风险（10%），尚有余量；" in page
    for english in (big.importance_reason, big.suggestion_reason, small.suggestion_reason):
        assert html.escape(english) not in page
    edit = reverse("handover:item_edit", args=[english_plan.pk, small.pk])
    assert "同团队同区域的低风险销售" in client.get(edit).content.decode()


def test_a_plan_drafted_in_english_reads_in_chinese_on_the_api(manager_a, english_plan):
    user_language_set(user=manager_a, language="zh-hans")
    api = APIClient()
    api.force_login(manager_a)
    body = api.get(f"/api/handover/plans/{english_plan.pk}/").json()
    by_name = {item["customer_name"]: item for item in body["items"]}
    assert by_name["Big Key"]["importance_reason"].startswith("重点客户；营收 ")
    assert by_name["Big Key"]["suggestion_reason"].startswith("已作为备份负责该客户")
    assert by_name["Tiny Co"]["importance_reason"].startswith("营收 ")
    assert by_name["Tiny Co"]["suggestion_reason"].startswith("同团队同区域的低风险销售")


def test_english_readers_see_the_text_as_drafted(client, manager_a, english_plan):
    """English output is unchanged: worded again, it is byte for byte what was stored."""
    user_language_set(user=manager_a, language="en")
    client.force_login(manager_a)
    page = client.get(reverse("handover:plan_detail", args=[english_plan.pk])).content.decode()
    api = APIClient()
    api.force_login(manager_a)
    body = api.get(f"/api/handover/plans/{english_plan.pk}/").json()
    by_id = {item["id"]: item for item in body["items"]}
    for item in english_plan.items.all():
        assert item.importance_reason_data and item.suggestion_reason_data
        assert by_id[item.pk]["importance_reason"] == item.importance_reason
        assert by_id[item.pk]["suggestion_reason"] == item.suggestion_reason
        assert html.escape(item.importance_reason) in page
        assert html.escape(item.suggestion_reason) in page


@pytest.mark.parametrize("data", [{}, {"code": "unknown", "params": {"revenue": "x"}}])
def test_an_item_whose_reasons_are_not_kept_as_data_it_reads_shows_its_stored_text(
    client, manager_a, english_plan, data
):
    """Drafted before reasons were kept (no data), or data this version cannot read."""
    item = english_plan.items.order_by("rank").first()
    HandoverItem.objects.filter(pk=item.pk).update(
        importance_reason_data=data, suggestion_reason_data=data
    )
    user_language_set(user=manager_a, language="zh-hans")
    client.force_login(manager_a)
    page = client.get(reverse("handover:plan_detail", args=[english_plan.pk])).content.decode()
    assert html.escape(item.importance_reason) in page
    assert html.escape(item.suggestion_reason) in page


def test_a_successors_plan_reads_in_the_readers_language(
    client, manager_a, rep_a, team_north_a, book, tmp_path
):
    successor = make_rep(team_north_a, "Nina", "Neu")
    with zh_hans_catalog(tmp_path, ZH):
        with translation.override("en"):
            plan = handover_plan_create_for_successor(
                leaving_rep=rep_a, successor=successor, created_by=None, today=TODAY
            )
        item = plan.items.order_by("rank").first()
        assert item.importance_reason == "Annual revenue"
        assert item.suggestion_reason == f"Nina Neu was hired to succeed {rep_a.full_name}."
        user_language_set(user=manager_a, language="zh-hans")
        client.force_login(manager_a)
        page = client.get(reverse("handover:plan_detail", args=[plan.pk])).content.decode()
    assert "年营收" in page
    assert f"Nina Neu 受聘接替 {rep_a.full_name}。" in page
    assert "was hired to succeed" not in page



def test_a_note_written_in_a_plan_says_where_in_the_readers_language(
    client, manager_a, rep_a, english_plan
):
    item = english_plan.items.order_by("rank").first()
    with translation.override("en"):
        saved = handover_plan_item_update(
            item=item, user=manager_a, note=NoteEdit(parts={"needs": "Weekly stock reports"})
        )
    english = f"Handover of {rep_a.full_name}'s customers (plan {english_plan.pk})"
    assert saved.knowledge.context == english
    user_language_set(user=manager_a, language="zh-hans")
    client.force_login(manager_a)
    customer = reverse("retention:customer_detail", args=[item.customer_id])
    page = client.get(customer).content.decode()
    api = APIClient()
    api.force_login(manager_a)
    history = api.get(f"/api/customers/{item.customer_id}/knowledge/history/").json()
    chinese = f"{rep_a.full_name} 的客户交接（计划 {english_plan.pk}）"
    assert chinese in page and html.escape(english) not in page
    assert history["results"][0]["context"] == chinese
    user_language_set(user=manager_a, language="en")
    assert html.escape(english) in client.get(customer).content.decode()

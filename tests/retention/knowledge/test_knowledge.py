"""What is known about a customer: versions that are never overwritten, a page, an API."""

import html

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from retention.knowledge.services import (
    MAX_PART_CHARS,
    KnowledgeConflict,
    KnowledgeError,
    customer_knowledge_update,
)
from retention.models import Activity, CustomerKnowledge, Deal

pytestmark = pytest.mark.django_db

PAGE = CustomerKnowledge.Source.CUSTOMER_PAGE


def write(customer, author, **parts):
    return customer_knowledge_update(customer=customer, author=author, parts=parts, source=PAGE)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- the service ---------------------------------------------------------------------------


def test_each_edit_is_a_new_version_and_earlier_ones_stay_as_written(customer_a, manager_a):
    first, written = write(customer_a, manager_a, needs="Weekly stock reports")
    assert written and first.version == 1
    second, written = write(customer_a, manager_a, contacts="Eva Lind, buyer")
    assert written and second.version == 2
    # Parts not given stay as they were; the first version is untouched.
    assert (second.needs, second.contacts) == ("Weekly stock reports", "Eva Lind, buyer")
    first.refresh_from_db()
    assert (first.needs, first.contacts) == ("Weekly stock reports", "")
    assert list(
        CustomerKnowledge.objects.filter(customer=customer_a)
        .order_by("version")
        .values_list("version", "author__username")
    ) == [(1, "manager.a"), (2, "manager.a")]


def test_saving_the_same_text_writes_no_version(customer_a, manager_a):
    write(customer_a, manager_a, needs="Reports")
    row, written = write(customer_a, manager_a, needs="  Reports  ")
    assert not written and row.version == 1
    assert CustomerKnowledge.objects.filter(customer=customer_a).count() == 1


def test_a_save_started_from_an_older_version_is_refused_and_names_the_newer(
    customer_a, manager_a, admin_user
):
    write(customer_a, admin_user, needs="Reports")
    with pytest.raises(KnowledgeConflict) as conflict:
        customer_knowledge_update(
            customer=customer_a,
            author=manager_a,
            parts={"needs": "Mine"},
            source=PAGE,
            base_version=0,
        )
    assert conflict.value.field == "base_version"
    assert conflict.value.extra == {"current_version": 1}
    assert "version 1" in conflict.value.message
    assert CustomerKnowledge.objects.get(customer=customer_a).needs == "Reports"


@pytest.mark.parametrize("base_version", [2, 10**20])
def test_a_save_from_a_version_never_written_is_refused_naming_the_latest(
    customer_a, manager_a, base_version
):
    """Not "someone saved a newer version (version 1, …)": nobody did."""
    write(customer_a, manager_a, needs="Reports")
    with pytest.raises(KnowledgeError) as refused:
        customer_knowledge_update(
            customer=customer_a,
            author=manager_a,
            parts={"needs": "Mine"},
            source=PAGE,
            base_version=base_version,
        )
    assert not isinstance(refused.value, KnowledgeConflict)
    assert refused.value.field == "base_version"
    assert refused.value.extra == {"current_version": 1}
    assert f"has no version {base_version}; the latest is 1" in refused.value.message
    assert CustomerKnowledge.objects.get(customer=customer_a).needs == "Reports"


def test_unknown_and_oversized_parts_are_refused_by_name(customer_a, manager_a):
    with pytest.raises(KnowledgeError) as unknown:
        write(customer_a, manager_a, gossip="x")
    assert unknown.value.field == "gossip"
    with pytest.raises(KnowledgeError) as long:
        write(customer_a, manager_a, contacts="x" * (MAX_PART_CHARS + 1))
    assert long.value.field == "contacts" and "Key contacts" in long.value.message
    assert not CustomerKnowledge.objects.exists()


def test_a_source_that_is_none_of_them_is_refused_in_a_sentence_in_each_language(
    customer_a, manager_a
):
    for language, expected in [
        (
            "en",
            "The source of a customer note must be one of: Customer page (customer), "
            "Handover plan (handover), API (api), Recorded before versions were kept (earlier).",
        ),
        ("zh-hans", "客户资料的来源必须是以下之一："),
    ]:
        with translation.override(language), pytest.raises(KnowledgeError) as refused:
            customer_knowledge_update(
                customer=customer_a, author=manager_a, parts={"needs": "x"}, source="gossip"
            )
        assert refused.value.message.startswith(expected)
        assert refused.value.field == "source"
    assert not CustomerKnowledge.objects.exists()


# --- the API -------------------------------------------------------------------------------


def test_api_reads_writes_and_lists_the_history_newest_first(customer_a, manager_a):
    client = api(manager_a)
    url = f"/api/customers/{customer_a.pk}/knowledge/"
    empty = client.get(url)
    assert empty.status_code == 200 and empty.json()["current"] is None

    first = client.post(url + "update/", {"needs": "Reports", "base_version": 0}, format="json")
    assert first.status_code == 200 and first.json()["written"] is True
    second = client.post(
        url + "update/", {"contacts": "Eva Lind", "base_version": 1}, format="json"
    )
    current = second.json()["current"]
    assert (current["version"], current["needs"], current["contacts"]) == (2, "Reports", "Eva Lind")
    assert current["changed"] == ["contacts"] and current["source"] == "api"
    assert current["author"] == manager_a.pk and current["is_complete"] is False

    stale = client.post(url + "update/", {"needs": "Old view", "base_version": 1}, format="json")
    assert stale.status_code == 400
    assert stale.json()["field"] == "base_version" and stale.json()["current_version"] == 2

    history = client.get(url + "history/").json()
    assert history["count"] == 2
    assert [v["version"] for v in history["results"]] == [2, 1]
    assert history["results"][1]["changed"] == ["needs"]


def test_api_is_scoped_and_only_managers_and_admins_write(
    customer_a, manager_a, manager_b, hr_user, admin_user
):
    url = f"/api/customers/{customer_a.pk}/knowledge/"
    write(customer_a, admin_user, needs="Reports")
    assert api(manager_b).get(url).status_code == 404
    assert api(manager_b).get(url + "history/").status_code == 404
    assert api(manager_b).post(url + "update/", {"needs": "x"}, format="json").status_code == 404
    assert api(hr_user).get(url).status_code == 200
    assert api(hr_user).post(url + "update/", {"needs": "x"}, format="json").status_code == 403
    # The admin who wrote it is not someone manager A may see named.
    seen = api(manager_a).get(url).json()["current"]
    assert seen["author"] is None and seen["author_name"] == "someone outside your teams"
    assert CustomerKnowledge.objects.get(customer=customer_a).needs == "Reports"


def test_bad_input_is_a_400_naming_the_field(customer_a, manager_a):
    url = f"/api/customers/{customer_a.pk}/knowledge/update/"
    long = api(manager_a).post(url, {"contacts": "x" * (MAX_PART_CHARS + 1)}, format="json")
    assert long.status_code == 400 and "contacts" in long.json()
    negative = api(manager_a).post(url, {"needs": "x", "base_version": -1}, format="json")
    assert negative.status_code == 400 and "base_version" in negative.json()


def test_schema_lists_the_knowledge_endpoints(admin_user):
    schema = api(admin_user).get("/api/schema/", {"format": "json"}).json()
    for path in (
        "/api/customers/{customer_id}/knowledge/",
        "/api/customers/{customer_id}/knowledge/update/",
        "/api/customers/{customer_id}/knowledge/history/",
    ):
        assert path in schema["paths"], path


# --- the pages -----------------------------------------------------------------------------


def test_customer_page_shows_the_note_and_its_history(client, customer_a, manager_a):
    write(customer_a, manager_a, needs="Weekly stock reports")
    write(customer_a, manager_a, contacts="Eva Lind, head of purchasing")
    client.force_login(manager_a)
    page = client.get(reverse("retention:customer_detail", args=[customer_a.pk])).content.decode()
    assert 'id="customer-knowledge"' in page and "Eva Lind, head of purchasing" in page
    assert 'data-version="2"' in page and 'data-version="1"' in page
    assert reverse("retention:customer_knowledge_edit", args=[customer_a.pk]) in page


def test_hr_reads_the_note_but_has_no_edit(client, customer_a, manager_a, hr_user):
    write(customer_a, manager_a, needs="Weekly stock reports")
    client.force_login(hr_user)
    page = client.get(reverse("retention:customer_detail", args=[customer_a.pk])).content.decode()
    assert "Weekly stock reports" in page and 'id="edit-knowledge"' not in page
    edit = reverse("retention:customer_knowledge_edit", args=[customer_a.pk])
    assert client.get(edit).status_code == 403


def test_the_edit_page_saves_a_version_and_refuses_a_stale_one(client, customer_a, manager_a):
    client.force_login(manager_a)
    url = reverse("retention:customer_knowledge_edit", args=[customer_a.pk])
    assert client.get(url).status_code == 200
    form = {"needs": "Reports\r\nmonthly", "base_version": "0"}
    saved = client.post(url, form, follow=True)
    assert "as version 1" in html.unescape(saved.content.decode())
    assert CustomerKnowledge.objects.get(customer=customer_a).needs == "Reports\nmonthly"

    stale = client.post(url, {**form, "needs": "Another view"})
    body = html.unescape(stale.content.decode())
    assert stale.status_code == 200 and "someone saved a newer version" in body
    assert 'value="1"' in body  # the form now starts from version 1: saving again is a choice
    assert CustomerKnowledge.objects.filter(customer=customer_a).count() == 1

    history = client.get(reverse("retention:customer_knowledge_history", args=[customer_a.pk]))
    assert history.status_code == 200 and 'data-version="1"' in history.content.decode()


def test_a_manager_cannot_see_or_edit_another_teams_customer_note(client, customer_b, manager_a):
    client.force_login(manager_a)
    for name in ("retention:customer_knowledge_edit", "retention:customer_knowledge_history"):
        assert client.get(reverse(name, args=[customer_b.pk])).status_code == 404
    url = reverse("retention:customer_knowledge_edit", args=[customer_b.pk])
    assert client.post(url, {"needs": "x", "base_version": "0"}).status_code == 404
    assert not CustomerKnowledge.objects.exists()


def test_the_customer_page_lists_no_deal_or_activity_the_crm_deleted(
    client, customer_a, rep_a, manager_a
):
    """An import marks what the CRM deleted and keeps it (``is_deleted``); the customer page
    lists what the CRM still holds (``Deal.objects.live()``, ``Activity.objects.live()``)."""
    today, now = timezone.localdate(), timezone.now()
    Deal.objects.create(
        customer=customer_a, owner=rep_a, amount=5, created_on=today, name="Kept renewal"
    )
    Deal.objects.create(
        customer=customer_a,
        owner=rep_a,
        amount=7,
        created_on=today,
        name="Gone upsell",
        is_deleted=True,
    )
    Activity.objects.create(
        rep=rep_a, customer=customer_a, kind="call", occurred_at=now, duration_minutes=17
    )
    Activity.objects.create(
        rep=rep_a,
        customer=customer_a,
        kind="call",
        occurred_at=now,
        duration_minutes=43,
        is_deleted=True,
    )
    client.force_login(manager_a)
    page = client.get(reverse("retention:customer_detail", args=[customer_a.pk])).content.decode()
    assert "Kept renewal" in page and '<td class="num">17</td>' in page
    assert "Gone upsell" not in page and '<td class="num">43</td>' not in page

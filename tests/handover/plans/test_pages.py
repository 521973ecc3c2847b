"""Pages: start, change, apply, reverse, briefs; a manager works only within scope."""

import datetime as dt
import html

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from handover.models import HandoverPlan
from handover.plans.services import handover_plan_apply, handover_plan_create
from retention.knowledge.services import customer_knowledge_update
from retention.models import Assignment, CustomerKnowledge, Deal
from tests.conftest import make_customer, make_rep
from tests.handover.plans.conftest import TODAY, give_scores

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def test_manager_starts_a_plan_from_the_rep_page_url(client, manager_a, rep_a, book):
    client.force_login(manager_a)
    url = reverse("handover:plan_create", args=[rep_a.pk])
    assert client.get(url).status_code == 200
    response = client.post(url)
    plan = HandoverPlan.objects.get(rep=rep_a)
    assert response.url == reverse("handover:plan_detail", args=[plan.pk])
    page = client.get(response.url).content.decode()
    assert "Big Key" in page and "Tiny Co" in page
    assert "2 key accounts have no complete note" in page


def test_manager_cannot_start_or_see_a_plan_outside_scope(client, manager_b, rep_a, book):
    client.force_login(manager_b)
    assert client.post(reverse("handover:plan_create", args=[rep_a.pk])).status_code == 404
    assert not HandoverPlan.objects.exists()
    plan, _ = handover_plan_create(rep=rep_a, created_by=None, today=TODAY)
    item = plan.items.first()
    for url in (
        reverse("handover:plan_detail", args=[plan.pk]),
        reverse("handover:item_edit", args=[plan.pk, item.pk]),
        reverse("handover:plan_brief", args=[plan.pk, "rep", rep_a.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("handover:plan_apply", args=[plan.pk])).status_code == 404
    assert "Alice" not in client.get(reverse("handover:plan_list")).content.decode()


def test_hr_sees_every_plan(client, hr_user, rep_a, rep_b, book):
    handover_plan_create(rep=rep_a, created_by=None, today=TODAY)
    handover_plan_create(rep=rep_b, created_by=None, today=TODAY)
    client.force_login(hr_user)
    page = client.get(reverse("handover:plan_list")).content.decode()
    assert "Alice Anders" in page and "Bruno Silva" in page


def test_manager_cannot_hand_a_customer_to_a_rep_outside_scope(
    client, manager_a, rep_a, rep_b, mates, book
):
    plan, _ = handover_plan_create(rep=rep_a, created_by=manager_a, today=TODAY)
    item = plan.items.get(rank=1)
    client.force_login(manager_a)
    url = reverse("handover:item_edit", args=[plan.pk, item.pk])
    response = client.post(url, {"recipient": f"rep:{rep_b.pk}", "mode": "permanent"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    item.refresh_from_db()
    assert item.chosen_rep != rep_b

    response = client.post(
        url,
        {
            "recipient": f"rep:{mates[1].pk}",
            "mode": "permanent",
            "move_open_deals": "on",
            "note-contacts": "Eva Lind",
            "note-base_version": "0",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.chosen_rep == mates[1]
    assert CustomerKnowledge.objects.get(customer=item.customer).contacts == "Eva Lind"
    assert item.move_open_activities is False


@pytest.mark.parametrize(
    ("day", "refusal"),
    [
        ("2020-01-01", "{customer}: the cover end date 2020-01-01 is in the past."),
        (
            "9999-12-31",
            "The cover end date 9999-12-31 is not a date Relay takes: choose one from "
            "1900-01-01 to 2100-12-31.",
        ),
        (
            "2101-01-01",
            "The cover end date 2101-01-01 is not a date Relay takes: choose one from "
            "1900-01-01 to 2100-12-31.",
        ),
    ],
)
def test_a_cover_end_date_in_the_past_or_off_the_calendar_is_refused_under_the_field_in_words(
    client, manager_a, rep_a, book, day, refusal
):
    plan, _ = handover_plan_create(rep=rep_a, created_by=manager_a, today=TODAY)
    item = plan.items.get(customer=book["big"])
    cover_until = item.cover_until
    client.force_login(manager_a)
    url = reverse("handover:item_edit", args=[plan.pk, item.pk])
    form = {
        "recipient": f"manager:{manager_a.pk}",
        "mode": "temporary",
        "cover_until": day,
        "note-base_version": "0",
    }
    response = client.post(url, form)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "cover_until": [refusal.format(customer=item.customer)]
    }
    assert not response.context["form"].non_field_errors()
    assert f'value="{day}"' in response.content.decode()
    item.refresh_from_db()
    assert item.cover_until == cover_until


@pytest.mark.parametrize("recipient", ["manager", "rep"])
def test_a_mode_that_is_none_of_them_is_refused_under_the_field_in_the_services_words(
    client, manager_a, rep_a, mates, book, recipient
):
    plan, _ = handover_plan_create(rep=rep_a, created_by=manager_a, today=TODAY)
    item = plan.items.get(customer=book["big"])
    before = (item.chosen_rep_id, item.chosen_manager_id, item.mode)
    client.force_login(manager_a)
    chosen = f"manager:{manager_a.pk}" if recipient == "manager" else f"rep:{mates[0].pk}"
    form = {"recipient": chosen, "mode": "forever", "note-base_version": "0"}
    response = client.post(reverse("handover:item_edit", args=[plan.pk, item.pk]), form)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "mode": ["Big Key: the mode must be one of: Permanent transfer, Temporary cover."]
    }
    item.refresh_from_db()
    assert (item.chosen_rep_id, item.chosen_manager_id, item.mode) == before


def test_a_cover_to_the_calendar_s_last_day_is_applied_and_shown_on_every_page(
    client, manager_a, rep_a, book
):
    plan, _ = handover_plan_create(rep=rep_a, created_by=manager_a, today=TODAY)
    item = plan.items.get(customer=book["big"])
    client.force_login(manager_a)
    form = {
        "recipient": f"manager:{manager_a.pk}",
        "mode": "temporary",
        "cover_until": "2100-12-31",
        "note-base_version": "0",
    }
    saved = client.post(reverse("handover:item_edit", args=[plan.pk, item.pk]), form)
    assert saved.status_code == 302
    client.post(reverse("handover:plan_apply", args=[plan.pk]), {"confirm_missing_notes": "on"})
    plan.refresh_from_db()
    assert plan.status == "applied"
    brief = reverse("handover:plan_brief", args=[plan.pk, "manager", manager_a.pk])
    for url in (
        reverse("handover:plan_detail", args=[plan.pk]),
        brief,
        brief + "?format=xlsx",
        reverse("handover:coverage"),
    ):
        assert client.get(url).status_code == 200, url
    assert "2100-12-31" in client.get(brief).content.decode()


def test_apply_and_reverse_from_the_plan_page(client, manager_a, rep_a, mates, book):
    give_scores({mates[0]: "low"})
    plan, _ = handover_plan_create(rep=rep_a, created_by=manager_a, today=TODAY)
    client.force_login(manager_a)
    url = reverse("handover:plan_apply", args=[plan.pk])
    confirmation = client.get(url).content.decode()
    assert 'id="apply-missing-notes"' in confirmation
    assert "Big Key" in confirmation and "Mid Key" in confirmation
    refused = client.post(url)  # two key accounts have no note and nobody said so
    assert refused.status_code == 200
    assert "Write the missing notes first" in refused.content.decode()
    plan.refresh_from_db()
    assert plan.status == "draft"
    client.post(url, {"confirm_missing_notes": "on"})
    plan.refresh_from_db()
    assert plan.status == "applied" and plan.approved_by == manager_a
    page = client.get(reverse("handover:plan_detail", args=[plan.pk])).content.decode()
    assert "Applied without notes for Big Key, Mid Key" in page
    assert not Assignment.objects.filter(rep=rep_a, valid_to__isnull=True).exists()
    unsaid = client.post(reverse("handover:plan_reverse", args=[plan.pk]), {}, follow=True)
    assert "Why reverse it: This field is required." in unsaid.content.decode()
    plan.refresh_from_db()
    assert plan.status == "applied"
    client.post(reverse("handover:plan_reverse", args=[plan.pk]), {"reason": "Mistake"})
    plan.refresh_from_db()
    assert plan.status == "reversed"
    assert Assignment.objects.filter(rep=rep_a, valid_to__isnull=True).count() == 4


def test_brief_per_recipient_flags_missing_notes_in_html_and_xlsx(
    client, manager_a, rep_a, mates, book
):
    give_scores({mates[0]: "low"})
    plan, _ = handover_plan_create(rep=rep_a, created_by=manager_a, today=TODAY)
    client.force_login(manager_a)
    url = reverse("handover:plan_brief", args=[plan.pk, "rep", mates[0].pk])
    page = client.get(url).content.decode()
    assert "Big Key" in page and "Handover note missing." in page
    response = client.get(url + "?format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    import io

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]
    big = next(r for r in rows if r[1] == "Big Key")
    assert big[-1] == "Missing"
    assert (
        client.get(reverse("handover:plan_brief", args=[plan.pk, "rep", rep_a.pk])).status_code
        == 404
    )


def test_single_threaded_page_offers_the_policys_backups_and_adds_one_from_the_row(
    client, manager_a, rep_a, rep_a2, rep_b, customer_a, customer_b, team_north_a
):
    carla = make_rep(team_north_a, "Carla", "Costa")
    give_scores({rep_a: "low", carla: "low", rep_a2: "low", rep_b: "low"})
    client.force_login(manager_a)
    url = reverse("handover:single_threaded")
    page = client.get(url).content.decode()
    assert 'data-customer="Acme Shipping"' in page and "Bento Foods" not in page
    # Only Carla, Alice's low-risk team-mate, is offered: not Arne of North B, not Bruno.
    assert f'value="rep:{carla.pk}"' in page
    assert f'value="rep:{rep_a2.pk}"' not in page and f'value="rep:{rep_b.pk}"' not in page

    backup = reverse("handover:customer_backup", args=[customer_a.pk])
    assert client.post(backup, {"recipient": f"rep:{rep_b.pk}"}).status_code == 404
    refused = client.post(
        backup, {"recipient": f"rep:{rep_a2.pk}", "cols": "4"}, HTTP_HX_REQUEST="true"
    )
    assert refused.status_code == 422 and "not of the holder" in refused.content.decode()
    other = reverse("handover:customer_backup", args=[customer_b.pk])
    assert client.post(other, {"recipient": f"rep:{rep_a2.pk}"}).status_code == 404
    assert not Assignment.objects.filter(role="backup").exists()

    row = client.post(backup, {"recipient": f"rep:{carla.pk}", "cols": "4"}, HTTP_HX_REQUEST="true")
    assert row.status_code == 200
    assert "Carla Costa now backs up Acme Shipping." in row.content.decode()
    assert 'colspan="4"' in row.content.decode()
    added = Assignment.objects.get(customer=customer_a, rep=carla)
    assert (added.role, added.created_by) == ("backup", manager_a)
    assert 'data-customer="Acme Shipping"' not in client.get(url).content.decode()


def test_single_threaded_page_filters_and_pages(client, admin_user, team_north_a, team_south_a):
    north = make_rep(team_north_a, "Nils", "North")
    south = make_rep(team_south_a, "Sara", "South")
    for n in range(30):
        make_customer(
            f"North Key {n:02}", owner=north, annual_revenue=1000 + n, is_key_account=True
        )
    make_customer("South Key", owner=south, annual_revenue=500, is_key_account=True)
    client.force_login(admin_user)
    url = reverse("handover:single_threaded")
    first = client.get(url).content.decode()
    assert first.count("data-customer=") == 25 and "31 key accounts" in first
    assert "North Key 29" in first and "South Key" not in first
    last = client.get(url, {"page": 2}).content.decode()
    assert last.count("data-customer=") == 6 and "South Key" in last
    south_only = client.get(url, {"team": team_south_a.pk}).content.decode()
    assert south_only.count("data-customer=") == 1 and "1 key account," in south_only
    assert client.get(url, {"q": "key 07"}).content.decode().count("data-customer=") == 1
    assert client.get(url, {"rep": south.pk}).content.decode().count("data-customer=") == 1
    assert client.get(url, {"team": "x"}).status_code == 400


def test_a_suggested_note_counts_as_written_only_once_a_person_confirms_it(
    client, manager_a, rep_a, mates, book
):
    big = book["big"]
    Deal.objects.create(
        customer=big,
        owner=rep_a,
        name="Renewal",
        stage="Proposal",
        amount=80_000,
        created_on=dt.date(2026, 9, 1),
        close_date=dt.date(2026, 12, 1),
    )
    plan, _ = handover_plan_create(rep=rep_a, created_by=manager_a, today=TODAY)
    item = plan.items.get(customer=big)
    client.force_login(manager_a)
    url = reverse("handover:item_edit", args=[plan.pk, item.pk])
    page = client.get(url).content.decode()
    assert "Renewal: Proposal, 80,000, 2026-12-01" in page  # suggested from the open deal
    assert "Suggested from Relay" in page
    form = {
        "recipient": f"manager:{manager_a.pk}",
        "mode": "temporary",
        "cover_until": "2026-12-31",
        "note-next_steps": "- Renewal: Proposal, 80,000, 2026-12-01",
        "note-base_version": "0",
    }
    client.post(url, form)  # the suggestion shown, left as it was: no note yet
    assert not CustomerKnowledge.objects.filter(customer=big).exists()
    client.post(url, {**form, "note-reviewed": "on"})
    row = CustomerKnowledge.objects.get(customer=big)
    assert (row.version, row.author, row.next_steps) == (
        1,
        manager_a,
        "- Renewal: Proposal, 80,000, 2026-12-01",
    )


def test_after_apply_the_plan_page_leads_to_a_note_that_is_kept(
    client, manager_a, rep_a, mates, book
):
    give_scores({mates[0]: "low"})
    plan, _ = handover_plan_create(rep=rep_a, created_by=manager_a, today=TODAY)
    handover_plan_apply(plan=plan, approved_by=manager_a, confirm_missing_notes=True, today=TODAY)
    item = plan.items.get(customer=book["big"])
    url = reverse("handover:item_edit", args=[plan.pk, item.pk])
    client.force_login(manager_a)
    detail = client.get(reverse("handover:plan_detail", args=[plan.pk])).content.decode()
    assert url in detail and "a note can still be written" in detail
    form = client.get(url).content.decode()
    assert 'id="plan-settled"' in form and 'name="recipient"' not in form
    parts = {
        "note-needs": "Weekly stock reports",
        "note-contacts": "Eva Lind, head of purchasing",
        "note-next_steps": "Renewal due in May",
        "note-open_issues": "Competitor pitching on price",
        "note-base_version": "0",
    }
    response = client.post(url, parts, follow=True)
    assert "Saved Big Key's note as version 1" in html.unescape(response.content.decode())
    row = CustomerKnowledge.objects.get(customer=book["big"])
    assert (row.author, row.source, row.contacts) == (
        manager_a,
        "handover",
        "Eva Lind, head of purchasing",
    )
    detail = client.get(reverse("handover:plan_detail", args=[plan.pk])).content.decode()
    assert "1 key account has no complete note" in detail  # Mid Key only
    customer_page = client.get(reverse("retention:customer_detail", args=[book["big"].pk]))
    assert "Eva Lind, head of purchasing" in customer_page.content.decode()

    # A second editor who opened version 0 is told, not silently overwritten.
    stale = client.post(url, {**parts, "note-contacts": "Someone else"})
    assert stale.status_code == 200
    assert "someone saved a newer version" in stale.content.decode()
    assert CustomerKnowledge.objects.filter(customer=book["big"]).count() == 1


def test_brief_keeps_a_note_that_looks_like_a_formula_as_text(
    client, manager_a, rep_a, mates, book
):
    import io

    give_scores({mates[0]: "low"})
    plan, _ = handover_plan_create(rep=rep_a, created_by=manager_a, today=TODAY)
    customer_knowledge_update(
        customer=book["big"],
        author=manager_a,
        parts={"open_issues": '=HYPERLINK("http://x","y")'},
        source=CustomerKnowledge.Source.CUSTOMER_PAGE,
    )
    client.force_login(manager_a)
    url = reverse("handover:plan_brief", args=[plan.pk, "rep", mates[0].pk])
    sheet = load_workbook(io.BytesIO(client.get(url + "?format=xlsx").content)).active
    row = next(r for r in sheet.iter_rows(min_row=5) if r[1].value == "Big Key")
    risks = row[9]
    assert risks.value == '=HYPERLINK("http://x","y")'
    assert risks.data_type == "s"
    # The revenue stays a number and shows with the organisation's currency.
    assert row[3].value == 900_000 and row[3].number_format.startswith('"CN¥"#,##0')
    html = client.get(url).content.decode()
    assert "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)" in html


# --- the one access layer: rights, people beside a plan, list parameters -------------------------


def test_a_recipient_outside_the_viewers_scope_is_unnamed_and_has_no_brief(
    client, manager_a, hr_user, rep_a, rep_b, book
):
    plan, _ = handover_plan_create(rep=rep_a, created_by=hr_user, today=TODAY)
    # However it came about (an old suggestion, an admin's choice), the item names Bruno of
    # South A, whom manager A may not see.
    plan.items.filter(customer=book["big"]).update(
        chosen_rep=rep_b, suggested_rep=rep_b, chosen_manager=None, suggested_manager=None
    )
    brief = reverse("handover:plan_brief", args=[plan.pk, "rep", rep_b.pk])

    client.force_login(manager_a)
    page = client.get(reverse("handover:plan_detail", args=[plan.pk])).content.decode()
    assert "Bruno" not in page and "a rep of another team" in page
    assert brief not in page
    assert "harriet.hr" not in page and "someone outside your teams" in page
    assert client.get(brief).status_code == 404
    assert client.get(brief + "?format=xlsx").status_code == 404

    client.force_login(hr_user)
    assert (
        "Bruno Silva"
        in client.get(reverse("handover:plan_detail", args=[plan.pk])).content.decode()
    )
    assert client.get(brief).status_code == 200


def test_a_manager_whose_group_lacks_the_apply_right_is_refused_on_page_and_api(
    client, manager_a, rep_a, mates, book
):
    from django.contrib.auth.models import Group, Permission
    from rest_framework.test import APIClient

    from accounts.models import User
    from accounts.roles import ROLE_GROUP_NAMES

    give_scores({mates[0]: "low"})
    plan, _ = handover_plan_create(rep=rep_a, created_by=manager_a, today=TODAY)
    group = Group.objects.get(name=ROLE_GROUP_NAMES[User.Role.SALES_MANAGER])
    group.permissions.remove(Permission.objects.get(codename="change_handoverplan"))
    manager = User.objects.get(pk=manager_a.pk)

    client.force_login(manager)
    assert client.post(reverse("handover:plan_apply", args=[plan.pk])).status_code == 403
    caller = APIClient()
    caller.force_authenticate(manager)
    assert caller.post(f"/api/handover/plans/{plan.pk}/apply/").status_code == 403
    plan.refresh_from_db()
    assert plan.status == "draft"
    # Reading is still theirs.
    assert client.get(reverse("handover:plan_detail", args=[plan.pk])).status_code == 200


@pytest.mark.parametrize(
    ("params", "named"),
    [({"status": "nowhere"}, "status"), ({"rep": "1\x00"}, "rep"), ({"rep": "-3"}, "rep")],
)
def test_unreadable_plan_list_parameters_are_a_400_naming_them_on_page_and_api(
    client, hr_user, params, named
):
    from rest_framework.test import APIClient

    client.force_login(hr_user)
    page = client.get(reverse("handover:plan_list"), params)
    assert page.status_code == 400 and f'data-parameter="{named}"' in page.content.decode()
    caller = APIClient()
    caller.force_authenticate(hr_user)
    response = caller.get("/api/handover/plans/", params)
    assert response.status_code == 400 and named in response.json()


def test_plan_list_filters_by_rep_on_page_and_api_alike(client, hr_user, rep_a, rep_b, book):
    from rest_framework.test import APIClient

    mine, _ = handover_plan_create(rep=rep_a, created_by=None, today=TODAY)
    handover_plan_create(rep=rep_b, created_by=None, today=TODAY)
    client.force_login(hr_user)
    page = client.get(reverse("handover:plan_list"), {"rep": rep_a.pk})
    assert [p.pk for p in page.context["plans"]] == [mine.pk]
    caller = APIClient()
    caller.force_authenticate(hr_user)
    listed = caller.get("/api/handover/plans/", {"rep": rep_a.pk}).json()["results"]
    assert [p["id"] for p in listed] == [mine.pk]


def test_an_empty_plan_list_says_whether_a_filter_hides_plans_and_how_to_start_one(
    client, hr_user, manager_a, rep_a, book
):
    client.force_login(manager_a)
    page = client.get(reverse("handover:plan_list")).content.decode()
    assert "No handover plans yet. Start one from a rep's page." in page
    handover_plan_create(rep=rep_a, created_by=None, today=TODAY)
    page = client.get(reverse("handover:plan_list"), {"status": "applied"}).content.decode()
    assert "No handover plan matches this filter." in page and "No handover plans yet" not in page
    # HR reads every plan but does not start one: no invitation to.
    HandoverPlan.objects.all().delete()
    client.force_login(hr_user)
    page = client.get(reverse("handover:plan_list")).content.decode()
    assert "No handover plans yet." in page and "Start one" not in page

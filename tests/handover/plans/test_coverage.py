"""The coverage page finds each kind of gap; the nightly check alerts once per gap."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from handover.models import CoverageGap
from handover.plans.coverage import (
    coverage_counts,
    coverage_gaps,
    coverage_gaps_for,
    single_threaded_customers,
)
from handover.plans.services import (
    coverage_alerts_notify,
    coverage_gaps_sync,
    handover_plan_apply,
    handover_plan_create,
)
from handover.plans.tasks import coverage_gaps_sync_task
from retention.models import Assignment, Customer, RiskScore, SalesRep
from retention.ownership.selectors import rep_key_accounts
from retention.ownership.services import assignment_add_backup
from tests.conftest import make_customer, make_rep
from tests.handover.plans.conftest import TODAY, give_scores

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def kinds(gaps, customer):
    return {g.kind for g in gaps if g.customer_id == customer.pk}


def test_key_account_whose_owner_is_leaving_is_a_gap(rep_a, customer_a):
    assert kinds(coverage_gaps_for(user=None, today=TODAY), customer_a) == set()
    rep_a.status, rep_a.departure_date = "notice", dt.date(2026, 11, 30)
    rep_a.save()
    assert kinds(coverage_gaps_for(user=None, today=TODAY), customer_a) == {"owner_leaving"}


def test_key_account_nobody_holds_is_a_gap(rep_a, customer_a):
    Assignment.objects.filter(customer=customer_a).update(valid_to=TODAY)
    assert kinds(coverage_gaps_for(user=None, today=TODAY), customer_a) == {"uncovered"}


def test_customer_held_only_by_high_risk_reps_is_a_gap_until_a_safe_backup_joins(
    rep_a, rep_a2, customer_a
):
    give_scores({rep_a: "high", rep_a2: "medium"})
    assert kinds(coverage_gaps_for(user=None, today=TODAY), customer_a) == {"high_risk_only"}
    assignment_add_backup(customer_id=customer_a.pk, rep=rep_a2, created_by=None)
    assert kinds(coverage_gaps_for(user=None, today=TODAY), customer_a) == set()


def _serving_notice(run, rep, last_day: dt.date) -> None:
    """The rep gave notice and ``run`` stored them leaving, in the high band as scoring does."""
    SalesRep.objects.filter(pk=rep.pk).update(
        status=SalesRep.Status.NOTICE, departure_date=last_day
    )
    RiskScore.objects.filter(run=run, rep=rep).update(
        status=RiskScore.Status.LEAVING, last_day=last_day, probability=1.0, change=None
    )


def test_a_leaving_reps_customers_are_counted_once_and_never_as_high_risk(
    client, rep_a, rep_a2, customer_a, manager_a, team_north_a
):
    """rep_a2 is serving notice (stored in the high band), rep_a is high risk. Each customer
    is in one gap: the leaving rep's key account under owner_leaving, their other customers
    under leaving_only (one backed up by another rep serving notice), one shared with the
    high-risk rep_a under high_risk_only; the cards
    add up to the customers listed."""
    safe = make_rep(team_north_a, "Sam", "Safe")
    run = give_scores({rep_a: "high", rep_a2: "high", safe: "low"})
    _serving_notice(run, rep_a2, dt.date(2026, 11, 30))
    key = make_customer("Leaver Key", owner=rep_a2, is_key_account=True)
    small = make_customer("Leaver Shop", owner=rep_a2)
    other_leaver = make_rep(team_north_a, "Lea", "Ving", status="notice", departure_date=TODAY)
    backed_by_leaver = make_customer("Leaver Backs", owner=rep_a2)
    Assignment.objects.create(
        customer=backed_by_leaver, rep=other_leaver, role=Assignment.Role.BACKUP, valid_from=TODAY
    )
    shared = make_customer("Shared Shop", owner=rep_a2)
    Assignment.objects.create(
        customer=shared, rep=rep_a, role=Assignment.Role.BACKUP, valid_from=TODAY
    )
    covered = make_customer("Covered Shop", owner=rep_a2)
    Assignment.objects.create(
        customer=covered, rep=safe, role=Assignment.Role.BACKUP, valid_from=TODAY
    )

    gaps = coverage_gaps_for(user=manager_a, today=TODAY)
    assert kinds(gaps, key) == {"owner_leaving"}
    assert kinds(gaps, small) == kinds(gaps, backed_by_leaver) == {"leaving_only"}
    assert kinds(gaps, shared) == {"high_risk_only"}
    assert kinds(gaps, customer_a) == {"high_risk_only"}
    assert kinds(gaps, covered) == set()
    shared_gap = next(g for g in gaps if g.customer_id == shared.pk)
    assert "Alice Anders" in shared_gap.detail and "Arne Berg" not in shared_gap.detail
    counts = coverage_counts(user=manager_a, today=TODAY)
    assert (counts["owner_leaving"], counts["leaving_only"], counts["high_risk_only"]) == (1, 2, 2)
    assert sum(counts.values()) == len({g.customer_id for g in gaps}) == 5

    client.force_login(manager_a)
    page = client.get(reverse("handover:coverage")).content.decode()
    assert page.count('data-kind="leaving_only" data-customer-id=') == 2
    assert "Covered only by reps who have left or are leaving" in page


def test_temporary_cover_past_its_end_date_is_a_gap(rep_a, customer_a, manager_a):
    plan, _ = handover_plan_create(rep=rep_a, created_by=manager_a, today=TODAY)
    item = plan.items.get()
    assert (item.chosen_manager, item.mode) == (manager_a, "temporary")
    handover_plan_apply(plan=plan, approved_by=manager_a, confirm_missing_notes=True, today=TODAY)
    item.refresh_from_db()
    assert kinds(coverage_gaps_for(user=None, today=item.cover_until), customer_a) == set()
    later = item.cover_until + dt.timedelta(days=1)
    assert kinds(coverage_gaps_for(user=None, today=later), customer_a) == {"cover_expired"}


def test_coverage_page_shows_each_kind_within_the_managers_scope(
    client, rep_a, rep_b, customer_a, customer_b, manager_a, manager_b, team_north_a
):
    give_scores({rep_a: "high", rep_b: "high"})
    leaver = make_rep(team_north_a, "Lea", "Ving", status="notice", departure_date=TODAY)
    make_customer("Leaving Key", owner=leaver, is_key_account=True)
    orphan = make_customer("Orphan Key", owner=rep_a, is_key_account=True)
    Assignment.objects.filter(customer=orphan).update(valid_to=TODAY)

    client.force_login(manager_a)
    page = client.get(reverse("handover:coverage")).content.decode()
    assert "Acme Shipping" in page and "Leaving Key" in page and "Orphan Key" in page
    assert "Bento Foods" not in page  # manager B's customer
    counts = coverage_counts(user=manager_a, today=TODAY)
    assert counts == {
        "owner_leaving": 1,
        "uncovered": 1,
        "leaving_only": 0,
        "high_risk_only": 1,
        "cover_expired": 0,
    }
    assert coverage_counts(user=manager_b, today=TODAY)["high_risk_only"] == 1


def test_nightly_check_opens_each_gap_once_resolves_it_and_reopens_it_as_new(
    rep_a, customer_a, rep_a2, manager_a
):
    give_scores({rep_a: "high"})
    assert coverage_gaps_sync(today=TODAY)["opened"] == 1
    assert coverage_gaps_sync(today=TODAY)["opened"] == 0
    assert CoverageGap.objects.filter(status="open").count() == 1

    backup = assignment_add_backup(customer_id=customer_a.pk, rep=rep_a2, created_by=None)
    assert coverage_gaps_sync(today=TODAY)["resolved"] == 1
    Assignment.objects.filter(pk=backup.pk).update(valid_to=TODAY)
    assert coverage_gaps_sync(today=TODAY)["opened"] == 1
    assert list(CoverageGap.objects.order_by("pk").values_list("status", flat=True)) == [
        "resolved",
        "open",
    ]


def test_alerts_are_mailed_to_the_team_manager_once(rep_a, customer_a, manager_a):
    manager_a.email = "mona@example.com"
    manager_a.save()
    give_scores({rep_a: "high"})
    coverage_gaps_sync(today=TODAY)
    assert coverage_alerts_notify() == 1
    assert coverage_alerts_notify() == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["mona@example.com"]
    assert "Acme Shipping" in mail.outbox[0].body


def test_nightly_task_runs_on_a_real_worker(celery_worker_process, rep_a, customer_a):
    give_scores({rep_a: "high"})
    result = coverage_gaps_sync_task.delay(TODAY.isoformat()).get(timeout=60)
    assert result["opened"] == 1
    again = coverage_gaps_sync_task.delay(TODAY.isoformat()).get(timeout=60)
    assert again["opened"] == 0 and again["notified"] == 0
    assert CoverageGap.objects.filter(customer=customer_a, kind="high_risk_only").count() == 1


def test_single_threaded_lists_key_customers_with_one_rep_and_the_reps_share(
    rep_a, rep_a2, customer_a, manager_a
):
    second = make_customer("Second Key", owner=rep_a, annual_revenue=800_000, is_key_account=True)
    assignment_add_backup(customer_id=second.pk, rep=rep_a2, created_by=None)
    names = [c.name for c in single_threaded_customers(user=manager_a)]
    assert names == ["Acme Shipping"]
    # The rep's share is the ownership rule's, over the same accounts the page lists.
    key_accounts = rep_key_accounts(rep_id=rep_a.pk)
    assert (key_accounts.revenue, key_accounts.alone_revenue) == (2_000_000, 1_200_000)
    assert key_accounts.alone_share == pytest.approx(0.6)


# --- who should take it: the ownership policy, within the viewer's scope (issue 10) ----------


def test_owner_leaving_gap_suggests_a_staying_low_risk_team_mate_never_one_serving_notice(
    rep_a, customer_a, manager_a, team_north_a
):
    in_three_days = TODAY + dt.timedelta(days=3)
    rep_a.status, rep_a.departure_date = "notice", dt.date(2026, 11, 30)
    rep_a.save()
    leaving = make_rep(team_north_a, "Lea", "Ving", departure_date=in_three_days)
    staying = make_rep(team_north_a, "Stan", "Ding")
    give_scores({leaving: "low", staying: "low"})
    Assignment.objects.create(
        customer=customer_a, rep=leaving, role="backup", valid_from=dt.date(2024, 1, 1)
    )
    gap = next(g for g in coverage_gaps(user=manager_a, today=TODAY) if g.kind == "owner_leaving")
    assert (gap.suggestion.kind, gap.suggestion.rep_id) == ("team_rep", staying.pk)
    assert gap.suggestion.name == "Stan Ding"


def test_single_threaded_backup_suggestion_skips_reps_serving_notice_and_high_risk(
    rep_a, customer_a, manager_a, team_north_a
):
    notice = make_rep(team_north_a, "Nora", "Notice", status="notice")
    last_day = make_rep(team_north_a, "Lars", "Lastday", departure_date=TODAY + dt.timedelta(3))
    risky = make_rep(team_north_a, "Rita", "Risky")
    give_scores({notice: "low", last_day: "low", risky: "high"})
    [customer] = single_threaded_customers(user=manager_a)
    assert customer.suggested_backup is None
    calm = make_rep(team_north_a, "Carl", "Calm")
    give_scores({notice: "low", last_day: "low", risky: "high", calm: "low"})
    [customer] = single_threaded_customers(user=manager_a)
    assert (customer.suggested_backup.rep_id, customer.suggested_backup.name) == (
        calm.pk,
        "Carl Calm",
    )


def test_gap_detail_names_no_rep_of_another_team(rep_a, rep_b, customer_b, manager_b):
    """Bento Foods (manager B's) also has a high-risk backup from North: manager B sees the
    gap without that rep's name."""
    Assignment.objects.create(
        customer=customer_b, rep=rep_a, role="backup", valid_from=dt.date(2024, 1, 1)
    )
    give_scores({rep_a: "high", rep_b: "high"})
    gaps = [g for g in coverage_gaps(user=manager_b, today=TODAY) if g.customer_id == customer_b.pk]
    assert [g.kind for g in gaps] == ["high_risk_only"]
    assert "Alice" not in gaps[0].detail and "Anders" not in gaps[0].detail
    assert "a rep of another team" in gaps[0].detail
    assert (gaps[0].suggestion.kind, gaps[0].suggestion.manager_id) == ("manager", manager_b.pk)


def test_nightly_gap_alerts_name_nobody_on_the_page_or_in_the_mail(
    client, rep_a, rep_b, customer_b, manager_b, mailoutbox
):
    """The stored alert was worded for the whole organisation; neither the coverage page nor
    the e-mail to the manager repeats it."""
    CoverageGap.objects.create(
        customer=customer_b,
        kind=CoverageGap.Kind.HIGH_RISK_ONLY,
        detail="Only Alice Anders of North A holds it",
        first_seen=dt.date(2026, 11, 30),
        last_seen=dt.date(2026, 11, 30),
    )
    client.force_login(manager_b)
    page = client.get(reverse("handover:coverage")).content.decode()
    assert customer_b.name in page
    assert "Alice Anders" not in page
    coverage_alerts_notify()
    assert all("Alice" not in message.body for message in mailoutbox)


# --- who is leaving, and whose key account it is: pinned before the rules moved -------------

LAST_DAY = dt.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("rep_change", "score_leaving"),
    [
        ({"status": "notice"}, False),
        ({"departure_date": LAST_DAY}, False),
        ({"status": "left", "departure_date": TODAY}, False),
        ({}, True),
    ],
    ids=["notice-no-last-day", "last-day-status-unchanged", "left", "latest-run-says-leaving"],
)
@pytest.mark.parametrize(
    ("key_account", "kind"), [(True, "owner_leaving"), (False, "leaving_only")], ids=["key", "not"]
)
def test_a_customer_whose_owner_is_leaving_in_any_way_is_a_gap(
    rep_change, score_leaving, key_account, kind, rep_a, customer_a
):
    Customer.objects.filter(pk=customer_a.pk).update(is_key_account=key_account)
    run = give_scores({rep_a: "low"})
    assert kinds(coverage_gaps_for(user=None, today=TODAY), customer_a) == set()
    SalesRep.objects.filter(pk=rep_a.pk).update(**rep_change)
    if score_leaving:
        RiskScore.objects.filter(run=run, rep=rep_a).update(
            status=RiskScore.Status.LEAVING, last_day=LAST_DAY, probability=1.0
        )
    assert kinds(coverage_gaps_for(user=None, today=TODAY), customer_a) == {kind}


def test_only_the_current_owner_of_a_key_account_makes_an_owner_leaving_gap(
    customer_a, manager_a, team_north_a
):
    """A leaving backup beside a staying owner is no gap; a key account held only by a leaving
    temporary cover (no owner) is leaving-only; a leaving owner is owner-leaving even with a
    manager covering, whereas a manager covering a smaller customer covers it."""
    leaver = make_rep(team_north_a, "Lea", "Ving", departure_date=LAST_DAY)
    Assignment.objects.create(
        customer=customer_a, rep=leaver, role=Assignment.Role.BACKUP, valid_from=TODAY
    )
    covered_by_leaver = make_customer("Cover Key", is_key_account=True)
    Assignment.objects.create(
        customer=covered_by_leaver,
        rep=leaver,
        role=Assignment.Role.TEMPORARY_COVER,
        valid_from=TODAY,
    )
    owned_by_leaver = make_customer("Owned Key", owner=leaver, is_key_account=True)
    small = make_customer("Small Shop", owner=leaver)
    for customer in (owned_by_leaver, small):
        Assignment.objects.create(
            customer=customer,
            manager=manager_a,
            role=Assignment.Role.MANAGER_COVER,
            valid_from=TODAY,
        )
    gaps = coverage_gaps_for(user=None, today=TODAY)
    assert kinds(gaps, customer_a) == set()
    assert kinds(gaps, covered_by_leaver) == {"leaving_only"}
    assert kinds(gaps, owned_by_leaver) == {"owner_leaving"}
    assert kinds(gaps, small) == set()


def test_the_most_urgent_gaps_come_first_on_the_page_and_in_the_api(
    client, admin_user, rep_a, rep_a2, rep_b
):
    """A key account whose owner is leaving and one nobody holds come before the customers
    held only by high-risk reps, however much more those bring in: the kinds in the order the
    page's cards give them, then the most revenue."""
    give_scores({rep_a2: "high"})
    rep_a.status, rep_a.departure_date = "notice", dt.date(2026, 11, 30)
    rep_a.save()
    make_customer("Small Key", owner=rep_a, annual_revenue=10_000, is_key_account=True)
    make_customer("Big Risky", owner=rep_a2, annual_revenue=9_000_000)
    make_customer("Bigger Risky", owner=rep_a2, annual_revenue=9_500_000)
    make_customer("Nobody's", annual_revenue=5_000, is_key_account=True)
    expected = [
        ("Small Key", "owner_leaving"),
        ("Nobody's", "uncovered"),
        ("Bigger Risky", "high_risk_only"),
        ("Big Risky", "high_risk_only"),
    ]
    gaps = coverage_gaps(user=admin_user, today=TODAY)
    assert [(g.customer_name, g.kind) for g in gaps] == expected
    client.force_login(admin_user)
    api = client.get(reverse("api-handover-coverage")).json()["gaps"]
    assert [(g["customer_name"], g["kind"]) for g in api] == expected
    page = client.get(reverse("handover:coverage")).content.decode()
    positions = [page.index(name.replace("'", "&#x27;")) for name, _kind in expected]
    assert positions == sorted(positions)

"""Reads of assignments: people beside a customer pass the viewer's scope."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Q

from accounts.services import user_create
from retention.models import Assignment, Customer, Deal, SalesRep
from retention.ownership import selectors
from tests.conftest import make_customer, make_rep
from tests.handover.plans.conftest import give_scores

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def shared(rep_a, rep_b):
    """A customer owned by rep_b (South A) with rep_a (North A) as backup, and an earlier
    owner from North."""
    customer = make_customer("Shared Co", owner=rep_b, annual_revenue=500_000)
    Assignment.objects.create(
        customer=customer, rep=rep_a, role="backup", valid_from=dt.date(2024, 1, 1)
    )
    earlier = make_rep(rep_a.team, "Earl", "Ier", crm_user_id="005EARL")
    Assignment.objects.create(
        customer=customer,
        rep=earlier,
        role="owner",
        valid_from=dt.date(2020, 1, 1),
        valid_to=dt.date(2022, 12, 31),
    )
    return customer


def test_holder_history_hides_reps_of_another_team(shared, manager_b, rep_b):
    history = selectors.customer_holder_history(user=manager_b, customer=shared)
    shown = [(h.name, h.rep_id, h.email, h.crm_user_id, h.visible) for h in history]
    # Current first (the newest first), then the past.
    assert shown == [
        ("a rep of another team", None, "", "", False),
        ("Bruno Silva", rep_b.pk, rep_b.email, "", True),
        ("a rep of another team", None, "", "", False),
    ]
    assert [h.role for h in history] == ["backup", "owner", "owner"]
    assert history[1].get_role_display() == "Owner" and history[1].holder_name == "Bruno Silva"


def test_admin_sees_every_holder_by_name(shared, admin_user):
    names = [h.name for h in selectors.customer_holder_history(user=admin_user, customer=shared)]
    assert names == ["Alice Anders", "Bruno Silva", "Earl Ier"]


def test_backups_carry_risk_only_for_reps_in_scope(shared, manager_a, manager_b, rep_a, rep_b):
    give_scores({rep_a: "low", rep_b: "high"})
    [seen_by_a] = selectors.customer_backups(user=manager_a, customer_ids=[shared.pk])[shared.pk]
    assert (seen_by_a.name, seen_by_a.band) == ("Alice Anders", "low")
    [seen_by_b] = selectors.customer_backups(user=manager_b, customer_ids=[shared.pk])[shared.pk]
    assert (seen_by_b.name, seen_by_b.band, seen_by_b.probability) == (
        "a rep of another team",
        None,
        None,
    )


def test_covering_manager_outside_scope_is_not_named(rep_b, manager_b, customer_b):
    other = user_create(
        username="other.boss", password="x", role="sales_manager", first_name="Olive"
    )
    Assignment.objects.create(
        customer=customer_b, manager=other, role="manager_cover", valid_from=dt.date(2024, 1, 1)
    )
    holders = selectors.customer_holders(user=manager_b, customer_ids=[customer_b.pk])
    assert [h.name for h in holders[customer_b.pk]] == ["Bruno Silva", "someone outside your teams"]


# --- single-threaded: one definition, read alike by every feature --------------------------


@pytest.fixture
def rep_a_book(rep_a, rep_a2, manager_a):
    """rep_a's customers: a key account only they hold, one rep_a2 backs up, one their
    manager covers, and a small customer only they hold."""
    alone = make_customer("Alone", owner=rep_a, annual_revenue=600_000, is_key_account=True)
    backed = make_customer("Backed", owner=rep_a, annual_revenue=300_000, is_key_account=True)
    Assignment.objects.create(
        customer=backed, rep=rep_a2, role="backup", valid_from=dt.date(2024, 1, 1)
    )
    covered = make_customer("Covered", owner=rep_a, annual_revenue=100_000, is_key_account=True)
    Assignment.objects.create(
        customer=covered, manager=manager_a, role="manager_cover", valid_from=dt.date(2024, 1, 1)
    )
    small = make_customer("Small", owner=rep_a, annual_revenue=5_000)
    return {"alone": alone, "backed": backed, "covered": covered, "small": small}


def test_a_covering_manager_is_a_relationship_for_every_reader_of_single_threaded(
    rep_a, rep_a_book
):
    # The demo's count of what a rep holds alone used to leave covering managers out: the
    # account a manager covers counted as held alone there, and nowhere else.
    book = rep_a_book
    every = Customer.objects.filter(pk__in=[c.pk for c in book.values()])
    assert set(selectors.key_accounts_single_threaded(every)) == {book["alone"]}
    assert selectors.customers_held_alone_by(
        rep_id=rep_a.pk, customer_ids=[c.pk for c in book.values()]
    ) == {book["alone"].pk, book["small"].pk}
    expected = selectors.KeyAccounts(
        held=3, alone=1, revenue=Decimal(1_000_000), alone_revenue=Decimal(600_000)
    )
    assert selectors.rep_key_accounts(rep_id=rep_a.pk) == expected
    assert selectors.key_accounts_by_rep()[rep_a.pk] == expected
    assert selectors.reps_holding_single_threaded([rep_a.pk]) == {rep_a.pk}
    held = selectors.rep_current_customers(rep=rep_a)
    flags = {a.customer.name: a.only_relationship for a in held}
    assert flags == {"Alone": True, "Backed": False, "Covered": False, "Small": True}


def test_the_backup_of_a_key_account_holds_it_alone_once_the_owner_has_gone(rep_a, rep_a2):
    backed = make_customer("Backed", owner=rep_a2, annual_revenue=300_000, is_key_account=True)
    Assignment.objects.create(
        customer=backed, rep=rep_a, role="backup", valid_from=dt.date(2024, 1, 1)
    )
    assert selectors.rep_key_accounts(rep_id=rep_a.pk).alone == 0
    Assignment.objects.filter(customer=backed, rep=rep_a2).update(valid_to=dt.date(2025, 1, 1))
    by_rep = selectors.key_accounts_by_rep(rep_ids=[rep_a.pk, rep_a2.pk])
    assert by_rep == {
        rep_a.pk: selectors.KeyAccounts(
            held=1, alone=1, revenue=Decimal(300_000), alone_revenue=Decimal(300_000)
        )
    }
    assert selectors.reps_holding_single_threaded([rep_a.pk, rep_a2.pk]) == {rep_a.pk}


def test_a_rep_without_key_accounts_holds_no_share_and_no_customers_cost_no_query(
    rep_a, django_assert_num_queries
):
    make_customer("Small", owner=rep_a, annual_revenue=5_000)
    key_accounts = selectors.rep_key_accounts(rep_id=rep_a.pk)
    assert key_accounts == selectors.KeyAccounts() and key_accounts.alone_share is None
    with django_assert_num_queries(0):
        assert selectors.customers_held_alone_by(rep_id=rep_a.pk, customer_ids=[]) == set()
        assert selectors.reps_holding_single_threaded([]) == set()
    with django_assert_num_queries(2):
        assert selectors.reps_holding_single_threaded([rep_a.pk]) == set()


@pytest.fixture
def owned_book(rep_a, rep_a2, rep_b):
    """rep_a owns one key account and a small customer, backs up a key account rep_b owns,
    covers one rep_a2 owns, and used to own a key account rep_a2 owns now."""
    make_customer("Owned Key", owner=rep_a, annual_revenue=700_000, is_key_account=True)
    make_customer("Owned Small", owner=rep_a, annual_revenue=50_000)
    backed = make_customer("Backed Key", owner=rep_b, annual_revenue=300_000, is_key_account=True)
    Assignment.objects.create(
        customer=backed, rep=rep_a, role="backup", valid_from=dt.date(2024, 1, 1)
    )
    covered = make_customer(
        "Covered Key", owner=rep_a2, annual_revenue=200_000, is_key_account=True
    )
    Assignment.objects.create(
        customer=covered, rep=rep_a, role="temporary_cover", valid_from=dt.date(2024, 1, 1)
    )
    former = make_customer("Former Key", owner=rep_a, annual_revenue=900_000, is_key_account=True)
    Assignment.objects.filter(customer=former).update(valid_to=dt.date(2024, 12, 31))
    Assignment.objects.create(
        customer=former, rep=rep_a2, role="owner", valid_from=dt.date(2025, 1, 1)
    )


def test_owned_key_revenue_counts_only_key_accounts_the_rep_owns_now(
    owned_book, rep_a, rep_a2, rep_b
):
    # Not the key account rep_a backs up, nor the one they cover, nor the one they owned
    # until 2024, nor their small customer: 700,000 of what they hold.
    assert selectors.key_revenue_owned_by_rep([rep_a.pk, rep_a2.pk, rep_b.pk]) == {
        rep_a.pk: Decimal(700_000),
        rep_a2.pk: Decimal(1_100_000),
        rep_b.pk: Decimal(300_000),
    }
    # Held in any role, the other figure: the backed-up and covered key accounts count there.
    assert selectors.rep_key_accounts(rep_id=rep_a.pk).revenue == Decimal(1_200_000)


def test_the_sort_subquery_reads_the_same_owned_key_revenue_as_the_rows(
    owned_book, rep_a, rep_a2, rep_b, team_north_a
):
    nobody = make_rep(team_north_a, "Nils", "Nothing")
    reps = [rep_a, rep_a2, rep_b, nobody]
    by_rep = selectors.key_revenue_owned_by_rep([rep.pk for rep in reps])
    sorted_by = dict(
        SalesRep.objects.filter(pk__in=[rep.pk for rep in reps])
        .annotate(revenue=selectors.key_revenue_owned_subquery())
        .values_list("pk", "revenue")
    )
    assert sorted_by == {rep.pk: by_rep.get(rep.pk) for rep in reps}
    assert sorted_by[nobody.pk] is None and nobody.pk not in by_rep


def test_owned_key_revenue_is_two_lookups_however_many_reps(
    owned_book, rep_a, rep_a2, rep_b, django_assert_num_queries
):
    # The reps' owner assignments, then their customers by id: never one join, which
    # PostgreSQL answers by scanning every key account.
    with django_assert_num_queries(2):
        selectors.key_revenue_owned_by_rep([rep_a.pk])
    with django_assert_num_queries(2):
        selectors.key_revenue_owned_by_rep([rep_a.pk, rep_a2.pk, rep_b.pk])
    with django_assert_num_queries(0):
        assert selectors.key_revenue_owned_by_rep([]) == {}


def test_a_rep_who_owns_no_key_account_has_no_owned_key_revenue(rep_a, rep_b):
    make_customer("Small", owner=rep_a, annual_revenue=5_000)
    backed = make_customer("Theirs", owner=rep_b, annual_revenue=80_000, is_key_account=True)
    Assignment.objects.create(
        customer=backed, rep=rep_a, role="backup", valid_from=dt.date(2024, 1, 1)
    )
    assert selectors.key_revenue_owned_by_rep([rep_a.pk]) == {}


def test_owned_key_account_rule_marks_each_current_assignment(owned_book, rep_a):
    marked = dict(
        Assignment.objects.filter(rep=rep_a)
        .annotate(owned_key=selectors.owning_key_account_q())
        .values_list("customer__name", "owned_key")
    )
    assert marked == {
        "Owned Key": True,
        "Owned Small": False,
        "Backed Key": False,
        "Covered Key": False,
        "Former Key": False,
    }


def test_rep_current_customers_open_pipeline_leaves_out_deals_the_crm_deleted(rep_a):
    """The rep API's customers read this: an open deal the CRM deleted is not pipeline, as on
    the rep page."""
    customer = make_customer("Prospect", owner=rep_a)
    Deal.objects.create(customer=customer, owner=rep_a, amount=30_000, created_on=TODAY)
    Deal.objects.create(
        customer=customer, owner=rep_a, amount=500_000, created_on=TODAY, is_deleted=True
    )
    [held] = selectors.rep_current_customers(rep=rep_a)
    assert held.open_pipeline == Decimal("30000")


def test_workloads_count_owned_and_temporarily_covered_customers_not_backups(rep_a, rep_b):
    make_customer("One", owner=rep_a, annual_revenue=100)
    covered = make_customer("Two", owner=rep_b, annual_revenue=50)
    Assignment.objects.create(
        customer=covered, rep=rep_a, role="temporary_cover", valid_from=dt.date(2024, 1, 1)
    )
    backed = make_customer("Three", owner=rep_b, annual_revenue=999)
    Assignment.objects.create(
        customer=backed, rep=rep_a, role="backup", valid_from=dt.date(2024, 1, 1)
    )
    load = selectors.rep_workloads(rep_ids=[rep_a.pk])[rep_a.pk]
    assert (load.accounts, load.revenue) == (2, 150)


def test_candidates_carry_notice_risk_and_load_and_scope_is_accounts_access(
    rep_a, rep_a2, rep_b, manager_b
):
    rep_a2.departure_date = dt.date(2026, 11, 5)
    rep_a2.save()
    run = give_scores({rep_a: "low", rep_b: "medium"})
    make_customer("Held", owner=rep_b, annual_revenue=10)
    candidates = selectors.recipient_candidates(reps=Q(), run=run)
    assert candidates[rep_a.pk].band == "low" and not candidates[rep_a.pk].is_leaving
    assert candidates[rep_a2.pk].band is None and candidates[rep_a2.pk].is_leaving
    assert candidates[rep_b.pk].accounts == 1
    scope = selectors.recipient_scope(user=manager_b, candidates=candidates.values())
    assert scope.rep_ids == {rep_b.pk}


@pytest.mark.parametrize(
    ("rep_change", "leaving", "left"),
    [
        ({}, False, False),
        ({"status": "notice"}, True, False),
        ({"departure_date": dt.date(2026, 11, 5)}, True, False),
        ({"status": "left", "departure_date": dt.date(2026, 10, 30)}, True, True),
    ],
    ids=["active", "notice-no-last-day", "last-day-status-unchanged", "left"],
)
def test_a_candidate_is_leaving_as_the_rep_is(rep_change, leaving, left, rep_a):
    SalesRep.objects.filter(pk=rep_a.pk).update(**rep_change)
    candidate = selectors.recipient_candidates(reps=Q(pk=rep_a.pk), run=None)[rep_a.pk]
    assert (candidate.is_leaving, candidate.status == "left") == (leaving, left)


def test_the_rep_whose_customer_it_is_is_its_owner_else_first_rep_holder_else_last(
    rep_a, rep_a2, rep_b, customer_a, manager_a, team_north_a, django_assert_num_queries
):
    # Owned now, with a backup since before the owner: the owner.
    Assignment.objects.create(
        customer=customer_a, rep=rep_a2, role="backup", valid_from=dt.date(2020, 1, 1)
    )
    # Nobody owns it now: its first current rep holder (a manager covering is no rep).
    unowned = make_customer("Unowned Co")
    Assignment.objects.create(
        customer=unowned, manager=manager_a, role="manager_cover", valid_from=dt.date(2019, 1, 1)
    )
    Assignment.objects.create(
        customer=unowned, rep=rep_b, role="temporary_cover", valid_from=dt.date(2024, 6, 1)
    )
    Assignment.objects.create(
        customer=unowned, rep=rep_a2, role="backup", valid_from=dt.date(2023, 1, 1)
    )
    # Nobody holds it now: the rep who held it last.
    earlier = make_rep(team_north_a, "Earl", "Ier")
    orphan = make_customer("Orphan Co")
    for rep, start, end in (
        (earlier, dt.date(2019, 1, 1), dt.date(2021, 12, 31)),
        (rep_a, dt.date(2022, 1, 1), dt.date(2024, 3, 31)),
        (rep_b, dt.date(2018, 1, 1), dt.date(2020, 6, 30)),
    ):
        Assignment.objects.create(
            customer=orphan, rep=rep, role="owner", valid_from=start, valid_to=end
        )
    # Only a manager has ever held it: nobody's.
    managed = make_customer("Managed Co")
    Assignment.objects.create(
        customer=managed, manager=manager_a, role="manager_cover", valid_from=TODAY
    )
    ids = [customer_a.pk, unowned.pk, orphan.pk, managed.pk]

    with django_assert_num_queries(1):
        holders = selectors.customer_rep_holders(customer_ids=ids)
        found = {
            c: (a.rep.full_name, a.role, a.valid_to, a.customer.name) for c, a in holders.items()
        }
    assert found == {
        customer_a.pk: ("Alice Anders", "owner", None, "Acme Shipping"),
        unowned.pk: ("Arne Berg", "backup", None, "Unowned Co"),
        orphan.pk: ("Alice Anders", "owner", dt.date(2024, 3, 31), "Orphan Co"),
    }
    with django_assert_num_queries(0):
        assert selectors.customer_rep_holders(customer_ids=[]) == {}

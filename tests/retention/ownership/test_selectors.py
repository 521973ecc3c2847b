"""Reads of assignments: people beside a customer pass the viewer's scope."""

import datetime as dt

import pytest
from django.db.models import Q

from accounts.services import user_create
from retention.models import Assignment
from retention.ownership import selectors
from tests.conftest import make_customer, make_rep
from tests.handover.plans.conftest import give_scores

pytestmark = pytest.mark.django_db


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

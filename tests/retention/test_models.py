import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper

from retention.models import Assignment, Customer, Deal, LeaveRecord, SalesRep, ServiceRecord
from tests.conftest import make_rep

D = dt.date


def _violates(constraint_name: str, create) -> None:
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        create()
    assert constraint_name in str(error.value) or "CHECK" in str(error.value).upper()


def test_a_customer_has_one_current_owner(customer_a, rep_a2):
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            customer=customer_a, rep=rep_a2, role=Assignment.Role.OWNER, valid_from=D(2024, 1, 1)
        )


def test_a_closed_owner_assignment_leaves_room_for_the_next_owner(customer_a, rep_a, rep_a2):
    Assignment.objects.filter(customer=customer_a).update(valid_to=D(2024, 1, 31))
    Assignment.objects.create(
        customer=customer_a, rep=rep_a2, role=Assignment.Role.OWNER, valid_from=D(2024, 2, 1)
    )
    assert customer_a.assignments.count() == 2


def test_a_backup_can_sit_beside_the_owner(customer_a, rep_a2):
    Assignment.objects.create(
        customer=customer_a, rep=rep_a2, role=Assignment.Role.BACKUP, valid_from=D(2024, 1, 1)
    )
    assert customer_a.assignments.filter(valid_to__isnull=True).count() == 2


def test_assignment_cannot_end_before_it_starts(customer_a, rep_a2):
    _violates(
        "retention_assignment_dates_in_order",
        lambda: Assignment.objects.create(
            customer=customer_a,
            rep=rep_a2,
            role=Assignment.Role.BACKUP,
            valid_from=D(2024, 3, 1),
            valid_to=D(2024, 2, 1),
        ),
    )


def test_manager_cover_names_a_manager_not_a_rep(customer_a, rep_a2, manager_a):
    _violates(
        "retention_assignment_holder_matches_role",
        lambda: Assignment.objects.create(
            customer=customer_a,
            rep=rep_a2,
            role=Assignment.Role.MANAGER_COVER,
            valid_from=D(2024, 3, 1),
        ),
    )
    cover = Assignment.objects.create(
        customer=customer_a,
        manager=manager_a,
        role=Assignment.Role.MANAGER_COVER,
        valid_from=D(2024, 3, 1),
    )
    assert cover.holder_name == str(manager_a)


def test_service_score_must_be_on_its_scale(rep_a):
    _violates(
        "retention_service_score_in_range",
        lambda: ServiceRecord.objects.create(
            rep=rep_a, date=D(2024, 1, 1), score=6, scale_max=5, source="csat"
        ),
    )


def test_leave_cannot_end_before_it_starts(rep_a):
    _violates(
        "retention_leave_dates_in_order",
        lambda: LeaveRecord.objects.create(
            rep=rep_a, first_day=D(2024, 1, 5), last_day=D(2024, 1, 4)
        ),
    )


def test_deal_cannot_close_before_it_was_created(customer_a, rep_a):
    _violates(
        "retention_deal_dates_in_order",
        lambda: Deal.objects.create(
            customer=customer_a,
            owner=rep_a,
            amount=10,
            created_on=D(2024, 5, 1),
            close_date=D(2024, 4, 1),
        ),
    )


def test_a_rep_who_left_has_a_last_day(team_north_a):
    _violates(
        "retention_rep_left_has_last_day",
        lambda: make_rep(team_north_a, "Lia", "Left", status=SalesRep.Status.LEFT),
    )


def test_who_is_departing_reads_the_same_on_a_rep_in_a_query_and_through_a_relation(
    team_north_a, manager_a
):
    """Every status and last day the constraints allow: serving notice or gone is departing,
    and only an active rep with no last day stays, wherever the rule is read."""
    last_day = D(2026, 11, 30)
    cases = {
        ("active", None): False,
        ("active", last_day): True,  # a last day recorded, the status not yet changed
        ("notice", None): True,
        ("notice", last_day): True,
        ("left", last_day): True,
    }
    reps = {
        key: make_rep(team_north_a, key[0], str(key[1]), status=key[0], departure_date=key[1])
        for key in cases
    }
    customer = Customer.objects.create(name="Held by all")
    for rep in reps.values():
        Assignment.objects.create(
            customer=customer, rep=rep, role=Assignment.Role.BACKUP, valid_from=D(2024, 1, 1)
        )
    # A manager's assignment has no rep: the relation's condition holds for none of them.
    Assignment.objects.create(
        customer=customer, manager=manager_a, role="manager_cover", valid_from=D(2024, 1, 1)
    )
    departing = {pk for pk, departs in ((r.pk, cases[k]) for k, r in reps.items()) if departs}

    assert {key: SalesRep.objects.get(pk=r.pk).is_departing for key, r in reps.items()} == cases
    assert set(SalesRep.objects.departing().values_list("pk", flat=True)) == departing
    assert set(SalesRep.objects.staying().values_list("pk", flat=True)) == {
        reps[("active", None)].pk
    }
    through = Assignment.objects.filter(SalesRep.departing_q("rep__"))
    assert set(through.values_list("rep_id", flat=True)) == departing
    flags = dict(
        Assignment.objects.filter(customer=customer)
        .annotate(departs=ExpressionWrapper(SalesRep.departing_q("rep__"), BooleanField()))
        .values_list("rep_id", "departs")
    )
    assert {rep_id for rep_id, departs in flags.items() if departs} == departing
    assert not flags[None]


def test_crm_user_ids_are_unique_but_blank_is_allowed_twice(team_north_a):
    make_rep(team_north_a, "One", "Blank")
    make_rep(team_north_a, "Two", "Blank")
    make_rep(team_north_a, "Has", "Id", crm_user_id="005A")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_rep(team_north_a, "Same", "Id", crm_user_id="005A")

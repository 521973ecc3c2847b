"""Writes of assignments: atomic, history kept, leaving reps refused."""

import datetime as dt

import pytest

from config.errors import ApplicationError
from retention.models import Assignment
from retention.ownership import services
from retention.ownership.services import OwnershipError
from tests.conftest import make_customer

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 2)


def current(customer):
    return sorted(
        Assignment.objects.filter(customer=customer, valid_to__isnull=True).values_list(
            "rep_id", "manager_id", "role"
        )
    )


def test_making_a_backup_the_owner_closes_the_old_owner_and_the_backup_role(
    customer_a, rep_a, rep_a2
):
    services.assignment_add_backup(
        customer_id=customer_a.pk, rep=rep_a2, created_by=None, valid_from=DAY
    )
    services.assignment_make_owner(
        customer_id=customer_a.pk, rep=rep_a2, created_by=None, valid_from=DAY
    )
    assert current(customer_a) == [(rep_a2.pk, None, "owner")]
    assert Assignment.objects.filter(customer=customer_a).count() == 3  # history kept


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ({"status": "notice"}, "serving notice"),
        ({"departure_date": dt.date(2026, 11, 5)}, "serving notice"),
        ({"status": "left", "departure_date": dt.date(2026, 10, 30)}, "has left"),
    ],
    ids=["notice", "last-day-in-three-days", "left"],
)
def test_a_rep_serving_notice_or_gone_cannot_become_backup_owner_or_cover(
    change, refusal, customer_a, rep_a2
):
    for field, value in change.items():
        setattr(rep_a2, field, value)
    rep_a2.save()
    before = current(customer_a)
    for write in (
        services.assignment_add_backup,
        services.assignment_make_owner,
        services.assignment_cover_start,
    ):
        with pytest.raises(OwnershipError, match=refusal) as refused:
            write(customer_id=customer_a.pk, rep=rep_a2, created_by=None)
        assert isinstance(refused.value, ApplicationError) and refused.value.field == "rep"
    assert current(customer_a) == before


def test_cover_starts_and_ends(customer_a, rep_a, manager_a):
    cover = services.assignment_cover_start(
        customer_id=customer_a.pk, manager=manager_a, created_by=None, valid_from=DAY
    )
    assert cover.role == "manager_cover"
    services.assignment_end(assignment=cover, valid_to=DAY)
    assert current(customer_a) == [(rep_a.pk, None, "owner")]
    with pytest.raises(OwnershipError, match="already ended"):
        services.assignment_end(assignment=cover, valid_to=DAY)


def test_a_cover_cannot_end_before_it_began(customer_a, manager_a):
    cover = services.assignment_cover_start(
        customer_id=customer_a.pk, manager=manager_a, created_by=None, valid_from=DAY
    )
    before = DAY - dt.timedelta(days=1)
    with pytest.raises(OwnershipError) as refused:
        services.assignment_end(assignment=cover, valid_to=before)
    assert refused.value.message == (
        f"The end date {before.isoformat()} is before the assignment began ({DAY.isoformat()})."
    )
    assert refused.value.field == "valid_to"


def test_a_second_cover_by_the_same_holder_is_refused_naming_them(customer_a, rep_a2, manager_a):
    services.assignment_cover_start(customer_id=customer_a.pk, rep=rep_a2, created_by=None)
    with pytest.raises(OwnershipError, match="Arne Berg already holds this customer") as refused:
        services.assignment_cover_start(customer_id=customer_a.pk, rep=rep_a2, created_by=None)
    assert refused.value.field == "rep"
    services.assignment_cover_start(customer_id=customer_a.pk, manager=manager_a, created_by=None)
    with pytest.raises(OwnershipError, match=f"{manager_a} already holds") as refused:
        services.assignment_cover_start(
            customer_id=customer_a.pk, manager=manager_a, created_by=None
        )
    assert refused.value.field == "manager"


def test_a_move_and_its_reversal_keep_the_whole_history(rep_a, rep_a2):
    customer = make_customer("Moved Co", owner=rep_a)
    backup = services.assignment_add_backup(
        customer_id=customer.pk, rep=rep_a2, created_by=None, valid_from=DAY
    )
    source = Assignment.objects.get(customer=customer, role="owner")
    [moved] = services.customers_move(
        moves=[
            services.Move(
                customer_id=customer.pk,
                source_assignment_id=source.pk,
                role="owner",
                rep_id=rep_a2.pk,
            )
        ],
        from_rep_id=rep_a.pk,
        day=DAY,
        created_by=None,
    )
    assert moved.superseded_assignment_id == backup.pk
    assert current(customer) == [(rep_a2.pk, None, "owner")]
    backup.refresh_from_db()
    services.customers_move_reverse(
        restores=[
            services.Restore(
                customer_id=customer.pk,
                opened_assignment_id=moved.opened_assignment_id,
                rep_id=rep_a.pk,
                role="owner",
                superseded=backup,
            )
        ],
        day=DAY,
        created_by=None,
    )
    assert current(customer) == sorted([(rep_a.pk, None, "owner"), (rep_a2.pk, None, "backup")])
    assert Assignment.objects.filter(customer=customer).count() == 5


def test_a_move_of_a_customer_no_longer_held_changes_nothing(rep_a, rep_a2):
    one, two = make_customer("One", owner=rep_a), make_customer("Two", owner=rep_a)
    sources = {a.customer_id: a for a in Assignment.objects.filter(rep=rep_a)}
    Assignment.objects.filter(pk=sources[two.pk].pk).update(valid_to=DAY)
    moves = [
        services.Move(
            customer_id=c.pk, source_assignment_id=sources[c.pk].pk, role="owner", rep_id=rep_a2.pk
        )
        for c in (one, two)
    ]
    with pytest.raises(OwnershipError) as refused:
        services.customers_move(moves=moves, from_rep_id=rep_a.pk, day=DAY, created_by=None)
    assert refused.value.extra == {"customer_id": two.pk}
    assert current(one) == [(rep_a.pk, None, "owner")]

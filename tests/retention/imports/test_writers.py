"""The writers' two database helpers: ``create_all`` (rows inserted by COPY on PostgreSQL,
bulk_create elsewhere) and ``any_of`` (a membership filter sent as one array literal)."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from retention.imports.writers import any_of, create_all
from retention.models import Assignment, Customer
from tests.conftest import make_customer

TODAY = dt.date(2026, 12, 1)


@pytest.mark.django_db
def test_create_all_writes_given_fields_and_fills_defaults_and_timestamps(rep_a, admin_user):
    first = make_customer("First")
    second = make_customer("Second")
    before = dt.datetime.now(dt.UTC)
    create_all(
        Assignment,
        [
            {
                "customer_id": first.pk,
                "rep_id": rep_a.pk,
                "role": Assignment.Role.OWNER,
                "valid_from": dt.date(2024, 3, 1),
                "created_by_id": admin_user.pk,
            },
            {
                "customer_id": second.pk,
                "rep_id": rep_a.pk,
                "role": Assignment.Role.BACKUP,
                "valid_from": dt.date(2024, 4, 2),
                "created_by_id": None,
            },
        ],
    )
    stored = {a.customer_id: a for a in Assignment.objects.all()}
    assert set(stored) == {first.pk, second.pk}
    owner = stored[first.pk]
    assert (owner.rep_id, owner.role, owner.valid_from, owner.valid_to) == (
        rep_a.pk,
        Assignment.Role.OWNER,
        dt.date(2024, 3, 1),
        None,
    )
    # Not given: the model's default source and no covering manager.
    assert owner.source == Assignment.Source.MANUAL and owner.manager_id is None
    assert owner.created_by_id == admin_user.pk and stored[second.pk].created_by_id is None
    assert owner.created_at >= before and owner.updated_at >= before
    assert stored[second.pk].role == Assignment.Role.BACKUP


@pytest.mark.django_db
def test_create_all_names_a_field_the_model_does_not_have(rep_a):
    customer = make_customer("Only")
    with pytest.raises(TypeError, match="owner_id"):
        create_all(
            Assignment,
            [{"customer_id": customer.pk, "owner_id": rep_a.pk, "valid_from": dt.date.today()}],
        )
    assert not Assignment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_create_all_is_refused_whole_by_the_tables_constraints(rep_a, rep_b):
    """Two current owners of one customer: the unique constraint refuses the batch, and
    nothing of it is stored."""
    held = make_customer("Held", owner=rep_a)
    free = make_customer("Free")
    rows = [
        {
            "customer_id": free.pk,
            "rep_id": rep_b.pk,
            "role": "owner",
            "valid_from": dt.date.today(),
        },
        {
            "customer_id": held.pk,
            "rep_id": rep_b.pk,
            "role": "owner",
            "valid_from": dt.date.today(),
        },
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        create_all(Assignment, rows)
    assert list(Assignment.objects.values_list("customer_id", "rep_id")) == [(held.pk, rep_a.pk)]


@pytest.mark.django_db
def test_any_of_finds_texts_with_quotes_commas_and_backslashes():
    names = ['say "hi"', "a,b", "back\\slash", "{braces}", "NULL", "'", "拜访"]
    for number, name in enumerate(names):
        Customer.objects.create(name=f"C{number}", source="salesforce", external_id=name)
    Customer.objects.create(name="Other", source="salesforce", external_id="not asked")
    found = Customer.objects.filter(any_of("external_id", names)).values_list(
        "external_id", flat=True
    )
    assert sorted(found) == sorted(names)
    assert not Customer.objects.filter(any_of("external_id", [])).exists()


@pytest.mark.django_db
def test_any_of_finds_ids_and_works_in_an_update(rep_a):
    customers = [make_customer(f"C{number}", owner=rep_a) for number in range(3)]
    ids = list(Assignment.objects.filter(customer__in=customers[:2]).values_list("pk", flat=True))
    assert Assignment.objects.filter(any_of("id", ids)).count() == 2
    assert Assignment.objects.filter(any_of("id", ids)).update(valid_to=dt.date(2025, 1, 1)) == 2
    assert Assignment.objects.filter(valid_to__isnull=True).get().customer == customers[2]

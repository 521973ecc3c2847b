"""Drafting, changing, applying and reversing plans against the real database."""

import datetime as dt

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from config.errors import ApplicationError
from handover.models import HandoverItem, HandoverPlan, TeamCapacity
from handover.plans import selectors
from handover.plans.services import (
    NoteEdit,
    PlanError,
    RecipientRefused,
    handover_plan_apply,
    handover_plan_create,
    handover_plan_item_update,
    handover_plan_reverse,
)
from retention.knowledge.selectors import knowledge_suggestions
from retention.knowledge.services import customer_knowledge_update
from retention.models import Activity, Assignment, CustomerKnowledge, Deal
from retention.services import rep_record_departure
from tests.handover.plans.conftest import TODAY, give_scores

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def owner_of(customer):
    a = Assignment.objects.get(customer=customer, role="owner", valid_to__isnull=True)
    return a.rep


def items_by_name(plan):
    return {i.customer.name: i for i in plan.items.select_related("customer")}


def test_plan_lists_every_customer_ranked_with_low_risk_mate_first_then_manager(
    rep_a, mates, book, manager_a
):
    carla, dan = mates
    give_scores({rep_a: "high", carla: "low", dan: "high"})
    TeamCapacity.objects.create(team=rep_a.team, max_accounts=2)
    plan, created = handover_plan_create(rep=rep_a, created_by=manager_a, today=TODAY)
    assert created and plan.status == HandoverPlan.Status.DRAFT
    items = list(plan.items.select_related("customer").order_by("rank"))
    assert [i.customer.name for i in items] == ["Big Key", "Mid Key", "Small Co", "Tiny Co"]
    # Carla holds nothing and may hold 2: the two key accounts; Dan is high risk.
    assert [i.chosen_rep for i in items[:2]] == [carla, carla]
    assert {i.suggestion_kind for i in items[:2]} == {"team_rep"}
    for item in items[2:]:
        assert item.suggestion_kind == "manager"
        assert item.chosen_manager == manager_a
        assert item.mode == "temporary" and item.cover_until > TODAY


@override_settings(RELAY_HANDOVER_MAX_ACCOUNTS=1, RELAY_HANDOVER_MAX_REVENUE=0)
def test_capacity_from_settings_applies_when_the_team_has_no_override(
    rep_a, mates, book, manager_a
):
    carla, dan = mates
    give_scores({carla: "low", dan: "low"})
    plan, _ = handover_plan_create(rep=rep_a, created_by=manager_a, today=TODAY)
    chosen = [i.chosen_rep for i in plan.items.order_by("rank")]
    assert sorted(r.first_name for r in chosen[:2]) == ["Carla", "Dan"]
    assert chosen[2:] == [None, None]


def test_rep_with_no_score_is_not_known_low_risk_and_gets_nothing(rep_a, mates, book, manager_a):
    give_scores({mates[0]: "medium"})  # Dan has no score at all
    plan, _ = handover_plan_create(rep=rep_a, created_by=manager_a, today=TODAY)
    assert set(plan.items.values_list("suggestion_kind", flat=True)) == {"manager"}


def test_existing_backup_is_suggested_first(rep_a, rep_a2, mates, book, manager_a):
    give_scores({mates[0]: "low", rep_a2: "medium"})
    Assignment.objects.create(
        customer=book["small"], rep=rep_a2, role="backup", valid_from=dt.date(2024, 1, 1)
    )
    plan, _ = handover_plan_create(rep=rep_a, created_by=manager_a, today=TODAY)
    small = items_by_name(plan)["Small Co"]
    assert (small.suggestion_kind, small.chosen_rep) == ("backup", rep_a2)


def test_starting_twice_returns_the_same_draft(rep_a, book, manager_a):
    first, created = handover_plan_create(rep=rep_a, created_by=manager_a, today=TODAY)
    again, created_again = handover_plan_create(rep=rep_a, created_by=manager_a, today=TODAY)
    assert created and not created_again and first == again
    assert HandoverPlan.objects.count() == 1


def test_recording_a_departure_drafts_a_plan(
    rep_a, book, hr_user, manager_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rep_record_departure(
            rep=rep_a,
            departure_date=dt.date(2026, 11, 30),
            reason="voluntary",
            recorded_by=hr_user,
            today=TODAY,
        )
    plan = HandoverPlan.objects.get(rep=rep_a)
    assert (plan.origin, plan.created_by, plan.items.count()) == ("departure", hr_user, 4)


def test_key_account_notes_are_missing_until_a_person_writes_every_part(rep_a, book, manager_a):
    big = book["big"]
    customer_knowledge_update(
        customer=big,
        author=manager_a,
        parts={"needs": "Weekly stock reports"},
        source=CustomerKnowledge.Source.CUSTOMER_PAGE,
    )
    Deal.objects.create(
        customer=big,
        owner=rep_a,
        name="Renewal",
        stage="Proposal",
        amount=80_000,
        created_on=dt.date(2026, 9, 1),
        close_date=dt.date(2026, 10, 1),
    )
    plan, _ = handover_plan_create(rep=rep_a, created_by=manager_a, today=TODAY)
    items = selectors.plan_items(plan=plan)
    item = next(i for i in items if i.customer.name == "Big Key")
    assert item.knowledge.needs == "Weekly stock reports"  # the customer's, read by the plan
    missing = selectors.plan_missing_notes(items=items)
    assert {i.customer.name for i in missing} == {"Big Key", "Mid Key"}  # small ones: no note

    saved = handover_plan_item_update(
        item=item,
        user=manager_a,
        note=NoteEdit(
            parts={
                "contacts": "Eva Lind, buyer",
                "next_steps": "Renewal in May",
                "open_issues": "Late delivery in October",
            },
            base_version=1,
        ),
        today=TODAY,
    )
    assert saved.note_written and saved.knowledge.version == 2
    missing = selectors.plan_missing_notes(items=selectors.plan_items(plan=plan))
    assert {i.customer.name for i in missing} == {"Mid Key"}
    latest = CustomerKnowledge.objects.get(customer=big, version=2)
    assert (latest.author, latest.source, latest.needs) == (
        manager_a,
        "handover",
        "Weekly stock reports",
    )
    assert f"plan {plan.pk}" in latest.context
    assert CustomerKnowledge.objects.get(customer=big, version=1).contacts == ""  # kept as was


def test_the_plan_suggests_deals_and_open_issues_from_relays_records(rep_a, book, manager_a):
    big = book["big"]
    Deal.objects.create(
        customer=big,
        owner=rep_a,
        name="Renewal",
        stage="Proposal",
        amount=80_000,
        created_on=dt.date(2026, 9, 1),
        close_date=dt.date(2026, 10, 1),
    )
    suggested = knowledge_suggestions(customer_ids=[big.pk], today=TODAY)[big.pk]
    assert "Renewal: Proposal, 80,000, 2026-10-01" in suggested["next_steps"]
    assert "was due to close on 2026-10-01" in suggested["open_issues"]
    assert not CustomerKnowledge.objects.filter(customer=big).exists()  # a suggestion only


def test_apply_refuses_missing_key_account_notes_unless_confirmed(rep_a, mates, book, manager_a):
    give_scores({rep_a: "high", mates[0]: "low", mates[1]: "low"})
    plan, _ = handover_plan_create(rep=rep_a, created_by=manager_a, today=TODAY)
    with pytest.raises(PlanError) as refused:
        handover_plan_apply(plan=plan, approved_by=manager_a, today=TODAY)
    assert refused.value.field == "confirm_missing_notes"
    assert "Big Key, Mid Key" in refused.value.message
    names = {row["customer_name"] for row in refused.value.extra["missing_notes"]}
    assert names == {"Big Key", "Mid Key"}
    plan.refresh_from_db()
    assert plan.status == "draft"
    assert Assignment.objects.get(customer=book["big"], valid_to__isnull=True).rep == rep_a

    handover_plan_apply(plan=plan, approved_by=manager_a, confirm_missing_notes=True, today=TODAY)
    plan.refresh_from_db()
    assert plan.status == "applied"
    assert sorted(plan.notes_waived) == sorted([book["big"].pk, book["mid"].pk])


def test_a_note_written_after_apply_is_kept_with_the_customer(rep_a, mates, book, manager_a):
    give_scores({rep_a: "high", mates[0]: "low", mates[1]: "low"})
    plan, _ = handover_plan_create(rep=rep_a, created_by=manager_a, today=TODAY)
    handover_plan_apply(plan=plan, approved_by=manager_a, confirm_missing_notes=True, today=TODAY)
    item = selectors.item_get(plan=plan, item_id=items_by_name(plan)["Big Key"].pk)
    saved = handover_plan_item_update(
        item=item,
        user=manager_a,
        note=NoteEdit(parts={"contacts": "Eva Lind"}, base_version=0),
        today=TODAY,
    )
    assert saved.note_written and saved.knowledge.version == 1
    assert CustomerKnowledge.objects.get(customer=book["big"]).contacts == "Eva Lind"
    with pytest.raises(PlanError, match="Only the note changes"):
        handover_plan_item_update(item=item, user=manager_a, chosen_rep=mates[1], today=TODAY)


def test_item_update_refuses_the_departing_rep_and_a_permanent_manager(
    rep_a, mates, book, manager_a
):
    give_scores({mates[0]: "low"})
    plan, _ = handover_plan_create(rep=rep_a, created_by=manager_a, today=TODAY)

    def first_item():
        return plan.items.select_related("plan", "customer").get(rank=1)

    assert first_item().chosen_rep == mates[0]
    with pytest.raises(PlanError, match="departing rep"):
        handover_plan_item_update(item=first_item(), user=manager_a, chosen_rep=rep_a, today=TODAY)
    with pytest.raises(PlanError, match="manager can only cover temporarily") as refused:
        handover_plan_item_update(
            item=first_item(),
            user=manager_a,
            chosen_manager=manager_a,
            mode="permanent",
            today=TODAY,
        )
    assert refused.value.field == "mode"
    with pytest.raises(PlanError, match="a temporary cover needs an end date") as refused:
        handover_plan_item_update(item=first_item(), user=manager_a, mode="temporary", today=TODAY)
    assert refused.value.field == "cover_until"
    assert (first_item().chosen_rep, first_item().mode) == (mates[0], "permanent")


def test_item_update_refuses_a_mode_that_does_not_exist_by_the_modes_labels(rep_a, book, manager_a):
    plan, _ = handover_plan_create(rep=rep_a, created_by=manager_a, today=TODAY)
    item = plan.items.select_related("plan", "customer").get(rank=1)
    with pytest.raises(PlanError) as refused:
        handover_plan_item_update(item=item, user=manager_a, mode="forever", today=TODAY)
    assert refused.value.message == (
        "Big Key: the mode must be one of: Permanent transfer, Temporary cover."
    )
    assert refused.value.field == "mode"


def draft_with_choices(rep_a, mates, book, manager_a):
    carla, dan = mates
    give_scores({carla: "low", dan: "low"})
    plan, _ = handover_plan_create(rep=rep_a, created_by=manager_a, today=TODAY)
    items = items_by_name(plan)
    for name, recipient in (("Big Key", carla), ("Mid Key", dan), ("Small Co", carla)):
        handover_plan_item_update(
            item=items[name], user=manager_a, chosen_rep=recipient, today=TODAY
        )
    handover_plan_item_update(
        item=items["Tiny Co"],
        user=manager_a,
        chosen_manager=manager_a,
        mode="temporary",
        cover_until=dt.date(2026, 12, 31),
        today=TODAY,
    )
    handover_plan_item_update(
        item=items["Mid Key"], user=manager_a, move_open_deals=False, today=TODAY
    )
    return plan


def test_apply_moves_every_customer_deal_and_future_activity_at_once(rep_a, mates, book, manager_a):
    carla, dan = mates
    deal_big = Deal.objects.create(
        customer=book["big"], owner=rep_a, amount=10, created_on=TODAY, name="Big renewal"
    )
    deal_mid = Deal.objects.create(customer=book["mid"], owner=rep_a, amount=10, created_on=TODAY)
    won = Deal.objects.create(
        customer=book["big"], owner=rep_a, amount=10, created_on=TODAY, status="won"
    )
    # Deleted in the CRM (an import keeps them, marked): not the rep's to hand over.
    deleted_deal = Deal.objects.create(
        customer=book["big"], owner=rep_a, amount=10, created_on=TODAY, is_deleted=True
    )
    deleted_meeting = Activity.objects.create(
        rep=rep_a,
        customer=book["big"],
        kind="meeting",
        occurred_at=timezone.now() + dt.timedelta(days=4),
        is_deleted=True,
    )
    planned = Activity.objects.create(
        rep=rep_a,
        customer=book["big"],
        kind="meeting",
        occurred_at=timezone.now() + dt.timedelta(days=3),
    )
    past = Activity.objects.create(
        rep=rep_a,
        customer=book["big"],
        kind="call",
        occurred_at=timezone.now() - dt.timedelta(days=3),
    )
    plan = draft_with_choices(rep_a, mates, book, manager_a)

    handover_plan_apply(plan=plan, approved_by=manager_a, confirm_missing_notes=True, today=TODAY)

    plan.refresh_from_db()
    assert plan.status == "applied" and plan.approved_by == manager_a
    assert plan.approved_at is not None and plan.effective_date == TODAY
    assert owner_of(book["big"]) == carla and owner_of(book["mid"]) == dan
    assert owner_of(book["small"]) == carla
    tiny = Assignment.objects.get(customer=book["tiny"], valid_to__isnull=True)
    assert (tiny.role, tiny.manager, tiny.source) == ("manager_cover", manager_a, "handover")
    assert not Assignment.objects.filter(rep=rep_a, valid_to__isnull=True).exists()
    assert Assignment.objects.filter(rep=rep_a, valid_to=TODAY).count() == 4
    deal_big.refresh_from_db(), deal_mid.refresh_from_db(), won.refresh_from_db()
    assert deal_big.owner == carla  # moved
    assert deal_mid.owner == rep_a  # the item said: leave the deals
    assert won.owner == rep_a  # closed deals stay with who won them
    planned.refresh_from_db(), past.refresh_from_db()
    assert planned.rep == carla and past.rep == rep_a
    deleted_deal.refresh_from_db(), deleted_meeting.refresh_from_db()
    assert deleted_deal.owner == rep_a and deleted_meeting.rep == rep_a


def test_apply_promotes_an_existing_backup_to_owner(rep_a, rep_a2, book, manager_a):
    give_scores({rep_a2: "low"})
    backup = Assignment.objects.create(
        customer=book["big"], rep=rep_a2, role="backup", valid_from=dt.date(2024, 1, 1)
    )
    plan, _ = handover_plan_create(rep=rep_a, created_by=manager_a, today=TODAY)
    handover_plan_apply(plan=plan, approved_by=manager_a, confirm_missing_notes=True, today=TODAY)
    backup.refresh_from_db()
    assert backup.valid_to == TODAY
    assert owner_of(book["big"]) == rep_a2


def test_a_failure_half_way_through_apply_leaves_everything_as_it_was(
    rep_a, mates, book, manager_a
):
    """Closing an assignment that only starts next month breaks a check constraint in the
    database after deals have already moved; everything must roll back."""
    plan = draft_with_choices(rep_a, mates, book, manager_a)
    deal = Deal.objects.create(customer=book["big"], owner=rep_a, amount=10, created_on=TODAY)
    Assignment.objects.filter(customer=book["tiny"], rep=rep_a).update(
        valid_from=TODAY + dt.timedelta(days=30)
    )
    before = sorted(Assignment.objects.values_list("pk", "customer_id", "rep_id", "valid_to"))

    with pytest.raises(PlanError, match="nothing was changed"):
        handover_plan_apply(
            plan=plan, approved_by=manager_a, confirm_missing_notes=True, today=TODAY
        )

    after = sorted(Assignment.objects.values_list("pk", "customer_id", "rep_id", "valid_to"))
    assert after == before
    deal.refresh_from_db()
    assert deal.owner == rep_a
    plan.refresh_from_db()
    assert (plan.status, plan.approved_at) == ("draft", None)
    assert not HandoverItem.objects.filter(plan=plan, opened_assignment__isnull=False).exists()
    assert owner_of(book["big"]) == rep_a


def test_apply_refuses_a_plan_already_applied(rep_a, mates, book, manager_a):
    plan = draft_with_choices(rep_a, mates, book, manager_a)
    handover_plan_apply(plan=plan, approved_by=manager_a, confirm_missing_notes=True, today=TODAY)
    with pytest.raises(PlanError, match="already applied"):
        handover_plan_apply(
            plan=plan, approved_by=manager_a, confirm_missing_notes=True, today=TODAY
        )


def test_apply_refuses_when_a_customer_changed_hands_since_the_draft(
    rep_a, rep_a2, mates, book, manager_a
):
    plan = draft_with_choices(rep_a, mates, book, manager_a)
    Assignment.objects.filter(customer=book["mid"], rep=rep_a).update(valid_to=TODAY)
    with pytest.raises(PlanError, match="Mid Key is no longer held"):
        handover_plan_apply(
            plan=plan, approved_by=manager_a, confirm_missing_notes=True, today=TODAY
        )
    assert owner_of(book["big"]) == rep_a


def test_reversal_restores_holders_and_deals_and_is_recorded(rep_a, mates, book, manager_a):
    carla, _dan = mates
    deal = Deal.objects.create(customer=book["big"], owner=rep_a, amount=10, created_on=TODAY)
    plan = draft_with_choices(rep_a, mates, book, manager_a)
    handover_plan_apply(plan=plan, approved_by=manager_a, confirm_missing_notes=True, today=TODAY)
    deal.refresh_from_db()
    assert deal.owner == carla

    with pytest.raises(PlanError, match="Say why the plan is reversed") as refused:
        handover_plan_reverse(plan=plan, reversed_by=manager_a, reason=" ", today=TODAY)
    assert refused.value.field == "reason"
    handover_plan_reverse(plan=plan, reversed_by=manager_a, reason="Wrong rep", today=TODAY)

    plan.refresh_from_db()
    assert (plan.status, plan.reversed_by, plan.reversal_reason) == (
        "reversed",
        manager_a,
        "Wrong rep",
    )
    for customer in book.values():
        assert owner_of(customer) == rep_a
    assert not Assignment.objects.filter(manager=manager_a, valid_to__isnull=True).exists()
    deal.refresh_from_db()
    assert deal.owner == rep_a
    # History keeps the transfer and the reversal: 1 original + 1 handed over + 1 restored.
    assert Assignment.objects.filter(customer=book["big"]).count() == 3
    with pytest.raises(PlanError, match="Only an applied plan"):
        handover_plan_reverse(plan=plan, reversed_by=manager_a, reason="again", today=TODAY)


def test_apply_refuses_a_recipient_who_left_after_being_chosen(rep_a, mates, book, manager_a):
    plan = draft_with_choices(rep_a, mates, book, manager_a)
    dan = mates[1]
    dan.status, dan.departure_date = "left", TODAY
    dan.save()
    with pytest.raises(PlanError, match="Mid Key: the chosen rep has left"):
        handover_plan_apply(
            plan=plan, approved_by=manager_a, confirm_missing_notes=True, today=TODAY
        )
    assert owner_of(book["big"]) == rep_a


# --- regressions: recipients pass the approver's scope and never serve notice (issue 10) -----


@pytest.fixture
def foreign_backup(rep_b, rep_a2, customer_b):
    """rep_b (South A, manager B) leaves; the only backup of their customer is rep_a2, a
    low-risk rep of North B whom manager B may not see."""
    give_scores({rep_a2: "low", rep_b: "high"})
    return Assignment.objects.create(
        customer=customer_b, rep=rep_a2, role="backup", valid_from=dt.date(2024, 1, 1)
    )


def holders(customer):
    return sorted(
        Assignment.objects.filter(customer=customer, valid_to__isnull=True).values_list(
            "rep_id", "role"
        )
    )


@pytest.mark.parametrize("drafted_by", ["manager_b", "admin_user", None])
def test_a_backup_outside_the_approvers_scope_is_not_suggested(
    request, drafted_by, foreign_backup, rep_b, rep_a2, customer_b, manager_b
):
    created_by = request.getfixturevalue(drafted_by) if drafted_by else None
    plan, _ = handover_plan_create(rep=rep_b, created_by=created_by, today=TODAY)
    item = plan.items.get()
    assert item.suggested_rep_id != rep_a2.pk and item.chosen_rep_id != rep_a2.pk
    assert "Arne" not in item.suggestion_reason
    assert (item.suggestion_kind, item.chosen_manager) == ("manager", manager_b)


def test_apply_refuses_a_chosen_recipient_outside_the_approvers_scope_and_moves_nothing(
    foreign_backup, rep_b, rep_a2, customer_b, manager_b
):
    plan, _ = handover_plan_create(rep=rep_b, created_by=manager_b, today=TODAY)
    deal = Deal.objects.create(customer=customer_b, owner=rep_b, amount=10, created_on=TODAY)
    # Chosen by someone who could see rep_a2 (or through an old form): the approver cannot.
    HandoverItem.objects.filter(plan=plan).update(
        chosen_rep=rep_a2, chosen_manager=None, mode="permanent", cover_until=None
    )
    before = holders(customer_b)

    with pytest.raises(RecipientRefused, match="outside your scope") as refused:
        handover_plan_apply(
            plan=plan, approved_by=manager_b, confirm_missing_notes=True, today=TODAY
        )

    assert isinstance(refused.value, ApplicationError) and "Arne" not in str(refused.value)
    assert holders(customer_b) == before == sorted([(rep_b.pk, "owner"), (rep_a2.pk, "backup")])
    deal.refresh_from_db()
    assert deal.owner == rep_b
    plan.refresh_from_db()
    assert (plan.status, plan.approved_at) == ("draft", None)


def test_apply_by_an_admin_may_hand_over_to_that_backup(
    foreign_backup, rep_b, rep_a2, customer_b, admin_user
):
    plan, _ = handover_plan_create(rep=rep_b, created_by=admin_user, today=TODAY)
    HandoverItem.objects.filter(plan=plan).update(
        chosen_rep=rep_a2, chosen_manager=None, mode="permanent", cover_until=None
    )
    handover_plan_apply(plan=plan, approved_by=admin_user, confirm_missing_notes=True, today=TODAY)
    assert owner_of(customer_b) == rep_a2


def test_a_rep_serving_notice_is_never_suggested_as_recipient_or_backup(
    rep_a, rep_a2, mates, book, manager_a
):
    """Carla's last day is in three days (status not yet changed), Dan is serving notice,
    and the customer's backup rep_a2 leaves in three days too: nobody of them is offered."""
    carla, dan = mates
    in_three_days = TODAY + dt.timedelta(days=3)
    carla.departure_date = in_three_days
    carla.save()
    dan.status, dan.departure_date = "notice", in_three_days
    dan.save()
    rep_a2.departure_date = in_three_days
    rep_a2.save()
    give_scores({carla: "low", dan: "low", rep_a2: "low"})
    Assignment.objects.create(
        customer=book["big"], rep=rep_a2, role="backup", valid_from=dt.date(2024, 1, 1)
    )
    plan, _ = handover_plan_create(rep=rep_a, created_by=manager_a, today=TODAY)
    leaving = {carla.pk, dan.pk, rep_a2.pk}
    for item in plan.items.all():
        assert item.suggested_rep_id not in leaving and item.chosen_rep_id not in leaving
        assert (item.suggestion_kind, item.chosen_manager) == ("manager", manager_a)
    offered = set(selectors.recipient_reps(user=manager_a, plan=plan).values_list("pk", flat=True))
    assert offered.isdisjoint(leaving)
    item = plan.items.select_related("plan", "customer").get(rank=1)
    with pytest.raises(RecipientRefused, match="serving notice"):
        handover_plan_item_update(item=item, user=manager_a, chosen_rep=carla, today=TODAY)


@pytest.mark.parametrize(
    ("rep_change", "refusal"),
    [
        ({"status": "notice"}, "serving notice"),
        ({"departure_date": TODAY + dt.timedelta(days=3)}, "serving notice"),
        ({"status": "left", "departure_date": TODAY}, "has left"),
    ],
    ids=["notice-no-last-day", "last-day-status-unchanged", "left"],
)
def test_a_rep_leaving_in_any_way_is_not_offered_and_cannot_be_chosen(
    rep_change, refusal, rep_a, mates, book, manager_a
):
    carla, dan = mates
    plan, _ = handover_plan_create(rep=rep_a, created_by=manager_a, today=TODAY)
    offered = selectors.recipient_reps(user=manager_a, plan=plan)
    assert {carla.pk, dan.pk} <= set(offered.values_list("pk", flat=True))
    for field, value in rep_change.items():
        setattr(carla, field, value)
    carla.save()
    offered = set(selectors.recipient_reps(user=manager_a, plan=plan).values_list("pk", flat=True))
    assert dan.pk in offered and carla.pk not in offered
    item = plan.items.select_related("plan", "customer").get(rank=1)
    before = item.chosen_rep_id, item.chosen_manager_id
    with pytest.raises(RecipientRefused, match=refusal):
        handover_plan_item_update(item=item, user=manager_a, chosen_rep=carla, today=TODAY)
    item = HandoverItem.objects.get(pk=item.pk)
    assert (item.chosen_rep_id, item.chosen_manager_id) == before


def test_apply_refuses_a_recipient_who_gave_notice_after_being_chosen(
    rep_a, mates, book, manager_a
):
    plan = draft_with_choices(rep_a, mates, book, manager_a)
    carla = mates[0]
    carla.departure_date = TODAY + dt.timedelta(days=3)
    carla.save()
    with pytest.raises(RecipientRefused, match="Big Key: the chosen rep is serving notice"):
        handover_plan_apply(
            plan=plan, approved_by=manager_a, confirm_missing_notes=True, today=TODAY
        )
    assert owner_of(book["big"]) == rep_a

"""Successors inherit: a hire drafts the hand-over from the covers, applying it ends them."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from handover.hiring import selectors, services
from handover.hiring.rampup import PeerHistory, add_months, ramp_up
from handover.models import Application, HandoverPlan, Vacancy
from handover.plans.services import PlanError, handover_plan_apply, handover_plan_reverse
from retention.models import Assignment, SalesRep
from tests.conftest import make_customer, make_rep

Stage = Application.Stage
TODAY = dt.datetime(2026, 3, 12, 9, 0, tzinfo=dt.UTC)


def current(customer, role=None):
    rows = Assignment.objects.filter(customer=customer, valid_to__isnull=True)
    if role:
        rows = rows.filter(role=role)
    return list(rows)


@pytest.fixture
def vacancy_with_covers(rep_a, rep_a2, manager_a):
    """Alice left on 6 March: Covered Co has Arne as temporary cover, Managed Co the manager,
    Bare Ltd nobody, and Gone Co was handed over for good to another rep."""
    rep_a.departure_date, rep_a.status = dt.date(2026, 3, 6), SalesRep.Status.LEFT
    rep_a.save()
    covered = make_customer("Covered Co", owner=rep_a, annual_revenue=900)
    managed = make_customer("Managed Co", owner=rep_a, annual_revenue=500)
    bare = make_customer("Bare Ltd", owner=rep_a, annual_revenue=100)
    gone = make_customer("Gone Co", owner=rep_a, annual_revenue=50)
    Assignment.objects.filter(customer__in=[covered, managed, gone]).update(
        valid_to=dt.date(2026, 3, 6)
    )
    Assignment.objects.create(
        customer=covered,
        rep=rep_a2,
        role=Assignment.Role.TEMPORARY_COVER,
        valid_from=dt.date(2026, 3, 7),
    )
    Assignment.objects.create(
        customer=managed,
        manager=manager_a,
        role=Assignment.Role.MANAGER_COVER,
        valid_from=dt.date(2026, 3, 7),
    )
    Assignment.objects.create(
        customer=gone, rep=rep_a2, role=Assignment.Role.OWNER, valid_from=dt.date(2026, 3, 7)
    )
    vacancy = services.vacancy_open_for_departure(
        rep_id=rep_a.pk, departure_date=rep_a.departure_date, today=dt.date(2026, 3, 2)
    )
    return vacancy, {"covered": covered, "managed": managed, "bare": bare, "gone": gone}


def hire(vacancy, candidate, by):
    application = services.application_create(vacancy=vacancy, candidate=candidate)
    services.application_move(application=application, to_stage=Stage.HIRED, by=by)
    vacancy.refresh_from_db()
    return vacancy.successor


@time_machine.travel(TODAY, tick=False)
def test_the_vacancy_page_shows_each_customers_real_holder(vacancy_with_covers, hr_user, rep_a2):
    vacancy, _ = vacancy_with_covers
    rows = {
        r.customer_name: r.covers
        for r in selectors.vacancy_temporary_covers(
            viewer=hr_user, vacancy=vacancy, today=dt.date(2026, 3, 12)
        )
    }
    assert rows["Covered Co"] == [f"{rep_a2.full_name} (Temporary cover)"]
    assert len(rows["Managed Co"]) == 1 and "Manager" in rows["Managed Co"][0]
    assert rows["Bare Ltd"] == []  # owned only by Alice, who has left: nobody covers it
    assert rows["Gone Co"] == [f"{rep_a2.full_name} (Owner)"]


@time_machine.travel(TODAY, tick=False)
def test_the_hire_drafts_the_successors_plan_from_the_covers(
    vacancy_with_covers, bench_candidate, hr_user, rep_a
):
    vacancy, _ = vacancy_with_covers
    successor = hire(vacancy, bench_candidate, hr_user)

    plan = selectors.vacancy_successor_plan(vacancy=vacancy)
    assert plan is not None and plan.status == HandoverPlan.Status.DRAFT
    assert plan.origin == HandoverPlan.Origin.SUCCESSOR and plan.rep == rep_a
    items = {i.customer.name: i for i in plan.items.select_related("customer")}
    # The customer handed over for good to someone else is not the successor's.
    assert set(items) == {"Covered Co", "Managed Co", "Bare Ltd"}
    assert {i.chosen_rep_id for i in items.values()} == {successor.pk}
    assert items["Covered Co"].held_role == Assignment.Role.TEMPORARY_COVER
    assert items["Managed Co"].held_role == Assignment.Role.MANAGER_COVER
    assert items["Bare Ltd"].held_role == Assignment.Role.OWNER


@time_machine.travel(TODAY, tick=False)
def test_applying_the_successors_plan_makes_them_owner_and_ends_the_covers(
    vacancy_with_covers, bench_candidate, hr_user, manager_a, rep_a2
):
    vacancy, c = vacancy_with_covers
    successor = hire(vacancy, bench_candidate, hr_user)
    plan = selectors.vacancy_successor_plan(vacancy=vacancy)

    handover_plan_apply(plan=plan, approved_by=manager_a, confirm_missing_notes=True)

    for name in ("covered", "managed", "bare"):
        holders = current(c[name])
        assert [(a.rep_id, a.role) for a in holders] == [(successor.pk, Assignment.Role.OWNER)]
    cover = Assignment.objects.get(customer=c["covered"], rep=rep_a2)
    assert cover.valid_to == dt.date(2026, 3, 12)
    assert [(a.rep_id, a.role) for a in current(c["gone"])] == [(rep_a2.pk, "owner")]
    plan.refresh_from_db()
    assert plan.status == HandoverPlan.Status.APPLIED
    with pytest.raises(PlanError, match="not reversed"):
        handover_plan_reverse(plan=plan, reversed_by=manager_a, reason="oops")


@time_machine.travel(TODAY, tick=False)
def test_the_vacancy_page_links_to_the_successors_plan(
    client, vacancy_with_covers, bench_candidate, hr_user
):
    vacancy, _ = vacancy_with_covers
    hire(vacancy, bench_candidate, hr_user)
    plan = selectors.vacancy_successor_plan(vacancy=vacancy)
    client.force_login(hr_user)
    page = client.get(reverse("handover:vacancy_detail", args=[vacancy.pk])).content.decode()
    assert reverse("handover:plan_detail", args=[plan.pk]) in page
    assert "no cover" not in page
    api = client.get(f"/api/vacancies/{vacancy.pk}/").json()
    assert api["successor_plan_id"] == plan.pk


@time_machine.travel(TODAY, tick=False)
def test_a_growth_hire_drafts_no_plan(vacancy_north, bench_candidate, hr_user):
    hire(vacancy_north, bench_candidate, hr_user)
    assert vacancy_north.status == Vacancy.Status.FILLED
    assert not HandoverPlan.objects.exists()


def test_ramp_up_stops_at_the_reps_departure():
    start = dt.date(2026, 1, 1)
    peers = [
        PeerHistory(
            rep_id=i,
            established_from=dt.date(2020, 1, 1),
            left_on=None,
            sales=tuple((add_months(start, k), amount) for k in range(12)),
        )
        for i, amount in ((1, 3100.0), (2, 6200.0), (3, 9300.0))
    ]
    sales = [(dt.date(2026, m, 5), 6200.0) for m in range(1, 6)]
    result = ramp_up(
        start=start,
        sales=sales,
        peers=peers,
        as_of=dt.date(2027, 3, 31),
        window_months=1,
        left_on=dt.date(2026, 5, 10),
    )
    # Gone on 10 May: January to April, then May up to the last day; not 15 months of 0 %.
    assert [m.month for m in result.months] == [1, 2, 3, 4, 5]
    assert result.months[-1].end == dt.date(2026, 5, 10)
    assert result.latest_share == pytest.approx(1.0)


def test_a_departed_reps_ramp_up_is_measured_until_they_left(team_north_a):
    rep = make_rep(
        team_north_a,
        "Gone",
        "Since-May",
        hire_date=dt.date(2026, 1, 1),
        departure_date=dt.date(2026, 5, 31),
        status=SalesRep.Status.LEFT,
    )
    result = selectors.rep_ramp_up(rep=rep, as_of=dt.date(2027, 3, 31))
    assert len(result.months) == 5
    assert result.months[-1].end == dt.date(2026, 5, 31)


@time_machine.travel(TODAY, tick=False)
def test_a_customer_with_an_owner_is_not_badged_uncovered(rep_a, rep_a2, hr_user):
    """A rep serving notice still owns their customers; another rep owns one for good."""
    rep_a.departure_date, rep_a.status = dt.date(2026, 4, 30), SalesRep.Status.NOTICE
    rep_a.save()
    make_customer("Still Mine", owner=rep_a, annual_revenue=10)
    vacancy = services.vacancy_open_for_departure(
        rep_id=rep_a.pk, departure_date=rep_a.departure_date, today=dt.date(2026, 3, 2)
    )
    rows = selectors.vacancy_temporary_covers(
        viewer=hr_user, vacancy=vacancy, today=dt.date(2026, 3, 12)
    )
    assert [r.covers for r in rows] == [[f"{rep_a.full_name} (Owner)"]]

"""The pipeline: stage history, time to fill, declined offers, hiring and onboarding."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from config.errors import ApplicationError
from handover.hiring import selectors, services
from handover.models import Application, Candidate, OnboardingTask, StageChange, Vacancy
from retention.models import Assignment, SalesRep
from tests.conftest import make_customer
from tests.handover.hiring.conftest import internal_candidate

Stage = Application.Stage


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def walk(application, stages_and_days, by=None, **extra):
    for stage, day in stages_and_days:
        application = services.application_move(
            application=application, to_stage=stage, by=by, now=at(day), **extra
        )
    return application


def test_moves_are_kept_as_history_with_time_in_stage(vacancy_north, bench_candidate, hr_user):
    application = services.application_create(
        vacancy=vacancy_north, candidate=bench_candidate, by=hr_user, now=at(dt.date(2026, 3, 2))
    )
    walk(
        application,
        [(Stage.SCREENING, dt.date(2026, 3, 4)), (Stage.INTERVIEW, dt.date(2026, 3, 9))],
        by=hr_user,
    )
    history = list(StageChange.objects.filter(application=application))
    assert [(c.from_stage, c.to_stage) for c in history] == [
        ("", Stage.SOURCED),
        (Stage.SOURCED, Stage.SCREENING),
        (Stage.SCREENING, Stage.INTERVIEW),
    ]
    assert all(c.changed_by == hr_user for c in history)
    durations = selectors.stage_durations(
        [(c.to_stage, c.changed_at) for c in history], now=at(dt.date(2026, 3, 12))
    )
    assert durations == [(Stage.SOURCED, 2.0), (Stage.SCREENING, 5.0), (Stage.INTERVIEW, 3.0)]
    bench_candidate.refresh_from_db()
    assert bench_candidate.status == Candidate.Status.IN_PROCESS


def test_hiring_fills_the_vacancy_with_time_to_fill_and_per_source_figures(
    vacancy_north, bench_candidate, hr_user
):
    application = services.application_create(
        vacancy=vacancy_north, candidate=bench_candidate, now=at(dt.date(2026, 3, 2))
    )
    walk(
        application,
        [
            (Stage.SCREENING, dt.date(2026, 3, 3)),
            (Stage.INTERVIEW, dt.date(2026, 3, 5)),
            (Stage.OFFER, dt.date(2026, 3, 10)),
            (Stage.HIRED, dt.date(2026, 3, 12)),
        ],
    )
    vacancy_north.refresh_from_db()
    assert vacancy_north.status == Vacancy.Status.FILLED
    assert vacancy_north.filled_on == dt.date(2026, 3, 12)
    assert selectors.vacancy_time_to_fill(vacancy_north) == 10
    assert selectors.vacancy_days_open(vacancy_north, today=dt.date(2026, 6, 1)) == 10
    stats = {s.source: s for s in selectors.source_stats(user=hr_user, now=at(dt.date(2026, 4, 1)))}
    bench = stats[Candidate.Source.BENCH]
    assert (bench.applications, bench.hires, bench.fill_days) == (1, 1, [10])
    assert bench.stage_days == {
        Stage.SOURCED: 1.0,
        Stage.SCREENING: 2.0,
        Stage.INTERVIEW: 5.0,
        Stage.OFFER: 2.0,
    }


def test_a_declined_offer_returns_the_person_to_the_pool_as_past_decliner(
    vacancy_north, board_candidate
):
    application = services.application_create(vacancy=vacancy_north, candidate=board_candidate)
    walk(application, [(Stage.INTERVIEW, dt.date(2026, 3, 5)), (Stage.OFFER, dt.date(2026, 3, 9))])
    with pytest.raises(ApplicationError, match="Say why the candidate declined the offer"):
        services.application_move(application=application, to_stage=Stage.WITHDREW)
    services.application_move(
        application=application, to_stage=Stage.WITHDREW, reason="Took a counter-offer"
    )
    application.refresh_from_db()
    board_candidate.refresh_from_db()
    assert application.stage == Stage.WITHDREW
    assert application.decline_reason == "Took a counter-offer"
    assert application.source == Candidate.Source.JOB_BOARD  # the report keeps the old source
    assert board_candidate.source == Candidate.Source.PAST_DECLINER
    assert board_candidate.status == Candidate.Status.AVAILABLE
    assert board_candidate.last_decline_reason == "Took a counter-offer"
    ranked = selectors.vacancy_ranked_pool(
        vacancy=services.vacancy_create(team=vacancy_north.team, opened_on=dt.date(2026, 4, 1)),
        today=dt.date(2026, 4, 1),
    )
    assert board_candidate in [r.candidate for r in ranked]


def test_closed_stages_are_final(vacancy_north, board_candidate):
    application = services.application_create(vacancy=vacancy_north, candidate=board_candidate)
    services.application_move(application=application, to_stage=Stage.REJECTED)
    with pytest.raises(ApplicationError, match="cannot move"):
        services.application_move(application=application, to_stage=Stage.INTERVIEW)
    board_candidate.refresh_from_db()
    assert board_candidate.status == Candidate.Status.AVAILABLE


@time_machine.travel(dt.datetime(2026, 3, 12, 9, 0, tzinfo=dt.UTC), tick=False)
def test_hiring_creates_the_rep_and_an_onboarding_plan_from_the_template(
    team_north_a, rep_a, rep_a2, bench_candidate, hr_user
):
    """The leaving rep's customers become introductions, by the cover where there is one."""
    rep_a.departure_date, rep_a.status = dt.date(2026, 3, 6), SalesRep.Status.LEFT
    rep_a.save()
    covered = make_customer("Covered Co", owner=rep_a, annual_revenue=900)
    uncovered = make_customer("Bare Ltd", owner=rep_a, annual_revenue=100)
    Assignment.objects.create(
        customer=covered,
        rep=rep_a2,
        role=Assignment.Role.TEMPORARY_COVER,
        valid_from=dt.date(2026, 3, 7),
    )
    vacancy = services.vacancy_open_for_departure(
        rep_id=rep_a.pk, departure_date=rep_a.departure_date, today=dt.date(2026, 3, 2)
    )
    covers = selectors.vacancy_temporary_covers(
        viewer=hr_user, vacancy=vacancy, today=dt.date(2026, 3, 12)
    )
    assert [(row.customer_name, len(row.covers)) for row in covers] == [
        ("Covered Co", 1),
        ("Bare Ltd", 0),
    ]
    application = services.application_create(vacancy=vacancy, candidate=bench_candidate)
    services.application_move(application=application, to_stage=Stage.HIRED, by=hr_user)

    bench_candidate.refresh_from_db()
    rep = bench_candidate.existing_rep
    assert bench_candidate.status == Candidate.Status.HIRED
    assert (rep.first_name, rep.last_name, rep.team, rep.email) == (
        "Bea",
        "Bench",
        team_north_a,
        "bea.bench@example.com",
    )
    assert rep.hire_date == dt.date(2026, 3, 16)  # the candidate's earliest start
    vacancy.refresh_from_db()
    assert vacancy.successor == rep and vacancy.status == Vacancy.Status.FILLED

    plan = rep.onboarding_plan
    assert plan.template.name == services.DEFAULT_TEMPLATE_NAME
    tasks = list(plan.tasks.order_by("due_date", "id"))
    titles = [t.title for t in tasks]
    assert "Product training" in titles and "First solo visits" in titles
    intros = [t for t in tasks if t.kind == OnboardingTask.Kind.INTRODUCTION]
    assert [(t.customer, t.introduced_by) for t in intros] == [
        (covered, rep_a2.full_name),
        (uncovered, str(vacancy.hiring_manager or "")),
    ]
    training = next(t for t in tasks if t.title == "Product training")
    assert training.due_date == dt.date(2026, 3, 26)
    assert training.owner_role == "manager"


@time_machine.travel(dt.datetime(2026, 3, 12, 9, 0, tzinfo=dt.UTC), tick=False)
def test_an_introduction_to_a_customer_with_a_name_as_long_as_a_title_is_planned(
    rep_a, bench_candidate
):
    """A customer's name may fill the 200 characters a task's title holds: the stored title
    is cut to fit (PostgreSQL refused the hire), and the plan shows the whole name."""
    rep_a.departure_date, rep_a.status = dt.date(2026, 3, 6), SalesRep.Status.LEFT
    rep_a.save()
    customer = make_customer("Long " * 39 + "Names", owner=rep_a)
    assert len(customer.name) == 200
    vacancy = services.vacancy_open_for_departure(
        rep_id=rep_a.pk, departure_date=rep_a.departure_date, today=dt.date(2026, 3, 2)
    )
    application = services.application_create(vacancy=vacancy, candidate=bench_candidate)
    services.application_move(application=application, to_stage=Stage.HIRED)
    task = OnboardingTask.objects.get(customer=customer)
    assert len(task.title) == 200 and task.title.startswith("Introduction to Long Long")
    assert services.onboarding_task_title(task) == f"Introduction to {customer.name}"


def test_hiring_an_internal_transfer_links_the_existing_rep(vacancy_north, rep_b):
    candidate = internal_candidate(rep_b)
    application = services.application_create(vacancy=vacancy_north, candidate=candidate)
    services.application_move(
        application=application, to_stage=Stage.HIRED, start_date=dt.date(2026, 4, 1)
    )
    rep_b.refresh_from_db()
    assert rep_b.team == vacancy_north.team
    assert SalesRep.objects.filter(last_name=rep_b.last_name).count() == 1
    assert rep_b.onboarding_plan.start_date == dt.date(2026, 4, 1)


def test_a_referral_needs_its_referrer():
    with pytest.raises(ApplicationError, match="A referral needs the person who referred"):
        services.candidate_create(
            first_name="Rae", last_name="Ferral", source=Candidate.Source.REFERRAL
        )


def test_bench_by_region_counts_and_says_how_soon_each_can_start(bench_candidate):
    services.candidate_create(
        first_name="Now", last_name="Ready", source=Candidate.Source.BENCH, region="North"
    )
    services.candidate_create(
        first_name="Sol",
        last_name="South",
        source=Candidate.Source.BENCH,
        region="South",
        earliest_start=dt.date(2026, 3, 1),
    )
    regions = {r.region: r for r in selectors.bench_by_region(today=dt.date(2026, 3, 2))}
    assert regions["North"].count == 2
    assert [(c.last_name, c.days_to_start) for c in regions["North"].candidates] == [
        ("Ready", 0),
        ("Bench", 14),
    ]
    assert regions["South"].ready_now == 1


def test_sales_at_stake_is_the_trailing_year_per_day_times_days_open(rep_a, customer_a):
    from retention.models import Deal

    rep_a.departure_date, rep_a.status = dt.date(2026, 2, 28), SalesRep.Status.LEFT
    rep_a.save()
    Deal.objects.create(
        customer=customer_a,
        owner=rep_a,
        amount=36_500,
        created_on=dt.date(2025, 6, 1),
        close_date=dt.date(2025, 6, 1),
        status="won",
    )
    vacancy = services.vacancy_open_for_departure(
        rep_id=rep_a.pk, departure_date=rep_a.departure_date, today=dt.date(2026, 3, 1)
    )
    stake = selectors.vacancy_sales_at_stake(vacancy=vacancy, today=dt.date(2026, 3, 10))
    assert stake.per_day == pytest.approx(100)
    assert stake.days_open == 9
    assert stake.at_stake == pytest.approx(900)
    assert (stake.until, stake.serving_notice) == (dt.date(2026, 2, 28), False)


def test_sales_at_stake_of_a_rep_still_serving_notice_counts_the_year_to_today(
    client, hr_user, rep_a, customer_a
):
    from retention.models import Deal

    rep_a.departure_date, rep_a.status = dt.date(2026, 3, 20), SalesRep.Status.NOTICE
    rep_a.save()
    # The year up to today, 2025-03-11 … 2026-03-10: one deal before it, one in it, one after.
    for day in (dt.date(2025, 3, 10), dt.date(2025, 3, 11), dt.date(2026, 3, 11)):
        Deal.objects.create(
            customer=customer_a,
            owner=rep_a,
            amount=36_500,
            created_on=day,
            close_date=day,
            status="won",
        )
    vacancy = services.vacancy_open_for_departure(
        rep_id=rep_a.pk, departure_date=rep_a.departure_date, today=dt.date(2026, 3, 1)
    )
    stake = selectors.vacancy_sales_at_stake(vacancy=vacancy, today=dt.date(2026, 3, 10))
    assert (stake.until, stake.serving_notice) == (dt.date(2026, 3, 10), True)
    assert stake.trailing_won == 36_500 and stake.per_day == pytest.approx(100)
    assert stake.days_open == 9
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC), tick=False):
        client.force_login(hr_user)
        html = client.get(reverse("handover:vacancy_detail", args=[vacancy.pk])).content.decode()
    assert "still serving their notice, won CN¥36,500 in the last 12 months" in html
    assert "before their last day" not in html

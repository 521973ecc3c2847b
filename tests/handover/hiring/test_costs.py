"""The three-phase cost of a departure, on small hand-built histories with known answers."""

import datetime as dt

import pytest

from handover.hiring import costs, selectors
from handover.models import Vacancy
from retention.models import Deal, RiskScore, ScoringRun
from tests.conftest import make_customer, make_rep

D = dt.date
LAST_DAY = D(2025, 6, 30)
# 36,500 won in the year before 1 May 2025: a run rate of exactly 100 a day.
OWN = [(D(2024, 4, 1), 99_999.0), (D(2024, 10, 1), 36_500.0), (D(2025, 6, 1), 2_100.0)]
TERRITORY = [
    (D(2025, 6, 1), 2_100.0),  # before leaving: the rep's own deal
    (D(2025, 7, 15), 600.0),  # vacancy: a cover closed a deal on the rep's customer
    (D(2025, 9, 1), 5_200.0),  # ramp-up: the successor
    (D(2025, 12, 1), 50_000.0),  # after the successor reached target: not part of the cost
]


def test_run_rate_is_own_won_amount_per_day_over_the_year_before():
    assert costs.run_rate(OWN, until=D(2025, 5, 1)) == pytest.approx(100.0)


def test_three_phases_with_a_risk_flag_a_successor_and_a_target_reached():
    cost = costs.departure_cost(
        own_sales=OWN,
        territory_sales=TERRITORY,
        last_day=LAST_DAY,
        as_of=D(2026, 1, 31),
        risk_flag_on=D(2025, 5, 1),
        successor_start=D(2025, 8, 1),
        target_reached_on=D(2025, 10, 31),
    )
    before, vacancy, ramp = cost.phases
    assert (before.key, before.start, before.end, before.days) == (
        costs.PHASE_BEFORE,
        D(2025, 5, 1),
        LAST_DAY,
        61,
    )
    assert (vacancy.start, vacancy.end, vacancy.days) == (D(2025, 7, 1), D(2025, 7, 31), 31)
    assert (ramp.start, ramp.end, ramp.days) == (D(2025, 8, 1), D(2025, 10, 31), 92)
    assert before.lost == pytest.approx(6_100 - 2_100)
    assert vacancy.lost == pytest.approx(3_100 - 600)
    assert ramp.lost == pytest.approx(9_200 - 5_200)
    assert cost.total_lost == pytest.approx(10_500)
    assert not any(p.is_open for p in cost.phases)


def test_without_a_flag_the_configured_window_is_used_and_open_phases_stop_today():
    cost = costs.departure_cost(
        own_sales=[(D(2025, 1, 10), 36_500.0)],
        territory_sales=[],
        last_day=LAST_DAY,
        as_of=D(2025, 7, 10),
        pre_window_days=30,
    )
    assert [p.key for p in cost.phases] == [costs.PHASE_BEFORE, costs.PHASE_VACANCY]
    before, vacancy = cost.phases
    assert (before.start, before.days) == (D(2025, 6, 1), 30)
    assert (vacancy.end, vacancy.days, vacancy.is_open) == (D(2025, 7, 10), 10, True)
    assert cost.lost(costs.PHASE_VACANCY) == pytest.approx(1_000)


def test_a_successor_who_started_before_the_last_day_leaves_no_vacancy_phase():
    windows = costs.phase_windows(
        last_day=LAST_DAY,
        as_of=D(2025, 12, 31),
        successor_start=D(2025, 6, 15),
        target_reached_on=D(2025, 8, 31),
    )
    assert [w.key for w in windows] == [costs.PHASE_BEFORE, costs.PHASE_RAMP]
    assert windows[1].start == D(2025, 7, 1)


def test_departure_costs_reads_flag_book_and_successor_from_the_database(team_north_a):
    leaver = make_rep(team_north_a, "Lea", "Ver", hire_date=D(2020, 1, 6))
    leaver.departure_date, leaver.status = LAST_DAY, "left"
    leaver.save()
    cover = make_rep(team_north_a, "Cole", "Cover", hire_date=D(2020, 1, 6))
    customer = make_customer("Book Co", owner=leaver)
    other = make_customer("Elsewhere Ltd", owner=cover)
    successor = make_rep(team_north_a, "Sue", "Cessor", hire_date=D(2025, 8, 1))
    Vacancy.objects.create(
        team=team_north_a,
        leaving_rep=leaver,
        opened_on=D(2025, 6, 1),
        successor=successor,
        status=Vacancy.Status.FILLED,
        filled_on=D(2025, 7, 20),
    )

    def won(owner, cust, day, amount):
        Deal.objects.create(
            customer=cust,
            owner=owner,
            amount=amount,
            created_on=day,
            close_date=day,
            status=Deal.Status.WON,
        )

    won(leaver, customer, D(2024, 10, 1), 36_500)  # the run rate: 100 a day
    won(leaver, customer, D(2025, 6, 1), 2_100)  # before leaving
    won(cover, customer, D(2025, 7, 15), 600)  # vacancy: the cover, on the leaver's customer
    won(cover, other, D(2025, 7, 16), 9_999)  # the cover's own customer: not the territory's
    won(successor, other, D(2025, 9, 1), 1_000)  # ramp-up: the successor
    run = ScoringRun.objects.create(as_of=D(2025, 5, 1), status=ScoringRun.Status.SUCCEEDED)
    RiskScore.objects.create(
        run=run, rep=leaver, as_of=D(2025, 5, 1), probability=0.7, band=RiskScore.Band.HIGH
    )
    later = ScoringRun.objects.create(as_of=D(2025, 5, 8), status=ScoringRun.Status.SUCCEEDED)
    RiskScore.objects.create(
        run=later, rep=leaver, as_of=D(2025, 5, 8), probability=0.8, band=RiskScore.Band.HIGH
    )

    from accounts.models import User

    hr = User.objects.create(username="hr.costs", role=User.Role.HR)
    as_of = D(2025, 9, 30)
    reps = selectors.departures_visible_to(user=hr, as_of=as_of)
    rows = selectors.departure_costs(reps=reps, as_of=as_of)
    assert len(rows) == 1
    row = rows[0]
    assert row.risk_flag_on == D(2025, 5, 1)
    assert row.cost.run_rate_per_day == pytest.approx(100)
    assert row.cost.lost(costs.PHASE_BEFORE) == pytest.approx(6_100 - 2_100)
    assert row.cost.lost(costs.PHASE_VACANCY) == pytest.approx(3_100 - 600)
    # No established peer in the team reached: the ramp-up runs on to the as-of date.
    assert row.cost.lost(costs.PHASE_RAMP) == pytest.approx(61 * 100 - 1_000)
    by_team = selectors.departure_cost_totals(rows, by="team")
    assert by_team[0].key == "North A"
    assert by_team[0].total == pytest.approx(4_000 + 2_500 + 5_100)
    assert selectors.departure_cost_totals(rows, by="year")[0].key == "2025"

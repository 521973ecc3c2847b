"""The cost of a departure: phase windows, the difference-in-differences on hand-built
ledgers with known answers, and the database path (selectors) on hand-built and demo data."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from accounts.models import User
from handover.hiring import costs, selectors
from handover.hiring.demo import hiring_demo_seed
from handover.models import Vacancy
from retention.demo import DemoSize, demo_seed
from retention.demo.generate import build_org
from retention.models import Assignment, Customer, Deal, RiskScore, SalesRep, ScoringRun
from tests.conftest import make_customer, make_rep
from tests.handover.hiring import demo_truth

D = dt.date
LAST_DAY = D(2025, 6, 30)


def test_three_phases_with_a_risk_flag_a_successor_and_a_target_reached():
    before, vacancy, ramp = costs.phase_windows(
        last_day=LAST_DAY,
        as_of=D(2026, 1, 31),
        risk_flag_on=D(2025, 5, 1),
        successor_start=D(2025, 8, 1),
        target_reached_on=D(2025, 10, 31),
    )
    assert (before.key, before.start, before.end, before.days) == (
        costs.PHASE_BEFORE,
        D(2025, 5, 1),
        LAST_DAY,
        61,
    )
    assert (vacancy.start, vacancy.end, vacancy.days) == (D(2025, 7, 1), D(2025, 7, 31), 31)
    assert (ramp.start, ramp.end, ramp.days, ramp.is_open) == (
        D(2025, 8, 1),
        D(2025, 10, 31),
        92,
        False,
    )


def test_a_successor_who_started_before_the_last_day_leaves_no_vacancy_phase():
    windows = costs.phase_windows(
        last_day=LAST_DAY,
        as_of=D(2025, 12, 31),
        successor_start=D(2025, 6, 15),
        target_reached_on=D(2025, 8, 31),
    )
    assert [w.key for w in windows] == [costs.PHASE_BEFORE, costs.PHASE_RAMP]
    assert windows[1].start == D(2025, 7, 1)


# --- the method on a hand-built ledger ---------------------------------------------------------
# Rep 1 leaves on LAST_DAY holding customer 10; reps 2, 3, 4 of the same team stay, holding
# customers 20, 30, 40; rep 5 of another team holds 50. A far-off valid_to is "still owns".


def _ledger(deals, *, leaver_left=LAST_DAY, team_of_controls=(1, 1, 1)) -> costs.Ledger:
    reps = pd.DataFrame(
        [
            (1, 1, "North", D(2020, 1, 1), leaver_left),
            (2, team_of_controls[0], "North", D(2020, 1, 1), None),
            (3, team_of_controls[1], "North", D(2020, 1, 1), None),
            (4, team_of_controls[2], "North", D(2020, 1, 1), None),
            (5, 2, "North", D(2020, 1, 1), None),
        ],
        columns=["rep_id", "team_id", "region", "hire_date", "departure_date"],
    )
    owners = pd.DataFrame(
        [
            (10, 1, D(2020, 1, 1), LAST_DAY),
            (10, 2, LAST_DAY + dt.timedelta(days=1), None),  # the cover takes it over
            (20, 2, D(2020, 1, 1), None),
            (30, 3, D(2020, 1, 1), None),
            (40, 4, D(2020, 1, 1), None),
            (50, 5, D(2020, 1, 1), None),
        ],
        columns=["customer_id", "rep_id", "valid_from", "valid_to"],
    )
    frame = pd.DataFrame(deals, columns=["customer_id", "close_date", "amount"])
    frame["created_on"] = frame["close_date"] - pd.Timedelta(days=10)
    frame["won"] = True
    return costs.Ledger(deals=frame, owners=owners, reps=reps)


def _ts(day: dt.date) -> pd.Timestamp:
    return pd.Timestamp(day)


# The controls sell 3 × 1,000 in each of four baseline quarters and twice as much in the
# vacancy quarter (a season): the territory, selling 2,000 a quarter before, is expected to sell
# 2 × 8,000 ÷ 4 quarters = 4,000 in the vacancy, and sells 1,000 (the cover's deal).
BASELINE_DAYS = [D(2024, 7, 15), D(2024, 10, 15), D(2025, 1, 15), D(2025, 3, 15)]
DIFF_IN_DIFF_DEALS = (
    [(10, _ts(day), 2_000.0) for day in BASELINE_DAYS]
    + [(c, _ts(day), 1_000.0) for c in (20, 30, 40) for day in BASELINE_DAYS]
    + [(c, _ts(D(2025, 5, 15)), 1_000.0) for c in (20, 30, 40)]  # before leaving
    + [(10, _ts(D(2025, 5, 20)), 2_000.0)]
    + [(c, _ts(D(2025, 8, 15)), 2_000.0) for c in (20, 30, 40)]  # vacancy: controls double
    + [(10, _ts(D(2025, 8, 20)), 1_000.0)]
    + [(50, _ts(D(2025, 8, 15)), 99_999.0)]  # another team's territory: not a control
)


def _departure(**extra) -> costs.Departure:
    return costs.Departure(rep_id=1, team_id=1, region="North", last_day=LAST_DAY, **extra)


def test_expected_sales_follow_the_comparable_territories_and_the_loss_is_positive():
    (cost,) = costs.departure_costs(
        departures=[_departure()],
        ledger=_ledger(DIFF_IN_DIFF_DEALS),
        as_of=D(2025, 9, 30),
        draws=0,
    )
    before, vacancy = cost.phases
    assert (cost.controls, cost.control_reps, cost.control_customers) == ("team", 3, 3)
    assert cost.territory_customers == 1
    assert cost.baseline_sales == 8_000
    # Before leaving: controls sold 3,000 against 12,000 in the baseline.
    assert before.expected == pytest.approx(8_000 * 3_000 / 12_000)
    assert before.actual == 2_000
    assert vacancy.expected == pytest.approx(8_000 * 6_000 / 12_000)
    assert vacancy.actual == 1_000
    assert cost.lost(costs.PHASE_VACANCY) == pytest.approx(3_000)
    assert cost.total_lost == pytest.approx(0 + 3_000)
    assert vacancy.is_open


def test_the_old_yardstick_would_have_called_a_season_a_gain():
    """The same vacancy in a strong month, against the territory's own flat run rate, looks
    like a gain; against the comparable territories it is the loss it is."""
    deals = [*DIFF_IN_DIFF_DEALS[:-2], (10, _ts(D(2025, 8, 20)), 3_000.0)]
    (cost,) = costs.departure_costs(
        departures=[_departure()], ledger=_ledger(deals), as_of=D(2025, 9, 30), draws=0
    )
    vacancy = cost.phase(costs.PHASE_VACANCY)
    flat_run_rate = 8_000 / 4 * vacancy.days / 91
    assert vacancy.actual > flat_run_rate  # a "negative cost" the old way
    assert vacancy.gross_lost == pytest.approx(4_000 - 3_000)  # a loss against the controls


def test_too_little_history_or_too_few_comparable_reps_is_said_not_guessed():
    late = [(10, _ts(D(2025, 5, 1)), 2_000.0), (20, _ts(D(2025, 5, 2)), 1_000.0)]
    (short,) = costs.departure_costs(
        departures=[_departure()], ledger=_ledger(late), as_of=D(2025, 9, 30), draws=0
    )
    assert short.not_measured == costs.NOT_ENOUGH_HISTORY
    assert short.total_lost == 0
    # The data begin after the first phase does (2025-04-02): no baseline period to show,
    # rather than one that ends before it starts.
    assert short.phases[0].start == D(2025, 4, 2)
    assert (short.baseline_start, short.baseline_end) == (None, None)
    # A baseline shorter than the minimum is shown as it is, and not measured.
    brief = [(10, _ts(D(2025, 3, 20)), 2_000.0), (20, _ts(D(2025, 3, 21)), 1_000.0)]
    (shortish,) = costs.departure_costs(
        departures=[_departure()], ledger=_ledger(brief), as_of=D(2025, 9, 30), draws=0
    )
    assert shortish.not_measured == costs.NOT_ENOUGH_HISTORY
    assert (shortish.baseline_start, shortish.baseline_end) == (D(2025, 3, 20), D(2025, 4, 1))
    lonely = _ledger(DIFF_IN_DIFF_DEALS, team_of_controls=(1, 3, 3))
    (wider,) = costs.departure_costs(
        departures=[_departure()], ledger=lonely, as_of=D(2025, 9, 30), draws=0
    )
    assert wider.controls == costs.CONTROLS_REGION  # one team mate: the region stands in
    assert wider.control_reps == 4


def test_a_customer_who_stopped_buying_is_the_churn_part_and_the_parts_add_up():
    # Customer 11 (also the leaver's) bought in the baseline and opens nothing after the last
    # day, while every control customer keeps buying.
    deals = DIFF_IN_DIFF_DEALS + [(11, _ts(day), 2_000.0) for day in BASELINE_DAYS]
    deals += [(c, _ts(D(2025, 7, 10)), 500.0) for c in (20, 30, 40)]
    deals += [(10, _ts(D(2025, 7, 10)), 500.0)]
    ledger = _ledger(deals)
    ledger.owner_customer = np.append(ledger.owner_customer, 11)
    ledger.owner_rep = np.append(ledger.owner_rep, 1)
    ledger.owner_from = np.append(ledger.owner_from, costs._day(D(2020, 1, 1)))
    ledger.owner_to = np.append(ledger.owner_to, costs._day(LAST_DAY))
    (cost,) = costs.departure_costs(
        departures=[_departure()], ledger=ledger, as_of=D(2025, 10, 31), draws=0
    )
    assert (cost.churn.buyers, cost.churn.quiet, cost.churn.control_quiet) == (2, 1, 0)
    assert cost.churn.customers_lost == pytest.approx(1)
    vacancy = cost.phase(costs.PHASE_VACANCY)
    # Half the baseline was customer 11's: half the expected vacancy sales went with it.
    assert cost.lost(costs.PART_CHURN) == pytest.approx(vacancy.expected / 2)
    assert sum(cost.lost(p) for p in costs.PARTS) == pytest.approx(cost.total_lost)
    assert cost.total_lost == pytest.approx(
        vacancy.gross_lost + cost.phase("before_leaving").gross_lost
    )


def test_the_range_is_wider_with_fewer_deals_and_totals_add_the_draws():
    (cost,) = costs.departure_costs(
        departures=[_departure()], ledger=_ledger(DIFF_IN_DIFF_DEALS), as_of=D(2025, 9, 30)
    )
    low, high = cost.interval
    assert low < cost.total_lost < high
    many = [
        (c, day + pd.Timedelta(days=k), amount / 10)
        for c, day, amount in DIFF_IN_DIFF_DEALS
        for k in range(10)
    ]
    (dense,) = costs.departure_costs(
        departures=[_departure()], ledger=_ledger(many), as_of=D(2025, 9, 30)
    )
    assert dense.total_lost == pytest.approx(cost.total_lost, rel=0.1)
    assert dense.interval[1] - dense.interval[0] < (high - low) / 2
    (total,) = costs.totals([("2025", cost), ("2025", dense)])
    assert total.departures == total.measured == 2
    assert total.total == pytest.approx(cost.total_lost + dense.total_lost)
    assert total.interval[0] < total.total < total.interval[1]


# --- the database path ---------------------------------------------------------------------------


def _won(owner, customer, day, amount):
    Deal.objects.create(
        customer=customer,
        owner=owner,
        amount=amount,
        created_on=day - dt.timedelta(days=10),
        close_date=day,
        status=Deal.Status.WON,
    )


def test_departure_costs_read_flag_book_controls_and_successor_from_the_database(
    team_north_a, team_north_b
):
    leaver = make_rep(team_north_a, "Lea", "Ver", hire_date=D(2020, 1, 6))
    leaver.departure_date, leaver.status = LAST_DAY, SalesRep.Status.LEFT
    leaver.save()
    stayers = [make_rep(team_north_a, "Sta", f"Yer{i}", hire_date=D(2020, 1, 6)) for i in range(3)]
    elsewhere = make_rep(team_north_b, "Else", "Where", hire_date=D(2020, 1, 6))
    successor = make_rep(team_north_a, "Sue", "Cessor", hire_date=D(2025, 8, 1))
    book = Customer.objects.create(name="Book Co")
    for rep, start, end in (
        (leaver, D(2023, 1, 1), LAST_DAY),
        (stayers[0], D(2025, 7, 1), D(2025, 7, 31)),  # the cover
        (successor, D(2025, 8, 1), None),
    ):
        Assignment.objects.create(
            customer=book, rep=rep, role=Assignment.Role.OWNER, valid_from=start, valid_to=end
        )
    theirs = [make_customer(f"Own {i}", owner=rep) for i, rep in enumerate(stayers)]
    other = make_customer("Other team Ltd", owner=elsewhere)
    Vacancy.objects.create(
        team=team_north_a,
        leaving_rep=leaver,
        opened_on=D(2025, 6, 1),
        successor=successor,
        status=Vacancy.Status.FILLED,
        filled_on=D(2025, 7, 20),
    )
    for day in (D(2024, 7, 15), D(2024, 10, 15), D(2025, 1, 15), D(2025, 3, 15)):
        _won(leaver, book, day, 2_000)
        for rep, customer in zip(stayers, theirs, strict=True):
            _won(rep, customer, day, 1_000)
    for rep, customer in zip(stayers, theirs, strict=True):
        _won(rep, customer, D(2025, 5, 15), 1_000)  # before leaving
        _won(rep, customer, D(2025, 7, 15), 1_000)  # vacancy
        _won(rep, customer, D(2025, 9, 1), 2_000)  # ramp-up
    _won(leaver, book, D(2025, 5, 20), 1_000)
    _won(stayers[0], book, D(2025, 7, 20), 500)  # the cover, on the leaver's customer
    _won(successor, book, D(2025, 9, 10), 1_500)  # the successor
    _won(elsewhere, other, D(2025, 9, 1), 99_999)  # another team: not compared with
    for as_of_day, band in ((D(2025, 4, 24), "low"), (D(2025, 5, 1), "high")):
        run = ScoringRun.objects.create(as_of=as_of_day, status=ScoringRun.Status.SUCCEEDED)
        RiskScore.objects.create(run=run, rep=leaver, as_of=as_of_day, probability=0.7, band=band)

    hr = User.objects.create(username="hr.costs", role=User.Role.HR)
    as_of = D(2025, 9, 30)
    rows = selectors.departure_costs(
        reps=selectors.departures_visible_to(user=hr, as_of=as_of), as_of=as_of
    )
    assert len(rows) == 1
    row = rows[0]
    cost = row.cost
    assert row.risk_flag_on == D(2025, 5, 1)
    assert (row.successor, cost.controls, cost.control_reps) == (successor, "team", 3)
    # Baseline: from the first deal (2024-07-15) to the day before the flag.
    assert (cost.baseline_start, cost.baseline_end) == (D(2024, 7, 15), D(2025, 4, 30))
    before, vacancy, ramp = cost.phases
    assert before.expected == pytest.approx(8_000 * 3_000 / 12_000)
    assert before.actual == 1_000
    assert vacancy.expected == pytest.approx(8_000 * 3_000 / 12_000)
    assert vacancy.actual == 500
    assert (ramp.start, ramp.is_open) == (D(2025, 8, 1), True)  # target not reached yet
    assert ramp.expected == pytest.approx(8_000 * 6_000 / 12_000)
    assert ramp.actual == 1_500
    assert cost.total_lost == pytest.approx(1_000 + 1_500 + 2_500)
    (by_team,) = selectors.departure_cost_totals(rows, by="team")
    assert (by_team.key, by_team.departures, by_team.total) == ("North A", 1, cost.total_lost)
    assert selectors.departure_cost_totals(rows, by="year")[0].key == "2025"


def test_a_score_stored_while_serving_notice_is_no_risk_flag(team_north_a):
    """The scoring run stores a rep serving notice in the high band: that is their notice, not
    the model's warning, so the departure has no risk flag."""
    leaver = make_rep(team_north_a, "Lea", "Ver", hire_date=D(2020, 1, 6))
    leaver.departure_date, leaver.status = LAST_DAY, SalesRep.Status.LEFT
    leaver.save()
    for as_of_day, status in ((D(2025, 4, 24), "scored"), (D(2025, 5, 15), "leaving")):
        run = ScoringRun.objects.create(as_of=as_of_day, status=ScoringRun.Status.SUCCEEDED)
        RiskScore.objects.create(
            run=run,
            rep=leaver,
            as_of=as_of_day,
            probability=1.0 if status == "leaving" else 0.1,
            band="high" if status == "leaving" else "low",
            status=status,
            last_day=LAST_DAY if status == "leaving" else None,
        )
    hr = User.objects.create(username="hr.costs", role=User.Role.HR)
    as_of = D(2025, 9, 30)
    (row,) = selectors.departure_costs(
        reps=selectors.departures_visible_to(user=hr, as_of=as_of), as_of=as_of
    )
    assert row.risk_flag_on is None


DEMO_END = D(2026, 6, 30)
DEMO_SIZE = DemoSize(reps=30, teams=3, regions=1, customers=300, months=20)
DEMO_SEED = 3


def test_the_page_reads_the_seeded_demo_as_the_generator_wrote_it(db):
    """Seeded and hired through the demo, the database path gives the figures the method gives
    on the generator's own frames, and each vacancy's successor is the seat's."""
    demo_seed(seed=DEMO_SEED, size=DEMO_SIZE, end_date=DEMO_END)
    hiring_demo_seed(seed=DEMO_SEED, end_date=DEMO_END)
    org = build_org(seed=DEMO_SEED, size=DEMO_SIZE, end=DEMO_END)
    deals, _ = demo_truth.histories(org)
    person_of = {
        pk: int(crm[1:]) - 1 for pk, crm in SalesRep.objects.values_list("id", "crm_user_id")
    }
    hr = User.objects.create(username="hr.demo", role=User.Role.HR)
    rows = selectors.departure_costs(
        reps=selectors.departures_visible_to(user=hr, as_of=DEMO_END), as_of=DEMO_END
    )
    assert len(rows) >= 10
    seats = org.people["seat"]
    departures = []
    for row in rows:
        person = person_of[row.rep.pk]
        if row.successor is not None:
            assert seats[person_of[row.successor.pk]] == seats[person]
        d = row.cost.departure
        departures.append(
            costs.Departure(
                rep_id=person,
                team_id=int(org.people.at[person, "team"]),
                region=str(org.people.at[person, "region"]),
                last_day=d.last_day,
                successor_start=d.successor_start,
                target_reached_on=d.target_reached_on,
            )
        )
    pure = costs.departure_costs(
        departures=departures, ledger=demo_truth.ledger(org, deals), as_of=DEMO_END, draws=0
    )
    measured = 0
    for row, expected in zip(rows, pure, strict=True):
        assert row.cost.not_measured == expected.not_measured
        if row.cost.measured:
            measured += 1
            assert row.cost.total_lost == pytest.approx(expected.total_lost, rel=1e-9, abs=1e-6)
            assert row.cost.control_deals == expected.control_deals
    assert measured >= 5  # the others began too early in the history to have a baseline
    assert sum(r.cost.total_lost for r in rows) > 0

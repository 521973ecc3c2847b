"""The departure-cost method against the losses the demo generator planted (no database).

The generator knows what each departure cost: every deal the territory would have won with
its usual rep and did not, during the strain before the last day, the vacancy and the ramp-up,
and on the customers who stopped buying. The method sees only deals and books, like the page.
Tolerances (stated in the issue): the right sign on at least 80% of the measured departures,
the total within 20%; and with no planted loss, a total of about zero (within 3% of the
expected sales)."""

import datetime as dt

import numpy as np
import pytest

from handover.hiring import costs
from retention.demo.generate import DemoSize, build_org
from tests.handover.hiring import demo_truth

END = dt.date(2026, 11, 30)
SIZE = DemoSize(reps=150, teams=15, regions=3, customers=1500, months=30)
SEED = 5  # seeds 4–7 all pass; the figures per seed are in the commit message


def _measure(sales_losses: bool):
    org = build_org(seed=SEED, size=SIZE, end=END, sales_losses=sales_losses)
    deals, lost = demo_truth.histories(org)
    found = costs.departure_costs(
        departures=demo_truth.departures(org),
        ledger=demo_truth.ledger(org, deals),
        as_of=END,
    )
    return org, lost, [c for c in found if c.measured]


@pytest.fixture(scope="module")
def with_losses():
    return _measure(True)


@pytest.fixture(scope="module")
def without_losses():
    return _measure(False)


def test_the_planted_losses_are_recovered_with_the_right_sign_and_total(with_losses):
    org, lost, measured = with_losses
    assert len(measured) >= 60
    estimate = np.array([c.total_lost for c in measured])
    truth = np.array([demo_truth.planted(org, lost, c) for c in measured])
    assert truth.sum() > 0.2 * sum(c.expected_total for c in measured)  # a loss worth finding
    right_sign = np.mean((estimate > 0) == (truth > 0))
    assert right_sign >= 0.8, right_sign
    assert estimate.sum() == pytest.approx(truth.sum(), rel=0.2)
    # Each phase on its own (gross, churn included): the vacancy and the ramp-up within 30%. The
    # short window before leaving comes out over-stated (1.05-1.46x on seeds 4-7): between 0.8x
    # and 1.6x.
    ratio = {}
    for key in costs.PHASES:
        est = sum(p.gross_lost for c in measured for p in c.phases if p.key == key)
        planted = sum(
            demo_truth.planted(
                org, lost, costs.DepartureCost(departure=c.departure, phases=[c.phase(key)])
            )
            for c in measured
            if c.phase(key)
        )
        ratio[key] = est / planted
    assert 0.7 <= ratio[costs.PHASE_VACANCY] <= 1.3, ratio
    assert 0.7 <= ratio[costs.PHASE_RAMP] <= 1.3, ratio
    assert 0.8 <= ratio[costs.PHASE_BEFORE] <= 1.6, ratio


def test_the_customers_lost_part_is_of_the_planted_order(with_losses):
    org, lost, measured = with_losses
    estimate = sum(c.lost(costs.PART_CHURN) for c in measured)
    truth = sum(demo_truth.planted(org, lost, c, cause="churn") for c in measured)
    assert truth > 0
    # Customers that simply did not buy for a while are told from lost ones only against the
    # controls' share, so the part is rough: within a factor of two.
    assert truth / 2 <= estimate <= truth * 2
    parts = sum(sum(c.lost(p) for p in costs.PARTS) for c in measured)
    assert parts == pytest.approx(sum(c.total_lost for c in measured))


def test_with_no_planted_loss_the_cost_is_about_zero(without_losses):
    _, lost, measured = without_losses
    assert lost.empty
    expected = sum(c.expected_total for c in measured)
    total = sum(c.total_lost for c in measured)
    assert abs(total) < 0.03 * expected, (total, expected)
    # and no side wins: about half the departures come out on either side of zero
    share_positive = np.mean([c.total_lost > 0 for c in measured])
    assert 0.3 <= share_positive <= 0.7


def test_the_range_holds_the_planted_loss_for_most_departures(with_losses):
    org, lost, measured = with_losses
    inside = [
        c.interval[0] <= demo_truth.planted(org, lost, c) <= c.interval[1]
        for c in measured
        if c.interval
    ]
    # A 90% range that leaves out a rep's off months: it holds the truth a little less often.
    assert np.mean(inside) >= 0.7

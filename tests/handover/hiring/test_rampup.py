"""Ramp-up against the team's established reps, on small hand-built histories."""

import datetime as dt

import pytest

from handover.hiring.rampup import PeerHistory, add_months, ramp_up, weekly_output

START = dt.date(2026, 1, 1)


def weekly_sales(start: dt.date, end: dt.date, per_week: float) -> list[tuple[dt.date, float]]:
    """A sale of ``per_week`` every 7 days from ``start`` (inclusive) to ``end``."""
    out, day = [], start
    while day <= end:
        out.append((day, per_week))
        day += dt.timedelta(days=7)
    return out


def peer(rep_id: int, amount_per_month: float, **extra) -> PeerHistory:
    sales = tuple((add_months(START, k), amount_per_month) for k in range(0, 12))
    return PeerHistory(
        rep_id=rep_id,
        established_from=extra.get("established_from", dt.date(2020, 1, 1)),
        left_on=extra.get("left_on"),
        sales=sales,
    )


def test_add_months_clamps_to_the_end_of_short_months():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 15), 3) == dt.date(2027, 2, 15)


def test_weekly_output_is_the_amount_per_seven_days():
    assert weekly_output([(dt.date(2026, 1, 5), 1400.0)], START, dt.date(2026, 1, 14)) == 700.0


def test_share_of_team_median_month_by_month_and_month_target_reached():
    # January has 31 days, February 28, March 31, April 30: months of the ramp from 1 January.
    peers = [peer(1, 3100.0), peer(2, 6200.0), peer(3, 9300.0)]  # median 6,200 a month
    new_rep = [
        (dt.date(2026, 1, 20), 1550.0),  # 25% of the median in January (same month length)
        (dt.date(2026, 2, 10), 3100.0),  # 50%
        (dt.date(2026, 3, 10), 5270.0),  # 85%: target reached in month 3
        (dt.date(2026, 4, 10), 6200.0),
    ]
    result = ramp_up(
        start=START, sales=new_rep, peers=peers, as_of=dt.date(2026, 4, 30), window_months=1
    )
    assert [m.month for m in result.months] == [1, 2, 3, 4]
    assert [round(m.share, 2) for m in result.months] == [0.25, 0.5, 0.85, 1.0]
    assert result.reached_month == 3
    assert result.reached_on == dt.date(2026, 3, 31)
    assert result.days_to_target == 90


def test_by_default_each_month_looks_at_a_trailing_three_month_window():
    peers = [peer(1, 3100.0), peer(2, 6200.0), peer(3, 9300.0)]
    new_rep = [
        (dt.date(2026, 1, 20), 1550.0),
        (dt.date(2026, 2, 10), 3100.0),
        (dt.date(2026, 3, 10), 5270.0),
        (dt.date(2026, 4, 10), 6200.0),
    ]
    result = ramp_up(start=START, sales=new_rep, peers=peers, as_of=dt.date(2026, 4, 30))
    # Jan; Jan–Feb; Jan–Mar; Feb–Apr, each against the peers' median over the same window.
    assert [round(m.share, 4) for m in result.months] == [0.25, 0.375, 0.5333, 0.7833]
    assert result.months[3].window_start == dt.date(2026, 2, 1)
    assert result.reached_month is None
    lenient = ramp_up(
        start=START, sales=new_rep, peers=peers, as_of=dt.date(2026, 4, 30), target_share=0.75
    )
    assert (lenient.reached_month, lenient.days_to_target) == (4, 120)


def test_target_share_is_configurable():
    peers = [peer(1, 6200.0)]
    new_rep = [(dt.date(2026, 1, 20), 4650.0), (dt.date(2026, 2, 10), 5580.0)]  # 75%, 90%
    as_of = dt.date(2026, 2, 28)
    strict = ramp_up(start=START, sales=new_rep, peers=peers, as_of=as_of, window_months=1)
    assert strict.reached_month == 2
    lenient = ramp_up(
        start=START, sales=new_rep, peers=peers, as_of=as_of, target_share=0.7, window_months=1
    )
    assert lenient.reached_month == 1


def test_only_reps_established_all_month_count_and_incomplete_months_are_left_out():
    peers = [
        peer(1, 6200.0),
        peer(2, 100_000.0, established_from=dt.date(2026, 2, 1)),  # not yet in January
        peer(3, 100_000.0, left_on=dt.date(2026, 1, 15)),  # left mid-January
    ]
    result = ramp_up(
        start=START, sales=[(dt.date(2026, 1, 9), 6200.0)], peers=peers, as_of=dt.date(2026, 2, 20)
    )
    assert len(result.months) == 1  # February is not over
    assert result.months[0].peers == 1
    assert result.months[0].share == pytest.approx(1.0)


def test_no_established_peer_means_no_share():
    result = ramp_up(
        start=START, sales=[(dt.date(2026, 1, 9), 100.0)], peers=[], as_of=dt.date(2026, 1, 31)
    )
    assert result.months[0].share is None
    assert result.reached_month is None


def test_weekly_helper_matches_sales_spread_over_weeks():
    sales = weekly_sales(START, dt.date(2026, 1, 28), 700.0)  # 4 sales in 28 days
    assert weekly_output(sales, START, dt.date(2026, 1, 28)) == 700.0

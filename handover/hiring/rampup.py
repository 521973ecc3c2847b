"""A new rep's ramp-up against their team's established reps. Pure: sales lists in, months out.

Method:

* Output is won deal amount, dated by the close date.
* Month k of a ramp-up (k = 1, 2, …) runs from the start date plus k−1 calendar months to the day
  before the start date plus k months, so a rep starting on the 15th has months 15th–14th.
  Only months that ended on or before the as-of date count, and none after the rep left: a
  rep gone since May is measured until May (the month the last day falls in is the last one,
  measured up to that day).
* Weekly output for month k = the amount won over a trailing window of ``window_months`` months
  ending with month k (default 3; never before the start date) ÷ (days in the window ÷ 7).
  Deals are lumpy: one month alone says more about luck than about ramp-up. With
  ``window_months=1`` each month stands alone.
* The team benchmark for a month is the median weekly output of the team's *established* reps
  over the same window: reps who were established (hired at least the configured tenure
  earlier) on its first day and still there on its last day. The new rep is never their own
  benchmark.
* Share = the new rep's weekly output ÷ the team median (none when no established rep or a
  median of zero).
* The target is reached in the first month whose share is at least the target share (default
  80%); the days to target run from the start date to that month's last day, inclusive.
"""

import calendar
import datetime as dt
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field

DEFAULT_TARGET_SHARE = 0.8
DEFAULT_WINDOW_MONTHS = 3

Sales = Iterable[tuple[dt.date, float]]


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def amount_between(sales: Sales, start: dt.date, end: dt.date) -> float:
    """Total won from ``start`` to ``end``, both inclusive."""
    return float(sum(amount for day, amount in sales if start <= day <= end))


def weekly_output(sales: Sales, start: dt.date, end: dt.date) -> float:
    days = (end - start).days + 1
    if days <= 0:
        return 0.0
    return amount_between(sales, start, end) / (days / 7)


@dataclass(frozen=True)
class PeerHistory:
    """An established-rep candidate: counted in a month only if established all through it."""

    rep_id: int
    established_from: dt.date
    left_on: dt.date | None
    sales: tuple[tuple[dt.date, float], ...]


@dataclass(frozen=True)
class RampMonth:
    month: int
    start: dt.date
    end: dt.date
    window_start: dt.date
    weekly_output: float
    team_median_weekly: float | None
    peers: int
    share: float | None


@dataclass
class RampResult:
    start: dt.date
    target_share: float
    months: list[RampMonth] = field(default_factory=list)
    reached_month: int | None = None
    reached_on: dt.date | None = None

    @property
    def days_to_target(self) -> int | None:
        if self.reached_on is None:
            return None
        return (self.reached_on - self.start).days + 1

    @property
    def latest_share(self) -> float | None:
        shares = [m.share for m in self.months if m.share is not None]
        return shares[-1] if shares else None


def ramp_up(
    *,
    start: dt.date,
    sales: Sales,
    peers: Iterable[PeerHistory],
    as_of: dt.date,
    target_share: float = DEFAULT_TARGET_SHARE,
    window_months: int = DEFAULT_WINDOW_MONTHS,
    max_months: int = 24,
    left_on: dt.date | None = None,
) -> RampResult:
    """Month-by-month output of a rep who started on ``start`` against the team median,
    up to ``as_of`` or the rep's last day (``left_on``), whichever comes first."""
    if not 0 < target_share <= 2:
        raise ValueError(f"target_share must be in (0, 2], got {target_share}")
    if window_months < 1:
        raise ValueError(f"window_months must be at least 1, got {window_months}")
    sales = list(sales)
    peers = list(peers)
    result = RampResult(start=start, target_share=target_share)
    for k in range(1, max_months + 1):
        month_start = add_months(start, k - 1)
        month_end = add_months(start, k) - dt.timedelta(days=1)
        if month_end > as_of or (left_on is not None and month_start > left_on):
            break
        if left_on is not None and month_end > left_on:
            # The month the rep left in counts up to their last day, not as days of no sales.
            month_end = left_on
        window_start = add_months(start, max(0, k - window_months))
        own = weekly_output(sales, window_start, month_end)
        peer_outputs = [
            weekly_output(p.sales, window_start, month_end)
            for p in peers
            if p.established_from <= window_start and (p.left_on is None or p.left_on >= month_end)
        ]
        median = statistics.median(peer_outputs) if peer_outputs else None
        share = own / median if median else None
        result.months.append(
            RampMonth(
                month=k,
                start=month_start,
                end=month_end,
                window_start=window_start,
                weekly_output=own,
                team_median_weekly=median,
                peers=len(peer_outputs),
                share=share,
            )
        )
        if result.reached_month is None and share is not None and share >= target_share:
            result.reached_month = k
            result.reached_on = month_end
    return result

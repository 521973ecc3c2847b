"""The cost of a departure in three phases. Pure: dates and sales lists in, figures out.

Method (shown on the departure-cost page):

* **Run rate**: the leaving rep's own won amount per day over the ``baseline_days`` (365) before
  the first phase starts (from the hire date, if later), so a slowdown while at risk does not
  lower the yardstick.
* **The territory**: the customers the rep owned on their last day.
* **Before leaving**: from the first risk flag (the earliest high-risk score before the last
  day) or, with no flag, the ``pre_window_days`` (90) before the last day, to the last day.
* **Vacancy**: from the day after the last day until the day before the successor starts (or
  the as-of date while nobody has started). Zero days when the successor started first.
* **Ramp-up**: from the successor's start to the day they first reach the target share of the
  team median (see ``rampup``), or the as-of date while they have not.
* In each phase, expected = run rate × days; actual = what the territory won in it: the
  leaving rep's own deals, deals on the customers they held on their last day (whoever closed
  them, covers included) and the successor's deals. Lost = expected − actual. A negative loss
  means the phase beat the old run rate; it is shown as it is, not hidden.
* Every phase stops at the as-of date; a phase still running is marked open.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from handover.hiring.rampup import amount_between

DEFAULT_PRE_WINDOW_DAYS = 90
DEFAULT_BASELINE_DAYS = 365

PHASE_BEFORE = "before_leaving"
PHASE_VACANCY = "vacancy"
PHASE_RAMP = "ramp_up"
PHASES = (PHASE_BEFORE, PHASE_VACANCY, PHASE_RAMP)

Sales = Iterable[tuple[dt.date, float]]


def run_rate(
    sales: Sales,
    *,
    until: dt.date,
    days: int = DEFAULT_BASELINE_DAYS,
    hired_on: dt.date | None = None,
) -> float:
    """Won amount per day over the ``days`` days ending the day before ``until``; a rep hired
    within that window is measured from their hire date, so a short tenure is not diluted."""
    if days <= 0:
        raise ValueError(f"days must be positive, got {days}")
    end = until - dt.timedelta(days=1)
    start = until - dt.timedelta(days=days)
    if hired_on is not None and hired_on > start:
        start = hired_on
    span = (end - start).days + 1
    if span <= 0:
        return 0.0
    return amount_between(sales, start, end) / span


@dataclass(frozen=True)
class Phase:
    key: str
    start: dt.date
    end: dt.date
    is_open: bool
    expected: float = 0.0
    actual: float = 0.0

    @property
    def days(self) -> int:
        return max(0, (self.end - self.start).days + 1)

    @property
    def lost(self) -> float:
        return self.expected - self.actual


@dataclass
class DepartureCost:
    run_rate_per_day: float
    baseline_start: dt.date
    phases: list[Phase] = field(default_factory=list)

    @property
    def total_lost(self) -> float:
        return sum(p.lost for p in self.phases)

    def lost(self, key: str) -> float:
        return sum(p.lost for p in self.phases if p.key == key)


def phase_windows(
    *,
    last_day: dt.date,
    as_of: dt.date,
    risk_flag_on: dt.date | None = None,
    pre_window_days: int = DEFAULT_PRE_WINDOW_DAYS,
    successor_start: dt.date | None = None,
    target_reached_on: dt.date | None = None,
) -> list[Phase]:
    """The three phases' date windows (inclusive), cut at ``as_of``; empty phases left out."""
    if risk_flag_on is not None and risk_flag_on <= last_day:
        before_start = risk_flag_on
    else:
        before_start = last_day - dt.timedelta(days=pre_window_days - 1)
    raw: list[tuple[str, dt.date, dt.date | None]] = [(PHASE_BEFORE, before_start, last_day)]
    vacancy_start = last_day + dt.timedelta(days=1)
    vacancy_end = successor_start - dt.timedelta(days=1) if successor_start else None
    raw.append((PHASE_VACANCY, vacancy_start, vacancy_end))
    if successor_start is not None:
        ramp_start = max(successor_start, vacancy_start)
        raw.append((PHASE_RAMP, ramp_start, target_reached_on))
    phases = []
    for key, start, end in raw:
        is_open = end is None or end > as_of
        end = as_of if is_open else end
        if end >= start:
            phases.append(Phase(key=key, start=start, end=end, is_open=is_open))
    return phases


def departure_cost(
    *,
    own_sales: Sales,
    territory_sales: Sales,
    last_day: dt.date,
    as_of: dt.date,
    risk_flag_on: dt.date | None = None,
    pre_window_days: int = DEFAULT_PRE_WINDOW_DAYS,
    baseline_days: int = DEFAULT_BASELINE_DAYS,
    successor_start: dt.date | None = None,
    target_reached_on: dt.date | None = None,
    hired_on: dt.date | None = None,
) -> DepartureCost:
    """Expected, actual and lost sales per phase for one departure (see the module's method)."""
    own_sales = list(own_sales)
    territory_sales = list(territory_sales)
    windows = phase_windows(
        last_day=last_day,
        as_of=as_of,
        risk_flag_on=risk_flag_on,
        pre_window_days=pre_window_days,
        successor_start=successor_start,
        target_reached_on=target_reached_on,
    )
    first_start = windows[0].start if windows else last_day
    rate = run_rate(own_sales, until=first_start, days=baseline_days, hired_on=hired_on)
    cost = DepartureCost(
        run_rate_per_day=rate, baseline_start=first_start - dt.timedelta(days=baseline_days)
    )
    for window in windows:
        cost.phases.append(
            Phase(
                key=window.key,
                start=window.start,
                end=window.end,
                is_open=window.is_open,
                expected=rate * window.days,
                actual=amount_between(territory_sales, window.start, window.end),
            )
        )
    return cost

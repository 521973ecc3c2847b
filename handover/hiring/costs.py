"""The cost of a departure: sales the departed rep's territory did not make. Pure: frames in,
figures out (no Django), so the page, the API and the demo's own test all run this one method.

Method (shown on the departure-cost page):

* **The territory** is the book of customers the rep owned on their last day. Its sales are the
  won deals on those customers, dated by the close date, whoever closed them: the rep, the
  covers during the vacancy, the successor.
* **Phases** (inclusive dates, each stopping at the as-of date; a phase still running is open):
  *before leaving* from the first risk flag (the earliest high-risk score before the last day)
  or, with none, the ``pre_window_days`` (90) before the last day; *vacancy* from the day after
  the last day to the day before the successor starts; *ramp-up* from the successor's start to
  the day they first reach the target share of the team median (see ``rampup``).
* **Baseline**: the ``baseline_days`` (365) before the first phase (from the first day with
  data, if later; at least ``MIN_BASELINE_DAYS``, or the departure is not measured).
* **Comparable territories** (the controls): the books, on the same last day, of the reps of
  the same team who were there all through the baseline and the phases (hired before the
  baseline starts, not gone before the last phase ends), the leaver's customers left out.
  With fewer than ``MIN_CONTROLS`` such reps the region's are used, then the organisation's.
* **Difference-in-differences**: expected sales in a phase = the territory's baseline sales ×
  (the controls' sales in the phase ÷ their sales in the baseline). Seasonality, the market's
  trend and the data's own edges move both alike and cancel. Lost = expected − actual: a
  positive figure is sales lost.
* **Customers lost**: of the territory's customers who bought in the baseline, those who opened
  no deal at all after the last day (over at least ``MIN_QUIET_DAYS``), beyond the share of the
  controls' buyers who were as quiet over the same days (raised to the power of the territory's
  pace, actual ÷ expected, as fewer deals leave more customers quiet by chance). Their
  expected vacancy and ramp-up
  sales are the churn part, taken out of those two phases so the parts add up to the total.
* **Range**: a 90% interval from ``draws`` redraws (fixed seed) of each window's sales, the
  territory's and the controls', with the spread that deals of those sizes arriving at random
  have (a compound Poisson: variance = the sum of the squared amounts); it widens where deals
  are few or large. It leaves out other chance (a rep's off months), so it is on the narrow
  side.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

DEFAULT_PRE_WINDOW_DAYS = 90
DEFAULT_BASELINE_DAYS = 365
MIN_BASELINE_DAYS = 90
MIN_CONTROLS = 3
MIN_QUIET_DAYS = 90
DEFAULT_DRAWS = 300
INTERVAL = (5.0, 95.0)

PHASE_BEFORE = "before_leaving"
PHASE_VACANCY = "vacancy"
PHASE_RAMP = "ramp_up"
PHASES = (PHASE_BEFORE, PHASE_VACANCY, PHASE_RAMP)
PART_CHURN = "churn"
PARTS = (PHASE_BEFORE, PHASE_VACANCY, PHASE_RAMP, PART_CHURN)  # add up to the total

CONTROLS_TEAM = "team"
CONTROLS_REGION = "region"
CONTROLS_ORG = "organisation"

NOT_ENOUGH_HISTORY = "not_enough_history"
NO_CONTROLS = "no_controls"
NO_BASELINE_SALES = "no_baseline_sales"


@dataclass(frozen=True)
class Departure:
    rep_id: int
    team_id: int
    region: str
    last_day: dt.date
    risk_flag_on: dt.date | None = None
    successor_start: dt.date | None = None
    target_reached_on: dt.date | None = None


@dataclass(frozen=True)
class Phase:
    key: str
    start: dt.date
    end: dt.date
    is_open: bool
    expected: float = 0.0
    actual: float = 0.0
    low: float | None = None  # the interval of ``gross_lost``
    high: float | None = None

    @property
    def days(self) -> int:
        return max(0, (self.end - self.start).days + 1)

    @property
    def gross_lost(self) -> float:
        return self.expected - self.actual


@dataclass(frozen=True)
class Churn:
    buyers: int = 0  # territory customers with a won deal in the baseline
    quiet: int = 0  # of them, with no deal opened after the last day
    control_buyers: int = 0
    control_quiet: int = 0
    customers_lost: float = 0.0  # quiet beyond the controls' share
    lost: float = 0.0
    assessed: bool = False


@dataclass
class DepartureCost:
    departure: Departure
    phases: list[Phase] = field(default_factory=list)
    baseline_start: dt.date | None = None
    baseline_end: dt.date | None = None
    baseline_sales: float = 0.0
    territory_customers: int = 0
    territory_deals: int = 0  # won deals of the territory in baseline and phases
    controls: str = ""
    control_reps: int = 0
    control_customers: int = 0
    control_deals: int = 0
    churn: Churn = field(default_factory=Churn)
    not_measured: str = ""  # why, when the departure could not be measured
    draws: np.ndarray = field(default_factory=lambda: np.zeros(0))  # bootstrap total losses

    @property
    def measured(self) -> bool:
        return not self.not_measured

    def phase(self, key: str) -> Phase | None:
        return next((p for p in self.phases if p.key == key), None)

    def lost(self, key: str) -> float:
        """A part of the total (``PARTS``): the phases net of the churn part, and churn."""
        if not self.measured:
            return 0.0
        if key == PART_CHURN:
            return self.churn.lost
        phase = self.phase(key)
        if phase is None:
            return 0.0
        return phase.gross_lost - self._churn_share(key)

    def _churn_share(self, key: str) -> float:
        if key not in (PHASE_VACANCY, PHASE_RAMP) or not self.churn.lost:
            return 0.0
        after = [p for p in self.phases if p.key in (PHASE_VACANCY, PHASE_RAMP)]
        expected = sum(p.expected for p in after)
        phase = self.phase(key)
        return self.churn.lost * phase.expected / expected if expected else 0.0

    @property
    def total_lost(self) -> float:
        return sum(self.lost(k) for k in PARTS)

    @property
    def expected_total(self) -> float:
        return sum(p.expected for p in self.phases) if self.measured else 0.0

    @property
    def actual_total(self) -> float:
        return sum(p.actual for p in self.phases)

    @property
    def interval(self) -> tuple[float, float] | None:
        return interval(self.draws)


def interval(draws: np.ndarray) -> tuple[float, float] | None:
    draws = draws[np.isfinite(draws)]
    if len(draws) < 20:
        return None
    low, high = np.percentile(draws, INTERVAL)
    return float(low), float(high)


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
    if pre_window_days < 1:
        raise ValueError(f"pre_window_days must be at least 1, got {pre_window_days}")
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


def _days(values) -> np.ndarray:
    """Dates (a column of dates, NaT/None for none) as day numbers; none = a far-off day."""
    series = pd.to_datetime(pd.Series(values), errors="coerce")
    days = series.to_numpy(dtype="datetime64[D]").astype("int64")
    return np.where(series.isna().to_numpy(), np.iinfo(np.int64).max // 2, days)


def _day(value: dt.date) -> int:
    return int(np.datetime64(value, "D").astype("int64"))


class Ledger:
    """Deals, ownership and reps as numpy arrays, read once for many departures.

    ``deals``: customer_id, created_on, close_date, amount, won (bool), all statuses;
    ``owners``: customer_id, rep_id, valid_from, valid_to (none = still owns);
    ``reps``: rep_id, team_id, region, hire_date, departure_date (none = still there)."""

    def __init__(self, *, deals: pd.DataFrame, owners: pd.DataFrame, reps: pd.DataFrame):
        self.customer = deals["customer_id"].to_numpy(dtype=np.int64)
        self.created = _days(deals["created_on"])
        self.close = _days(deals["close_date"])
        self.amount = deals["amount"].to_numpy(dtype=float)
        self.won = deals["won"].to_numpy(dtype=bool)
        self.owner_customer = owners["customer_id"].to_numpy(dtype=np.int64)
        self.owner_rep = owners["rep_id"].to_numpy(dtype=np.int64)
        self.owner_from = _days(owners["valid_from"])
        self.owner_to = _days(owners["valid_to"])
        self.rep_id = reps["rep_id"].to_numpy(dtype=np.int64)
        self.rep_team = reps["team_id"].to_numpy(dtype=np.int64)
        self.rep_region = reps["region"].fillna("").astype(str).to_numpy()
        self.rep_hired = _days(reps["hire_date"])
        self.rep_left = _days(reps["departure_date"])
        won_close = self.close[self.won]
        self.first_day = int(won_close.min()) if len(won_close) else None

    def among(self, customers: np.ndarray) -> np.ndarray:
        """Which deals are on these customers."""
        top = max(int(self.customer.max(initial=0)), int(customers.max(initial=0))) + 1
        marked = np.zeros(top, dtype=bool)
        marked[customers] = True
        return marked[self.customer]

    def book(self, rep_ids: np.ndarray, day: int) -> np.ndarray:
        """Customers these reps owned on ``day``."""
        held = np.isin(self.owner_rep, rep_ids) & (self.owner_from <= day) & (day <= self.owner_to)
        return np.unique(self.owner_customer[held])


def departure_costs(
    *,
    departures: list[Departure],
    ledger: Ledger,
    as_of: dt.date,
    pre_window_days: int = DEFAULT_PRE_WINDOW_DAYS,
    baseline_days: int = DEFAULT_BASELINE_DAYS,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
) -> list[DepartureCost]:
    """The cost of each departure (see the module's method), in the order given."""
    if baseline_days < MIN_BASELINE_DAYS:
        raise ValueError(f"baseline_days must be at least {MIN_BASELINE_DAYS}")
    return [
        departure_cost(
            departure=d,
            ledger=ledger,
            as_of=as_of,
            pre_window_days=pre_window_days,
            baseline_days=baseline_days,
            draws=draws,
            rng=np.random.default_rng([seed, d.rep_id]),
        )
        for d in departures
    ]


def _controls(
    ledger: Ledger, departure: Departure, baseline_start: int, window_end: int
) -> tuple[str, np.ndarray]:
    stayed = (
        (ledger.rep_id != departure.rep_id)
        & (ledger.rep_hired <= baseline_start)
        & (ledger.rep_left > window_end)
    )
    for level, mask in (
        (CONTROLS_TEAM, ledger.rep_team == departure.team_id),
        (CONTROLS_REGION, (ledger.rep_region == departure.region) & (departure.region != "")),
        (CONTROLS_ORG, np.ones(len(ledger.rep_id), dtype=bool)),
    ):
        reps = ledger.rep_id[stayed & mask]
        if len(reps) >= MIN_CONTROLS:
            return level, reps
    return "", np.zeros(0, dtype=np.int64)


def departure_cost(
    *,
    departure: Departure,
    ledger: Ledger,
    as_of: dt.date,
    pre_window_days: int = DEFAULT_PRE_WINDOW_DAYS,
    baseline_days: int = DEFAULT_BASELINE_DAYS,
    draws: int = DEFAULT_DRAWS,
    rng: np.random.Generator | None = None,
) -> DepartureCost:
    windows = phase_windows(
        last_day=departure.last_day,
        as_of=as_of,
        risk_flag_on=departure.risk_flag_on,
        pre_window_days=pre_window_days,
        successor_start=departure.successor_start,
        target_reached_on=departure.target_reached_on,
    )
    cost = DepartureCost(departure=departure, phases=windows)
    last = _day(departure.last_day)
    first = _day(windows[0].start)
    start = first - baseline_days
    if ledger.first_day is not None:
        start = max(start, ledger.first_day)
    if start <= first - 1:
        # Else the data begin after the first phase does: there is no baseline to show.
        cost.baseline_start = _date(start)
        cost.baseline_end = _date(first - 1)
    territory = ledger.book(np.array([departure.rep_id]), last)
    cost.territory_customers = len(territory)
    if ledger.first_day is None or first - start < MIN_BASELINE_DAYS:
        cost.not_measured = NOT_ENOUGH_HISTORY
        return cost
    window_end = _day(windows[-1].end)
    level, control_reps = _controls(ledger, departure, start, window_end)
    if not level:
        cost.not_measured = NO_CONTROLS
        return cost
    controls = np.setdiff1d(ledger.book(control_reps, last), territory)
    cost.controls, cost.control_reps, cost.control_customers = (
        level,
        len(control_reps),
        len(controls),
    )

    # Which window each won deal falls in: 0 = baseline, 1… = the phases, -1 = none.
    bounds = [(start, first - 1)] + [(_day(p.start), _day(p.end)) for p in windows]
    window = np.full(len(ledger.close), -1)
    for i, (lo, hi) in enumerate(bounds):
        window[(ledger.close >= lo) & (ledger.close <= hi)] = i
    counted = ledger.won & (window >= 0)
    in_t = counted & ledger.among(territory)
    in_c = counted & ledger.among(controls)
    cost.territory_deals, cost.control_deals = int(in_t.sum()), int(in_c.sum())
    k = len(bounds)

    def sums(mask: np.ndarray, power: int = 1) -> np.ndarray:
        return np.bincount(window[mask], weights=ledger.amount[mask] ** power, minlength=k)

    t_point, c_point = sums(in_t), sums(in_c)
    if c_point[0] <= 0:
        cost.not_measured = NO_CONTROLS
        return cost
    if t_point[0] <= 0:
        cost.not_measured = NO_BASELINE_SALES
        return cost
    expected = t_point[0] * c_point[1:] / c_point[0]

    rng = rng or np.random.default_rng(0)
    lows: list[float | None] = [None] * len(windows)
    highs: list[float | None] = [None] * len(windows)
    if draws:
        t_w = np.maximum(0, rng.normal(t_point, np.sqrt(sums(in_t, 2)), (draws, k)))
        c_w = np.maximum(0, rng.normal(c_point, np.sqrt(sums(in_c, 2)), (draws, k)))
        with np.errstate(divide="ignore", invalid="ignore"):
            lost_draws = t_w[:, :1] * c_w[:, 1:] / c_w[:, :1] - t_w[:, 1:]
        lost_draws[~np.isfinite(lost_draws)] = np.nan
        cost.draws = np.nansum(lost_draws, axis=1)
        cost.draws[np.isnan(lost_draws).all(axis=1)] = np.nan
        for i in range(len(windows)):
            found = interval(lost_draws[:, i])
            if found:
                lows[i], highs[i] = found
    cost.baseline_sales = float(t_point[0])
    cost.phases = [
        Phase(
            key=p.key,
            start=p.start,
            end=p.end,
            is_open=p.is_open,
            expected=float(expected[i]),
            actual=float(t_point[i + 1]),
            low=lows[i],
            high=highs[i],
        )
        for i, p in enumerate(windows)
    ]
    cost.churn = _churn(ledger, cost, territory, controls, start, first - 1, last, as_of)
    return cost


def _churn(
    ledger: Ledger,
    cost: DepartureCost,
    territory: np.ndarray,
    controls: np.ndarray,
    baseline_start: int,
    baseline_end: int,
    last: int,
    as_of: dt.date,
) -> Churn:
    after = [p for p in cost.phases if p.key in (PHASE_VACANCY, PHASE_RAMP)]
    if not after:
        return Churn()
    quiet_end = min(_day(after[-1].end), _day(as_of))
    if quiet_end - last < MIN_QUIET_DAYS:
        return Churn()
    in_baseline = ledger.won & (ledger.close >= baseline_start) & (ledger.close <= baseline_end)
    opened_after = (ledger.created > last) & (ledger.created <= quiet_end)

    def buyers_and_quiet(customers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        buyers = np.intersect1d(ledger.customer[in_baseline], customers)
        active = np.unique(ledger.customer[opened_after & ledger.among(buyers)])
        return buyers, np.setdiff1d(buyers, active)

    buyers, quiet = buyers_and_quiet(territory)
    control_buyers, control_quiet = buyers_and_quiet(controls)
    if not len(buyers) or not len(control_buyers):
        return Churn(assessed=False)
    # The share of buyers who open nothing over these days by chance, as the controls show it;
    # with the territory's deals coming in at a fraction r of the expected rate (a vacancy, a
    # new rep), a customer is quiet by chance that much more often: share ** r.
    usual = len(control_quiet) / len(control_buyers)
    expected_after = sum(p.expected for p in after)
    pace = 1.0
    if expected_after > 0:
        pace = min(1.0, max(0.05, sum(p.actual for p in after) / expected_after))
    excess = max(0.0, len(quiet) - usual**pace * len(buyers))
    lost = 0.0
    if excess and len(quiet):
        base = in_baseline & ledger.among(quiet)
        quiet_share = ledger.amount[base].sum() / cost.baseline_sales
        gross_after = max(0.0, sum(p.gross_lost for p in after))
        lost = min(gross_after, quiet_share * expected_after * excess / len(quiet))
    return Churn(
        buyers=len(buyers),
        quiet=len(quiet),
        control_buyers=len(control_buyers),
        control_quiet=len(control_quiet),
        customers_lost=excess,
        lost=float(lost),
        assessed=True,
    )


def _date(day: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(day))


@dataclass
class Totals:
    key: str
    departures: int = 0
    measured: int = 0
    parts: dict[str, float] = field(default_factory=lambda: dict.fromkeys(PARTS, 0.0))
    expected: float = 0.0
    actual: float = 0.0
    customers_lost: float = 0.0
    draws: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def total(self) -> float:
        return sum(self.parts.values())

    @property
    def interval(self) -> tuple[float, float] | None:
        return interval(self.draws)


def totals(costs: list[tuple[str, DepartureCost]]) -> list[Totals]:
    """Sum per key (a team, a year): the parts, and the bootstrap draws (departures taken as
    independent) for the total's interval. In the order the keys first appear."""
    found: dict[str, Totals] = {}
    for key, cost in costs:
        t = found.setdefault(key, Totals(key=key))
        t.departures += 1
        if not cost.measured:
            continue
        t.measured += 1
        for part in PARTS:
            t.parts[part] += cost.lost(part)
        t.expected += cost.expected_total
        t.actual += cost.actual_total
        t.customers_lost += cost.churn.customers_lost
        if len(cost.draws):
            draws = np.nan_to_num(cost.draws, nan=cost.total_lost)
            t.draws = draws if not len(t.draws) else t.draws + draws
    return list(found.values())

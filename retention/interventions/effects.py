"""What worked: reps who got an intervention against reps of similar risk who got none.

Pure Python (no Django, no database): the selector hands in plain rows, this returns figures.

The method, for each kind of intervention (and for "any intervention"):

* **The units.** A rep's first intervention of that kind is one unit, dated the day it was
  recorded (day 0). Later ones of the same kind for the same rep are the same treatment.
* **Risk at the time.** The rep's score from the latest scoring run at most
  ``BASELINE_DAYS`` days before day 0. A unit with no such score, or whose rep was already
  serving notice, cannot be matched and is counted apart.
* **Similar risk.** The organisation's risk deciles in that run (by the 90-day chance). The
  comparison reps of a unit are the reps scored in the same run and the same decile who got no
  intervention of any kind from ``CLEAN_DAYS`` days before day 0 to ``CLEAN_DAYS`` after (and
  are in the reader's scope). A unit with none is unmatched.
* **Still employed** 90 and 180 days after day 0: no last day on or before day 0 + h. Known
  only when day 0 + h is past; otherwise the unit is "too early" for that horizon. Each unit's
  comparison figure is the share of its comparison reps still employed on the same day; the
  comparison share is the mean of those over the units, so every unit weighs the same.
* **Change in risk** after 90 days: the probability in the run nearest day 0 + 90 (within
  ``LATER_TOLERANCE_DAYS``) minus the one at the time, for the rep and for each comparison rep
  scored in both runs (reps who left have no later score and drop out of this figure).
* **The difference** is the treated figure minus the comparison figure, over the units that
  have both, with a 95% interval from the spread of the per-unit differences (normal
  approximation; a comparison rep may serve several units, which the interval ignores). Below
  ``min_n`` units a figure is *too few to tell*: no share, difference or interval is given.

This is an observational comparison, not an experiment: managers choose whom to help, for
reasons the score may not see, so a difference is not proof that the intervention caused it.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

BASELINE_DAYS = 35
CLEAN_DAYS = 180
LATER_DAYS = 90
LATER_TOLERANCE_DAYS = 21
HORIZONS = (90, 180)
MIN_N = 10
DECILES = 10
ANY = "any"


@dataclass(frozen=True)
class Run:
    """A succeeded scoring run: its date and each scored rep's 90-day chance (reps serving
    notice are in ``leaving``, not in ``scores``)."""

    as_of: dt.date
    scores: Mapping[int, float]
    leaving: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Treated:
    rep_id: int
    kind: str
    day: dt.date
    intervention_id: int | None = None


@dataclass
class Figure:
    """One outcome for one kind: the treated figure, the comparison figure and their
    difference over ``n`` units; ``None`` where too few to tell (``n < min_n``)."""

    n: int = 0
    treated: float | None = None
    comparison: float | None = None
    difference: float | None = None
    low: float | None = None
    high: float | None = None
    too_few: bool = True


@dataclass
class UnitResult:
    unit: Treated
    run_as_of: dt.date | None = None
    probability: float | None = None
    decile: int | None = None
    controls: int = 0
    skipped: str = ""  # "unscored", "leaving", "unmatched" or ""
    employed: dict[int, bool | None] = field(default_factory=dict)  # horizon -> stayed / too early
    comparison_employed: dict[int, float | None] = field(default_factory=dict)
    risk_change: float | None = None
    comparison_risk_change: float | None = None


@dataclass
class KindResult:
    kind: str
    units: int = 0
    reps: int = 0
    unscored: int = 0
    leaving: int = 0
    unmatched: int = 0
    matched: int = 0
    comparison_reps: int = 0
    too_early: dict[int, int] = field(default_factory=dict)
    mean_risk_treated: float | None = None
    mean_risk_comparison: float | None = None
    employed: dict[int, Figure] = field(default_factory=dict)
    risk_change: Figure = field(default_factory=Figure)
    unit_results: list[UnitResult] = field(default_factory=list)


def decile_of(probability: float, ranked: list[float]) -> int:
    """0 (lowest risk) … 9 (highest): the share of the run's scored reps below this one."""
    below = bisect.bisect_left(ranked, probability)
    return min(DECILES - 1, DECILES * below // max(len(ranked), 1))


def _figure(pairs: list[tuple[float, float]], min_n: int) -> Figure:
    n = len(pairs)
    if n < min_n or n == 0:
        return Figure(n=n)
    treated = statistics.fmean(t for t, _c in pairs)
    comparison = statistics.fmean(c for _t, c in pairs)
    differences = [t - c for t, c in pairs]
    spread = statistics.stdev(differences) if n > 1 else 0.0
    half = 1.96 * spread / math.sqrt(n)
    difference = treated - comparison
    return Figure(
        n=n,
        treated=treated,
        comparison=comparison,
        difference=difference,
        low=difference - half,
        high=difference + half,
        too_few=False,
    )


def _stayed(rep_id: int, day: dt.date, departures: Mapping[int, dt.date | None]) -> bool:
    last_day = departures.get(rep_id)
    return last_day is None or last_day > day


def intervention_effects(
    *,
    treated: Iterable[Treated],
    runs: Iterable[Run],
    departures: Mapping[int, dt.date | None],
    intervened: Mapping[int, Iterable[dt.date]],
    comparable: Iterable[int] | None = None,
    today: dt.date,
    min_n: int = MIN_N,
) -> dict[str, KindResult]:
    """Per kind (and ``ANY``), the matched comparison described in the module docstring.

    ``treated``: every intervention in scope; ``runs``: the succeeded runs (deciles are the
    whole organisation's, so pass every scored rep); ``departures``: each rep's last day;
    ``intervened``: the days each rep got any intervention; ``comparable``: the reps that may
    serve as comparison (the reader's scope; all scored reps when None)."""
    runs = sorted(runs, key=lambda run: run.as_of)
    dates = [run.as_of for run in runs]
    ranked = [sorted(run.scores.values()) for run in runs]
    allowed = None if comparable is None else set(comparable)
    touched = {rep: sorted(days) for rep, days in intervened.items()}

    def clean(rep_id: int, day: dt.date) -> bool:
        days = touched.get(rep_id, [])
        start = bisect.bisect_left(days, day - dt.timedelta(days=CLEAN_DAYS))
        return start >= len(days) or days[start] > day + dt.timedelta(days=CLEAN_DAYS)

    def run_near(day: dt.date) -> int | None:
        position = bisect.bisect_left(dates, day)
        best = None
        for index in (position - 1, position):
            if 0 <= index < len(dates):
                gap = abs((dates[index] - day).days)
                if gap <= LATER_TOLERANCE_DAYS and (best is None or gap < best[0]):
                    best = (gap, index)
        return None if best is None else best[1]

    units_by_kind: dict[str, list[Treated]] = defaultdict(list)
    first: dict[tuple[int, str], Treated] = {}
    for unit in sorted(treated, key=lambda u: (u.day, u.intervention_id or 0)):
        for kind in (unit.kind, ANY):
            if (unit.rep_id, kind) not in first:
                first[(unit.rep_id, kind)] = unit
                units_by_kind[kind].append(unit)

    results: dict[str, KindResult] = {}
    for kind, units in units_by_kind.items():
        result = KindResult(kind=kind, units=len(units), reps=len({u.rep_id for u in units}))
        employed_pairs: dict[int, list[tuple[float, float]]] = {h: [] for h in HORIZONS}
        change_pairs: list[tuple[float, float]] = []
        result.too_early = {h: 0 for h in HORIZONS}
        comparison_reps: set[int] = set()
        risk_treated: list[float] = []
        risk_comparison: list[float] = []
        for unit in units:
            row = UnitResult(unit=unit)
            result.unit_results.append(row)
            index = bisect.bisect_right(dates, unit.day) - 1
            if index < 0 or (unit.day - dates[index]).days > BASELINE_DAYS:
                row.skipped = "unscored"
                result.unscored += 1
                continue
            run = runs[index]
            row.run_as_of = run.as_of
            if unit.rep_id in run.leaving:
                row.skipped = "leaving"
                result.leaving += 1
                continue
            if unit.rep_id not in run.scores:
                row.skipped = "unscored"
                result.unscored += 1
                continue
            row.probability = run.scores[unit.rep_id]
            row.decile = decile_of(row.probability, ranked[index])
            controls = [
                rep
                for rep, p in run.scores.items()
                if rep != unit.rep_id
                and (allowed is None or rep in allowed)
                and decile_of(p, ranked[index]) == row.decile
                and clean(rep, unit.day)
            ]
            row.controls = len(controls)
            for horizon in HORIZONS:
                end = unit.day + dt.timedelta(days=horizon)
                if end > today:
                    row.employed[horizon] = None
                    result.too_early[horizon] += 1
                    continue
                row.employed[horizon] = _stayed(unit.rep_id, end, departures)
                if controls:
                    row.comparison_employed[horizon] = statistics.fmean(
                        1.0 if _stayed(rep, end, departures) else 0.0 for rep in controls
                    )
                    employed_pairs[horizon].append(
                        (1.0 if row.employed[horizon] else 0.0, row.comparison_employed[horizon])
                    )
            later_day = unit.day + dt.timedelta(days=LATER_DAYS)
            later = run_near(later_day) if later_day <= today else None
            if later is not None and later > index:
                after = runs[later].scores
                if unit.rep_id in after:
                    row.risk_change = after[unit.rep_id] - row.probability
                changes = [after[rep] - run.scores[rep] for rep in controls if rep in after]
                if changes:
                    row.comparison_risk_change = statistics.fmean(changes)
                if row.risk_change is not None and row.comparison_risk_change is not None:
                    change_pairs.append((row.risk_change, row.comparison_risk_change))
            if not controls:
                row.skipped = "unmatched"
                result.unmatched += 1
                continue
            result.matched += 1
            comparison_reps.update(controls)
            risk_treated.append(row.probability)
            risk_comparison.append(statistics.fmean(run.scores[rep] for rep in controls))
        result.comparison_reps = len(comparison_reps)
        if len(risk_treated) >= min_n:
            result.mean_risk_treated = statistics.fmean(risk_treated)
            result.mean_risk_comparison = statistics.fmean(risk_comparison)
        result.employed = {h: _figure(employed_pairs[h], min_n) for h in HORIZONS}
        result.risk_change = _figure(change_pairs, min_n)
        results[kind] = result
    return results

"""The matched comparison behind "what worked", on small hand-built runs (no database)."""

import datetime as dt

import pytest

from retention.interventions.effects import (
    ANY,
    Run,
    Treated,
    decile_of,
    intervention_effects,
)

DAY0 = dt.date(2026, 1, 10)


def twenty_reps(*, later: dict[int, float] | None = None) -> list[Run]:
    """Reps 1…20 with probabilities 0.05 … 1.00: reps 19 and 20 are the top decile, 17 and 18
    the next. A second run 90 days on, with ``later`` probabilities."""
    scores = {rep: rep / 20 for rep in range(1, 21)}
    runs = [Run(as_of=dt.date(2026, 1, 5), scores=scores)]
    if later is not None:
        runs.append(Run(as_of=DAY0 + dt.timedelta(days=92), scores=later))
    return runs


def test_deciles_rank_within_the_run():
    ranked = [i / 20 for i in range(1, 21)]
    assert decile_of(0.05, ranked) == 0
    assert decile_of(0.95, ranked) == 9
    assert decile_of(1.0, ranked) == 9
    assert decile_of(0.5, ranked) == 4


def test_treated_reps_are_compared_with_untreated_reps_of_the_same_decile_on_the_same_day():
    # Rep 20 gets a talk and stays; its decile-mate rep 19 gets nothing and leaves after 100 days.
    results = intervention_effects(
        treated=[Treated(rep_id=20, kind="stay_conversation", day=DAY0)],
        runs=twenty_reps(),
        departures={19: DAY0 + dt.timedelta(days=100)},
        intervened={20: [DAY0]},
        today=dt.date(2026, 12, 1),
        min_n=1,
    )
    talk = results["stay_conversation"]
    assert (talk.units, talk.matched, talk.comparison_reps) == (1, 1, 1)
    assert talk.unit_results[0].decile == 9
    assert talk.employed[90].treated == 1.0 and talk.employed[90].comparison == 1.0
    assert talk.employed[180].treated == 1.0 and talk.employed[180].comparison == 0.0
    assert talk.employed[180].difference == pytest.approx(1.0)
    assert talk.mean_risk_treated == 1.0 and talk.mean_risk_comparison == pytest.approx(0.95)
    assert results[ANY].units == 1


def test_each_unit_weighs_the_same_and_the_interval_comes_from_per_unit_differences():
    # Rep 18 (decile 8, with untreated rep 17) and rep 16 (decile 7, with untreated rep 15).
    treated = [
        Treated(rep_id=18, kind="coaching", day=DAY0),
        Treated(rep_id=16, kind="coaching", day=DAY0),
    ]
    departures = {17: DAY0 + dt.timedelta(days=30), 16: DAY0 + dt.timedelta(days=60)}
    results = intervention_effects(
        treated=treated,
        runs=twenty_reps(),
        departures=departures,
        intervened={18: [DAY0], 16: [DAY0]},
        today=dt.date(2026, 12, 1),
        min_n=2,
    )
    coaching = results["coaching"]
    figure = coaching.employed[90]
    # Rep 18 stayed (control 17 left): +1; rep 16 left (control 15 stayed): −1.
    assert (figure.treated, figure.comparison, figure.difference) == (0.5, 0.5, 0.0)
    # Differences +1 and −1: standard deviation √2, so ±1.96·√2/√2.
    assert (figure.low, figure.high) == (pytest.approx(-1.96), pytest.approx(1.96))


def test_below_the_minimum_a_figure_is_too_few_to_tell():
    results = intervention_effects(
        treated=[Treated(rep_id=20, kind="job_rotation", day=DAY0)],
        runs=twenty_reps(),
        departures={},
        intervened={20: [DAY0]},
        today=dt.date(2026, 12, 1),
        min_n=10,
    )
    figure = results["job_rotation"].employed[90]
    assert figure.too_few and figure.n == 1
    assert figure.treated is None and figure.difference is None
    assert results["job_rotation"].mean_risk_treated is None


def test_reps_with_an_intervention_near_the_day_or_out_of_scope_are_no_comparison():
    results = intervention_effects(
        treated=[Treated(rep_id=20, kind="coaching", day=DAY0)],
        runs=twenty_reps(),
        departures={},
        # Rep 19 got something 100 days later: not a clean comparison.
        intervened={20: [DAY0], 19: [DAY0 + dt.timedelta(days=100)]},
        today=dt.date(2026, 12, 1),
        min_n=1,
    )
    assert results["coaching"].unmatched == 1 and results["coaching"].matched == 0
    out_of_scope = intervention_effects(
        treated=[Treated(rep_id=20, kind="coaching", day=DAY0)],
        runs=twenty_reps(),
        departures={},
        intervened={20: [DAY0]},
        comparable=[20, 1, 2],
        today=dt.date(2026, 12, 1),
        min_n=1,
    )
    assert out_of_scope["coaching"].unit_results[0].skipped == "unmatched"
    # A rep intervened long before (over 180 days) is clean again.
    long_ago = intervention_effects(
        treated=[Treated(rep_id=20, kind="coaching", day=DAY0)],
        runs=twenty_reps(),
        departures={},
        intervened={20: [DAY0], 19: [DAY0 - dt.timedelta(days=200)]},
        today=dt.date(2026, 12, 1),
        min_n=1,
    )
    assert long_ago["coaching"].matched == 1


def test_recent_interventions_are_too_early_for_the_horizons_not_yet_past():
    today = DAY0 + dt.timedelta(days=120)
    results = intervention_effects(
        treated=[Treated(rep_id=20, kind="working_hours", day=DAY0)],
        runs=twenty_reps(),
        departures={},
        intervened={20: [DAY0]},
        today=today,
        min_n=1,
    )
    hours = results["working_hours"]
    assert hours.too_early == {90: 0, 180: 1}
    assert hours.employed[90].n == 1 and hours.employed[180].n == 0
    assert hours.unit_results[0].employed == {90: True, 180: None}


def test_an_intervention_with_no_score_shortly_before_is_left_out():
    results = intervention_effects(
        treated=[
            Treated(rep_id=20, kind="coaching", day=DAY0 + dt.timedelta(days=40)),
            Treated(rep_id=5, kind="coaching", day=DAY0),
        ],
        runs=[Run(as_of=dt.date(2026, 1, 5), scores={5: 0.1}, leaving=frozenset({20}))],
        departures={},
        intervened={},
        today=dt.date(2026, 12, 1),
        min_n=1,
    )
    coaching = results["coaching"]
    assert coaching.unscored == 1  # rep 20: the run is 45 days before
    assert coaching.unmatched == 1  # rep 5: alone in the run
    serving = intervention_effects(
        treated=[Treated(rep_id=20, kind="coaching", day=DAY0)],
        runs=[Run(as_of=dt.date(2026, 1, 5), scores={5: 0.1}, leaving=frozenset({20}))],
        departures={},
        intervened={},
        today=dt.date(2026, 12, 1),
    )
    assert serving["coaching"].leaving == 1


def test_change_in_risk_compares_the_later_run_for_reps_scored_in_both():
    later = {20: 0.6, 19: 0.9}  # rep 20 fell 40 points, rep 19 fell 5
    results = intervention_effects(
        treated=[Treated(rep_id=20, kind="job_enrichment", day=DAY0)],
        runs=twenty_reps(later=later),
        departures={},
        intervened={20: [DAY0]},
        today=dt.date(2026, 12, 1),
        min_n=1,
    )
    unit = results["job_enrichment"].unit_results[0]
    assert unit.risk_change == pytest.approx(-0.4)
    assert unit.comparison_risk_change == pytest.approx(-0.05)
    assert results["job_enrichment"].risk_change.difference == pytest.approx(-0.35)


def test_a_reps_second_intervention_of_a_kind_is_the_same_treatment():
    results = intervention_effects(
        treated=[
            Treated(rep_id=20, kind="coaching", day=DAY0),
            Treated(rep_id=20, kind="coaching", day=DAY0 + dt.timedelta(days=20)),
            Treated(rep_id=20, kind="job_rotation", day=DAY0 + dt.timedelta(days=10)),
        ],
        runs=twenty_reps(),
        departures={},
        intervened={20: [DAY0]},
        today=dt.date(2026, 12, 1),
        min_n=1,
    )
    assert results["coaching"].units == 1
    assert results["job_rotation"].units == 1
    assert results[ANY].units == 1 and results[ANY].unit_results[0].unit.kind == "coaching"

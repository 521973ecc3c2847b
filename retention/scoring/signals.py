"""The warning signs, one function each: ``(history, as_of) -> DataFrame`` indexed by rep_id.

Every function returns, for the reps employed on ``as_of``, its signal in the column of the same
name plus the numbers behind it (used by ``explain``). All read history through ``RepHistory``,
which hides anything after ``as_of``. NaN means "cannot be told yet" (a brand-new rep has no
baseline); the model imputes it and the explanation skips it.

Windows: *recent* is the last 13 complete weeks (≈ 90 days); the rep's own *baseline* is the
52 weeks before that. Leave uses days: the last 91 days against the 364 days before.

Each of the four warning signs has a *level* (how things stand over the last 90 days: weekly
output variation, leave days, service score, visit time) as well as a *change* against the
rep's own baseline: a rep disengaged for a year looks unchanged, but not ordinary. ``SIGNS``
groups every feature under its warning sign (or ``context``) for the drivers.
"""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pandas as pd

from retention.scoring.history import RepHistory, as_timestamp

RECENT_WEEKS = 13
BASELINE_WEEKS = 52
RECENT_DAYS = RECENT_WEEKS * 7
BASELINE_DAYS = BASELINE_WEEKS * 7
# Fewer employed weeks than this and a baseline says nothing.
MIN_BASELINE_WEEKS = 4
TEAM_CHANGE_DAYS = 180
# A leave episode of this many working days or more is a planned block (summer, year end).
PLANNED_BLOCK_WORKDAYS = 5
SICK_KINDS = frozenset({"sick"})
TEAM_DEPARTURE_DAYS = 90


def _split(
    history: RepHistory, column: str, as_of: dt.date | pd.Timestamp
) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    matrix = history.weekly_matrix(column, as_of, RECENT_WEEKS + BASELINE_WEEKS)
    values = matrix.to_numpy()
    return values[:, BASELINE_WEEKS:], values[:, :BASELINE_WEEKS], matrix.index


def _nanmean(values: np.ndarray, *, min_weeks: int = 1) -> np.ndarray:
    counts = np.sum(~np.isnan(values), axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        means = np.nanmean(values, axis=1)
    return np.where(counts >= min_weeks, means, np.nan)


def _nanstd(values: np.ndarray, *, min_weeks: int = 1) -> np.ndarray:
    counts = np.sum(~np.isnan(values), axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        stds = np.nanstd(values, axis=1)
    return np.where(counts >= min_weeks, stds, np.nan)


def _relative_change(recent: np.ndarray, baseline: np.ndarray) -> np.ndarray:
    """recent / baseline − 1; NaN when there is no positive baseline to compare with."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(baseline > 0, recent / baseline - 1.0, np.nan)


def activity_change(history: RepHistory, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    """Drop (or rise) in weekly activities: recent weekly mean against the rep's baseline mean.

    −0.4 means 40 % fewer calls, visits, meetings, e-mails and tasks a week than usual. Weeks
    with no activity inside the window count as zero (a gap is a drop, not missing data).
    """
    recent, baseline, index = _split(history, "activities", as_of)
    recent_mean = _nanmean(recent)
    baseline_mean = _nanmean(baseline, min_weeks=MIN_BASELINE_WEEKS)
    return pd.DataFrame(
        {
            "activity_change": _relative_change(recent_mean, baseline_mean),
            "activities_recent": recent_mean,
            "activities_baseline": baseline_mean,
        },
        index=index,
    )


def activity_volatility(history: RepHistory, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    """Swings in weekly activities: coefficient of variation (std / mean) recently minus the
    rep's baseline one. Positive means a more erratic rhythm than the rep's own normal."""
    recent, baseline, index = _split(history, "activities", as_of)
    with np.errstate(divide="ignore", invalid="ignore"):
        recent_mean = _nanmean(recent, min_weeks=MIN_BASELINE_WEEKS)
        baseline_mean = _nanmean(baseline, min_weeks=MIN_BASELINE_WEEKS)
        recent_cv = np.where(recent_mean > 0, _nanstd(recent) / recent_mean, np.nan)
        baseline_cv = np.where(baseline_mean > 0, _nanstd(baseline) / baseline_mean, np.nan)
    return pd.DataFrame(
        {
            "activity_volatility": recent_cv - baseline_cv,
            "volatility_recent": recent_cv,
            "volatility_baseline": baseline_cv,
        },
        index=index,
    )


def activity_vs_peers(history: RepHistory, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    """Recent weekly activities against the median of the rep's team (−0.3 = 30 % below peers).

    The team is the one the rep is in now; a team of one compares with itself (0).
    """
    recent, _, index = _split(history, "activities", as_of)
    recent_mean = pd.Series(_nanmean(recent), index=index)
    teams = history.reps.loc[index, "team_id"]
    peer_median = recent_mean.groupby(teams).transform("median")
    return pd.DataFrame(
        {
            "activity_vs_peers": _relative_change(recent_mean.to_numpy(), peer_median.to_numpy()),
            "activities_recent": recent_mean.to_numpy(),
            "activities_team_median": peer_median.to_numpy(),
        },
        index=index,
    )


def pipeline_change(history: RepHistory, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    """New pipeline (amount of deals created) a week, recently against the rep's baseline."""
    recent, baseline, index = _split(history, "pipeline_created", as_of)
    recent_mean = _nanmean(recent)
    baseline_mean = _nanmean(baseline, min_weeks=MIN_BASELINE_WEEKS)
    return pd.DataFrame(
        {
            "pipeline_change": _relative_change(recent_mean, baseline_mean),
            "pipeline_recent": recent_mean,
            "pipeline_baseline": baseline_mean,
        },
        index=index,
    )


def quota_attainment(history: RepHistory, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    """Won amount over the last 26 weeks against the quota for the weeks employed in them.

    1.0 is on target. NaN for a rep without a quota.
    """
    matrix = history.weekly_matrix("won_amount", as_of, 26).to_numpy()
    index = history.weekly_matrix("won_amount", as_of, 26).index
    won = np.nansum(matrix, axis=1)
    weeks = np.sum(~np.isnan(matrix), axis=1)
    quota = history.reps.loc[index, "annual_quota"].to_numpy() * weeks / 52.0
    with np.errstate(divide="ignore", invalid="ignore"):
        attainment = np.where(quota > 0, won / quota, np.nan)
    return pd.DataFrame(
        {"quota_attainment": attainment, "won_recent": won, "quota_recent": quota}, index=index
    )


def visit_hours_change(history: RepHistory, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    """Customer-visit and meeting hours a week: the last 13 weeks against the 13 before.

    Time with customers should grow as a rep's book grows; flat (0) or falling (< 0) is a sign.
    """
    matrix = history.weekly_matrix("visit_minutes", as_of, 2 * RECENT_WEEKS).to_numpy() / 60.0
    index = history.weekly_matrix("visit_minutes", as_of, 2 * RECENT_WEEKS).index
    recent = _nanmean(matrix[:, RECENT_WEEKS:])
    before = _nanmean(matrix[:, :RECENT_WEEKS], min_weeks=MIN_BASELINE_WEEKS)
    return pd.DataFrame(
        {
            "visit_hours_change": _relative_change(recent, before),
            "visit_hours_recent": recent,
            "visit_hours_before": before,
        },
        index=index,
    )


def _leave_windows(history: RepHistory, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    """Episodes known on ``as_of`` tagged with their window (recent / baseline / older),
    computed once per date for the signals that share them (read it, do not change it)."""
    return history.on_date("leave_windows", as_of, lambda: _tag_leave_windows(history, as_of))


def _tag_leave_windows(history: RepHistory, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    day = as_timestamp(as_of)
    leave = history.leave_until(day).copy()
    leave["days"] = (leave["last_day"] - leave["first_day"]).dt.days + 1
    recent_start = day - pd.Timedelta(days=RECENT_DAYS - 1)
    baseline_start = recent_start - pd.Timedelta(days=BASELINE_DAYS)
    leave["window"] = np.select(
        [leave["first_day"] >= recent_start, leave["first_day"] >= baseline_start],
        ["recent", "baseline"],
        "older",
    )
    # Days off inside each window, counted by overlap so a long leave spanning both splits.
    leave["recent_days"] = (
        (leave["last_day"] - leave["first_day"].clip(lower=recent_start)).dt.days + 1
    ).clip(lower=0)
    leave["baseline_days"] = (
        (
            leave["last_day"].clip(upper=recent_start - pd.Timedelta(days=1))
            - leave["first_day"].clip(lower=baseline_start)
        ).dt.days
        + 1
    ).clip(lower=0)
    return leave


def _baseline_employed_days(history: RepHistory, as_of: dt.date | pd.Timestamp) -> pd.Series:
    day = as_timestamp(as_of)
    reps = history.reps_employed_on(day)
    recent_start = day - pd.Timedelta(days=RECENT_DAYS - 1)
    baseline_start = recent_start - pd.Timedelta(days=BASELINE_DAYS)
    start = reps["hire_date"].clip(lower=baseline_start)
    return ((recent_start - start).dt.days).clip(lower=0).astype(float)


def leave_episode_change(history: RepHistory, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    """Average length of leave episodes begun in the last 91 days minus the average over the
    364 days before, in days. A rep who took no leave in a window averages 0 there."""
    reps = history.reps_employed_on(as_of)
    leave = _leave_windows(history, as_of)
    means = leave[leave["window"] != "older"].pivot_table(
        index="rep_id", columns="window", values="days", aggfunc="mean"
    )
    counts = leave[leave["window"] != "older"].pivot_table(
        index="rep_id", columns="window", values="days", aggfunc="count"
    )
    means = means.reindex(index=reps.index, columns=["recent", "baseline"]).fillna(0.0)
    counts = counts.reindex(index=reps.index, columns=["recent", "baseline"]).fillna(0.0)
    return pd.DataFrame(
        {
            "leave_episode_change": means["recent"] - means["baseline"],
            "leave_episode_recent": means["recent"],
            "leave_episode_baseline": means["baseline"],
            "leave_episodes_recent": counts["recent"],
            "leave_episodes_baseline": counts["baseline"],
        },
        index=reps.index,
    )


def leave_days_change(history: RepHistory, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    """Days off in the last 91 days minus the rep's usual days off per 91 days over the year
    before (scaled to the part of that year the rep was employed; NaN under 28 days of it)."""
    reps = history.reps_employed_on(as_of)
    leave = _leave_windows(history, as_of)
    recent = leave.groupby("rep_id")["recent_days"].sum().reindex(reps.index).fillna(0.0)
    baseline = leave.groupby("rep_id")["baseline_days"].sum().reindex(reps.index).fillna(0.0)
    employed = _baseline_employed_days(history, as_of)
    with np.errstate(divide="ignore", invalid="ignore"):
        usual = np.where(employed >= 28, baseline / employed * RECENT_DAYS, np.nan)
    return pd.DataFrame(
        {
            "leave_days_change": recent.to_numpy() - usual,
            "leave_days_recent": recent.to_numpy(),
            "leave_days_usual": usual,
        },
        index=reps.index,
    )


def bridge_days(history: RepHistory, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    """Single days off on a Monday or a Friday (next to a weekend: interviews are often taken
    so) in the last 91 days, minus the rep's usual number per 91 days over the year before."""
    reps = history.reps_employed_on(as_of)
    leave = _leave_windows(history, as_of)
    single = leave[(leave["days"] == 1) & leave["first_day"].dt.day_of_week.isin([0, 4])]
    counts = single.pivot_table(index="rep_id", columns="window", values="days", aggfunc="count")
    counts = counts.reindex(index=reps.index, columns=["recent", "baseline"]).fillna(0.0)
    employed = _baseline_employed_days(history, as_of)
    with np.errstate(divide="ignore", invalid="ignore"):
        usual = np.where(employed >= 28, counts["baseline"] / employed * RECENT_DAYS, np.nan)
    return pd.DataFrame(
        {
            "bridge_days": counts["recent"].to_numpy() - np.nan_to_num(usual),
            "bridge_days_recent": counts["recent"].to_numpy(),
            "bridge_days_usual": usual,
        },
        index=reps.index,
    )


def service_change(history: RepHistory, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    """Average service score (scaled 0–1) over the last 13 weeks minus the baseline average.

    Negative means customers rate the rep worse than they used to; NaN without scores in both.
    """
    recent_n, baseline_n, index = _split(history, "service_n", as_of)
    recent_sum, baseline_sum, _ = _split(history, "service_score_sum", as_of)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_recent = np.nansum(recent_n, axis=1)
        n_baseline = np.nansum(baseline_n, axis=1)
        recent = np.where(n_recent > 0, np.nansum(recent_sum, axis=1) / n_recent, np.nan)
        baseline = np.where(n_baseline > 0, np.nansum(baseline_sum, axis=1) / n_baseline, np.nan)
    return pd.DataFrame(
        {
            "service_change": recent - baseline,
            "service_recent": recent,
            "service_baseline": baseline,
        },
        index=index,
    )


def complaints_change(history: RepHistory, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    """Complaints and escalations in the last 13 weeks minus the rep's usual count per 13
    weeks over the 52 before (NaN under 4 employed baseline weeks)."""
    recent, baseline, index = _split(history, "complaints", as_of)
    weeks = np.sum(~np.isnan(baseline), axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        usual = np.where(
            weeks >= MIN_BASELINE_WEEKS, np.nansum(baseline, axis=1) / weeks * RECENT_WEEKS, np.nan
        )
    count = np.nansum(recent, axis=1)
    return pd.DataFrame(
        {"complaints_change": count - usual, "complaints_recent": count, "complaints_usual": usual},
        index=index,
    )


SHORT_WEEKS = 6


def short_term_shift(history: RepHistory, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    """The last 6 weeks against the rep's baseline (the 52 weeks before the last 13), for
    activities, visit and meeting minutes and service scores, plus single days off next to a
    weekend in the last 6 weeks. Strain builds up over weeks: a short window sees it sooner
    than the 13-week one, at the price of more noise; the model weighs both.
    """
    result = {}
    index = None
    for column, name in (("activities", "activity"), ("visit_minutes", "visit_hours")):
        recent, baseline, index = _split(history, column, as_of)
        short = _nanmean(recent[:, -SHORT_WEEKS:])
        usual = _nanmean(baseline, min_weeks=MIN_BASELINE_WEEKS)
        scale = 60.0 if column == "visit_minutes" else 1.0
        result[f"{name}_change_6w"] = _relative_change(short, usual)
        result[f"{name}_6w"] = short / scale
        result[f"{name}_baseline_6w"] = usual / scale
    recent_n, baseline_n, _ = _split(history, "service_n", as_of)
    recent_sum, baseline_sum, _ = _split(history, "service_score_sum", as_of)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_short = np.nansum(recent_n[:, -SHORT_WEEKS:], axis=1)
        n_usual = np.nansum(baseline_n, axis=1)
        short = np.where(
            n_short > 0, np.nansum(recent_sum[:, -SHORT_WEEKS:], axis=1) / n_short, np.nan
        )
        usual = np.where(n_usual > 0, np.nansum(baseline_sum, axis=1) / n_usual, np.nan)
    result["service_change_6w"] = short - usual
    result["service_6w"] = short
    day = as_timestamp(as_of)
    leave = history.leave_until(day)
    single = leave[
        (leave["first_day"] == leave["last_day"])
        & leave["first_day"].dt.day_of_week.isin([0, 4])
        & (leave["first_day"] > day - pd.Timedelta(days=SHORT_WEEKS * 7))
    ]
    result["bridge_days_6w"] = single.groupby("rep_id").size().reindex(index).fillna(0.0).to_numpy()
    return pd.DataFrame(result, index=index)


def tenure_years(history: RepHistory, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    """Years since hire. Early tenure carries the highest base rate of leaving."""
    reps = history.reps_employed_on(as_of)
    years = (as_timestamp(as_of) - reps["hire_date"]).dt.days / 365.25
    return pd.DataFrame({"tenure_years": years}, index=reps.index)


def team_change_recent(history: RepHistory, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    """1 if the rep changed team (so manager or territory) in the last 180 days, else 0."""
    reps = history.reps_employed_on(as_of)
    day = as_timestamp(as_of)
    changes = history.team_changes_until(day)
    recent = changes[changes["changed_on"] > day - pd.Timedelta(days=TEAM_CHANGE_DAYS)]
    changed = reps.index.isin(recent["rep_id"])
    last = changes.groupby("rep_id")["changed_on"].max().reindex(reps.index)
    return pd.DataFrame(
        {"team_change_recent": changed.astype(float), "team_changed_on": last}, index=reps.index
    )


def activity_variation(history: RepHistory, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    """The level of swings in weekly output: coefficient of variation (std / mean) of weekly
    activities over the last 13 weeks. 0.1 is a steady rhythm; 0.5 an erratic one. NaN with
    fewer than 4 observed weeks or no activity at all."""
    recent, _, index = _split(history, "activities", as_of)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = _nanmean(recent, min_weeks=MIN_BASELINE_WEEKS)
        cv = np.where(mean > 0, _nanstd(recent, min_weeks=MIN_BASELINE_WEEKS) / mean, np.nan)
    return pd.DataFrame({"activity_variation": cv, "activities_recent": mean}, index=index)


def _workdays(first: pd.Series, last: pd.Series) -> np.ndarray:
    """Monday–Friday days from ``first`` to ``last`` inclusive (0 where last < first)."""
    if not len(first):
        return np.zeros(0)
    start = first.to_numpy().astype("datetime64[D]")
    stop = last.to_numpy().astype("datetime64[D]") + np.timedelta64(1, "D")
    return np.where(stop > start, np.busday_count(start, np.maximum(stop, start)), 0).astype(float)


def leave_kind(leave: pd.DataFrame) -> pd.Series:
    """``sick``, ``planned`` or ``adhoc`` for each episode: sick leave by its kind; any other
    leave of 5 working days or more is a planned block (summer, year end), shorter is ad hoc
    (the single and odd days that carry the signal). Without a kind field only the length
    decides, so sick days count as ad hoc."""
    workdays = _workdays(leave["first_day"], leave["last_day"])
    kinds = leave["kind"].str.lower() if "kind" in leave else pd.Series("", index=leave.index)
    return pd.Series(
        np.select(
            [kinds.isin(SICK_KINDS).to_numpy(), workdays >= PLANNED_BLOCK_WORKDAYS],
            ["sick", "planned"],
            "adhoc",
        ),
        index=leave.index,
    )


def leave_recent(history: RepHistory, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    """Leave levels: working days off in the last 91 days, in all and by kind (ad hoc, planned
    block, sick; see ``leave_kind``), and the number of ad-hoc episodes. An episode counts by
    its overlap with the window. NaN when the window starts before leave data do."""
    day = as_timestamp(as_of)
    reps = history.reps_employed_on(day)
    leave = history.leave_until(day).copy()
    start = day - pd.Timedelta(days=RECENT_DAYS - 1)
    leave["kind_group"] = leave_kind(leave)
    leave["in_window"] = _workdays(leave["first_day"].clip(lower=start), leave["last_day"])
    leave = leave[leave["in_window"] > 0]
    by_kind = leave.pivot_table(
        index="rep_id", columns="kind_group", values="in_window", aggfunc="sum"
    ).reindex(index=reps.index, columns=["adhoc", "planned", "sick"])
    by_kind = by_kind.fillna(0.0)
    episodes = (
        leave[leave["kind_group"] == "adhoc"].groupby("rep_id").size().reindex(reps.index)
    ).fillna(0.0)
    result = pd.DataFrame(
        {
            "leave_days_recent": by_kind.sum(axis=1),
            "adhoc_leave_days": by_kind["adhoc"],
            "planned_leave_days": by_kind["planned"],
            "sick_days": by_kind["sick"],
            "adhoc_leave_episodes": episodes,
        },
        index=reps.index,
    )
    leave_start = history.leave_start
    if pd.isna(leave_start) or leave_start > start:
        result = result.astype(float) * np.nan
    return result


def service_level(history: RepHistory, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    """The recent service score (last 13 weeks, 0–1) with the scale it came on, and the rep's
    usual score on that scale, for drivers in the source's units ("3.1 of 5, against 4.2")."""
    recent_n, baseline_n, index = _split(history, "service_n", as_of)
    recent_scale, baseline_scale, _ = _split(history, "service_scale_sum", as_of)
    n_all = np.nansum(recent_n, axis=1) + np.nansum(baseline_n, axis=1)
    scale_all = np.nansum(recent_scale, axis=1) + np.nansum(baseline_scale, axis=1)
    service = service_change(history, as_of)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where((n_all > 0) & (scale_all > 0), scale_all / n_all, np.nan)
    return pd.DataFrame(
        {
            "service_level": service["service_recent"].to_numpy(),
            "service_scale": scale,
            "service_recent_points": service["service_recent"].to_numpy() * scale,
            "service_usual_points": service["service_baseline"].to_numpy() * scale,
            "surveys_recent": np.nansum(recent_n, axis=1),
        },
        index=index,
    )


def escalations(history: RepHistory, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    """Escalations (and complaints) in the last 13 weeks: the count, and the rate per case
    handled (NaN without cases). Escalations come from every escalation field the source has
    (complaint flag, escalated flag, an escalated status), merged when the frame is built."""
    recent, _, index = _split(history, "complaints", as_of)
    cases, _, _ = _split(history, "cases", as_of)
    count = np.nansum(recent, axis=1)
    n_cases = np.nansum(cases, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(n_cases > 0, np.minimum(count / n_cases, 1.0), np.nan)
    return pd.DataFrame(
        {"escalations_recent": count, "escalation_rate": rate, "cases_recent": n_cases},
        index=index,
    )


def resolution_time(history: RepHistory, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    """Mean days to resolve the cases resolved in the last 13 weeks, and the change against the
    rep's baseline mean, in days. NaN where the source has no resolution dates."""
    recent_n, baseline_n, index = _split(history, "resolved_n", as_of)
    recent_days, baseline_days, _ = _split(history, "resolution_days_sum", as_of)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_recent, n_base = np.nansum(recent_n, axis=1), np.nansum(baseline_n, axis=1)
        recent = np.where(n_recent > 0, np.nansum(recent_days, axis=1) / n_recent, np.nan)
        usual = np.where(n_base > 0, np.nansum(baseline_days, axis=1) / n_base, np.nan)
    return pd.DataFrame(
        {
            "resolution_days": recent,
            "resolution_days_change": recent - usual,
            "resolution_days_usual": usual,
        },
        index=index,
    )


def visit_time(history: RepHistory, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    """Customer-visit time: hours a week over the last 13 weeks (the level), minutes per visit
    over the last 13 weeks, and its change against the 13 weeks before (time per visit that
    stops rising or falls). Internal events are left out when the frame is built."""
    minutes = history.weekly_matrix("visit_minutes", as_of, 2 * RECENT_WEEKS).to_numpy()
    visits = history.weekly_matrix("visits", as_of, 2 * RECENT_WEEKS)
    index = visits.index
    visits = visits.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        n_recent = np.nansum(visits[:, RECENT_WEEKS:], axis=1)
        n_before = np.nansum(visits[:, :RECENT_WEEKS], axis=1)
        per_recent = np.where(
            n_recent > 0, np.nansum(minutes[:, RECENT_WEEKS:], axis=1) / n_recent, np.nan
        )
        per_before = np.where(
            n_before > 0, np.nansum(minutes[:, :RECENT_WEEKS], axis=1) / n_before, np.nan
        )
    return pd.DataFrame(
        {
            "visit_hours_recent": _nanmean(minutes[:, RECENT_WEEKS:], min_weeks=MIN_BASELINE_WEEKS)
            / 60.0,
            "minutes_per_visit": per_recent,
            "minutes_per_visit_change": _relative_change(per_recent, per_before),
            "minutes_per_visit_before": per_before,
        },
        index=index,
    )


def overdue_work(history: RepHistory, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    """To-dos past their due date and not done on ``as_of``; open deals past their expected
    close date. NaN where the source has no such fields. Deals are known only as they stand
    now (a deal won later was never overdue in this count), so this is exact only near the
    data's end."""
    day = as_timestamp(as_of)
    reps = history.reps_employed_on(day)
    result = pd.DataFrame(
        {"overdue_todos": np.nan, "deals_past_close": np.nan}, index=reps.index, dtype=float
    )
    if history.todos is not None:
        todos = history.todos
        overdue = todos[
            (todos["due_date"] < day)
            & (todos["completed_on"].isna() | (todos["completed_on"] > day))
        ]
        result["overdue_todos"] = overdue.groupby("rep_id").size().reindex(reps.index).fillna(0)
    if history.open_deals is not None:
        deals = history.open_deals
        late = deals[
            (deals["status"] == "open") & (deals["created_on"] <= day) & (deals["close_date"] < day)
        ]
        result["deals_past_close"] = late.groupby("rep_id").size().reindex(reps.index).fillna(0)
    return result


def manager_change(
    memberships: pd.DataFrame, reps: pd.Index, as_of: dt.date | pd.Timestamp
) -> pd.Series:
    """1 where the rep's manager (or, without managers, their team) on ``as_of`` differs from
    the one they had before, and the change came in the last 180 days; else 0 (also when there
    is no team history at all). ``memberships``: rep_id, team_id, manager_id (may be NaN),
    valid_from, valid_to (NaT while current)."""
    day = as_timestamp(as_of)
    result = pd.Series(0.0, index=reps)
    if memberships is None or not len(memberships):
        return result
    known = memberships[memberships["valid_from"] <= day].sort_values(["rep_id", "valid_from"])
    if not len(known):
        return result
    who = known["manager_id"].where(known["manager_id"].notna(), -known["team_id"].astype(float))
    previous = who.groupby(known["rep_id"]).shift()
    changed = previous.notna() & (who != previous)
    recent = changed & (known["valid_from"] > day - pd.Timedelta(days=TEAM_CHANGE_DAYS))
    current = known["valid_to"].isna() | (known["valid_to"] >= day)
    hits = known.loc[recent & current, "rep_id"].unique()
    result[result.index.isin(hits)] = 1.0
    return result


def manager_change_recent(history: RepHistory, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    """``manager_change`` for the reps employed on ``as_of`` (see there)."""
    reps = history.reps_employed_on(as_of)
    changed = manager_change(history.team_history, reps.index, as_of)
    return pd.DataFrame({"manager_change_recent": changed.to_numpy()}, index=reps.index)


def team_departures(history: RepHistory, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    """Voluntary departures from the rep's team in the last 90 days (a poaching wave), and the
    same as a share of the team. Only departures on or before ``as_of`` count."""
    day = as_timestamp(as_of)
    reps = history.reps_employed_on(day)
    everyone = history.reps
    gone = everyone[
        (everyone["departure_reason"] == "voluntary")
        & (everyone["departure_date"] <= day)
        & (everyone["departure_date"] > day - pd.Timedelta(days=TEAM_DEPARTURE_DAYS))
    ]
    per_team = gone.groupby("team_id").size()
    size = reps.groupby("team_id").size()
    count = reps["team_id"].map(per_team).fillna(0.0).astype(float)
    team_size = reps["team_id"].map(size).astype(float)
    return pd.DataFrame(
        {"team_departures_90d": count, "team_departure_share": count / (team_size + count)},
        index=reps.index,
    )


def window_observed(history: RepHistory, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    """How much of the rep's windows is unobserved (after hire, before the first record or the
    data start): weeks of the recent 13 and of the whole 65. Training leaves out snapshots
    whose recent window is not observed; the model sees the rest with this as an indicator."""
    recent = history.unobserved_weeks(as_of, RECENT_WEEKS)
    whole = history.unobserved_weeks(as_of, RECENT_WEEKS + BASELINE_WEEKS)
    return pd.DataFrame(
        {"recent_unobserved_weeks": recent, "unobserved_weeks": whole}, index=recent.index
    )


SIGNALS = [
    activity_change,
    activity_volatility,
    activity_variation,
    activity_vs_peers,
    pipeline_change,
    quota_attainment,
    overdue_work,
    visit_hours_change,
    visit_time,
    leave_episode_change,
    leave_days_change,
    leave_recent,
    bridge_days,
    service_change,
    service_level,
    complaints_change,
    escalations,
    resolution_time,
    short_term_shift,
    tenure_years,
    team_change_recent,
    manager_change_recent,
    team_departures,
    window_observed,
]
SHORT_TERM_FEATURES = [
    "activity_change_6w",
    "visit_hours_change_6w",
    "service_change_6w",
    "bridge_days_6w",
]
# Each model feature under its warning sign; drivers are grouped by these.
SIGNS: dict[str, list[str]] = {
    "output": [
        "activity_variation",
        "activity_volatility",
        "activity_change",
        "activity_change_6w",
        "activity_vs_peers",
        "pipeline_change",
        "quota_attainment",
        "overdue_todos",
    ],
    "leave": [
        "adhoc_leave_days",
        "leave_days_recent",
        "leave_days_change",
        "leave_episode_change",
        "adhoc_leave_episodes",
        "sick_days",
        "planned_leave_days",
        "bridge_days",
        "bridge_days_6w",
    ],
    "service": [
        "service_level",
        "service_change",
        "service_change_6w",
        "escalations_recent",
        "complaints_change",
        "escalation_rate",
        "resolution_days",
        "resolution_days_change",
    ],
    "visits": [
        "visit_hours_recent",
        "visit_hours_change",
        "visit_hours_change_6w",
        "minutes_per_visit",
        "minutes_per_visit_change",
    ],
    "context": [
        "tenure_years",
        "team_change_recent",
        "manager_change_recent",
        "team_departures_90d",
        "unobserved_weeks",
    ],
}
SIGN_OF = {feature: sign for sign, features in SIGNS.items() for feature in features}
FEATURES = [feature for features in SIGNS.values() for feature in features]
# Shown with the score but not learnt from: known only as things stand now, not as they stood
# on a past snapshot date, so training on them would teach the model about the present.
CONTEXT_ONLY = ["deals_past_close"]

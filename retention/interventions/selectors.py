"""Reads for intervention suggestions and for what worked, scoped through the access layer.

Suggestions read one rep's risk (their drivers) through ``retention.risk.selectors.rep_risk``,
which audits the read. What worked reads every score of the runs it needs to find the risk
deciles and the comparison reps; its per-kind figures hand out no person's score (and are
withheld below the minimum number of units), so, like the dashboard's counts, they write no
audit row; the list of the interventions behind a figure shows each rep's risk at the time and
writes one audit row per rep shown (``retention.selectors.risk_reads_record``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from retention import selectors as retention_selectors
from retention.interventions import effects
from retention.interventions.suggestions import Suggestion, intervention_suggestions
from retention.models import Intervention, RiskScore, SalesRep, ScoringRun
from retention.ownership import selectors as ownership
from retention.ownership.selectors import KeyAccounts
from retention.risk import selectors as risk_selectors

# --- suggestions ------------------------------------------------------------------------------


def interventions_last_logged(*, rep: SalesRep) -> dict[str, dt.date]:
    """The last day each kind of intervention was logged for the rep."""
    logged: dict[str, dt.date] = {}
    for kind, created_at in Intervention.objects.filter(rep=rep).values_list("kind", "created_at"):
        day = timezone.localdate(created_at)
        if kind not in logged or day > logged[kind]:
            logged[kind] = day
    return logged


def rep_suggestions(
    *,
    rep: SalesRep,
    score: RiskScore | None,
    key_accounts: KeyAccounts,
    today: dt.date,
) -> list[Suggestion]:
    """The suggestions for a rep whose score (already read, and audited, by the caller) and key
    accounts (``retention.ownership.selectors.rep_key_accounts``) are at hand."""
    if score is None:
        return []
    return intervention_suggestions(
        band=score.band,
        probability=score.probability,
        drivers=score.drivers or [],
        key_accounts=key_accounts,
        leaving=score.is_leaving or rep.status == SalesRep.Status.LEFT,
        logged=interventions_last_logged(rep=rep),
        today=today,
    )


def rep_suggestions_read(
    *, user: User, rep_id: int, today: dt.date
) -> tuple[RiskScore | None, list[Suggestion]]:
    """A rep's current score and suggestions for ``user`` (404 out of scope; audited)."""
    risk = risk_selectors.rep_risk(user=user, rep_id=rep_id)
    score = risk.current or risk.last
    key_accounts = ownership.rep_key_accounts(rep_id=risk.rep.pk)
    return score, rep_suggestions(rep=risk.rep, score=score, key_accounts=key_accounts, today=today)


# --- what worked ------------------------------------------------------------------------------


@dataclass
class EffectsReport:
    today: dt.date
    min_n: int
    kinds: list[effects.KindResult]
    runs: int
    first_run: dt.date | None
    last_run: dt.date | None


def _runs_with_scores(runs: list[ScoringRun]) -> list[effects.Run]:
    scores: dict[int, dict[int, float]] = defaultdict(dict)
    leaving: dict[int, set[int]] = defaultdict(set)
    rows = RiskScore.objects.filter(run_id__in=[run.pk for run in runs]).values_list(
        "run_id", "rep_id", "probability", "status"
    )
    for run_id, rep_id, probability, status in rows:
        if status == RiskScore.Status.LEAVING:
            leaving[run_id].add(rep_id)
        else:
            scores[run_id][rep_id] = probability
    return [
        effects.Run(as_of=run.as_of, scores=scores[run.pk], leaving=frozenset(leaving[run.pk]))
        for run in runs
    ]


def intervention_effects_read(*, user: User, today: dt.date | None = None) -> EffectsReport:
    """What worked, in ``user``'s scope: the interventions of reps they may see, compared with
    reps they may see (deciles are the organisation's). Per kind, then "any" last."""
    today = today or timezone.localdate()
    min_n = settings.RELAY_INTERVENTION_MIN_N
    interventions = list(
        retention_selectors.interventions_visible_to(user)
        .order_by("created_at", "id")
        .values_list("id", "rep_id", "kind", "created_at")
    )
    treated = [
        effects.Treated(
            rep_id=rep_id, kind=kind, day=timezone.localdate(created_at), intervention_id=pk
        )
        for pk, rep_id, kind, created_at in interventions
    ]
    intervened: dict[int, list[dt.date]] = defaultdict(list)
    for unit in treated:
        intervened[unit.rep_id].append(unit.day)
    all_runs = retention_selectors.scoring_runs_by_date()
    needed = all_runs
    if treated:
        first = min(u.day for u in treated) - dt.timedelta(days=effects.BASELINE_DAYS)
        last = max(u.day for u in treated) + dt.timedelta(
            days=effects.LATER_DAYS + effects.LATER_TOLERANCE_DAYS
        )
        needed = [run for run in all_runs if first <= run.as_of <= last]
    else:
        needed = []
    visible = dict(retention_selectors.reps_visible_to(user).values_list("id", "departure_date"))
    results = effects.intervention_effects(
        treated=treated,
        runs=_runs_with_scores(needed),
        departures=visible,
        intervened=intervened,
        comparable=visible.keys(),
        today=today,
        min_n=min_n,
    )
    order = {kind: index for index, kind in enumerate(Intervention.Kind.values)}
    kinds = sorted(
        (r for k, r in results.items() if k != effects.ANY), key=lambda r: order.get(r.kind, 99)
    )
    if effects.ANY in results:
        kinds.append(results[effects.ANY])
    return EffectsReport(
        today=today,
        min_n=min_n,
        kinds=kinds,
        runs=len(all_runs),
        first_run=all_runs[0].as_of if all_runs else None,
        last_run=all_runs[-1].as_of if all_runs else None,
    )


def effect_units(*, report: EffectsReport, kind: str) -> list[effects.UnitResult]:
    """The interventions behind one kind's figures, newest first (no person attached yet)."""
    result = next((r for r in report.kinds if r.kind == kind), None)
    if result is None:
        return []
    return sorted(
        result.unit_results, key=lambda row: (row.unit.day, row.unit.rep_id), reverse=True
    )


def effect_units_show(
    *, user: User, rows: list[effects.UnitResult]
) -> list[tuple[effects.UnitResult, SalesRep]]:
    """These rows (one page of :func:`effect_units`) with their reps, as shown to ``user``:
    each rep shown with their risk at the time is written to the audit log."""
    reps = retention_selectors.reps_visible_to(user).in_bulk([row.unit.rep_id for row in rows])
    shown = [(row, reps[row.unit.rep_id]) for row in rows if row.unit.rep_id in reps]
    retention_selectors.risk_reads_record(
        viewer=user, rep_ids=[row.unit.rep_id for row, _rep in shown if row.probability is not None]
    )
    return shown


def effect_kind_label(kind: str) -> str:
    if kind == effects.ANY:
        from django.utils.translation import gettext as _

        return _("Any intervention")
    return str(Intervention.Kind(kind).label) if kind in Intervention.Kind.values else kind

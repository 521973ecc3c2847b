"""The demo's managers at work: interventions on at-risk reps, after the score history exists.

At each succeeded scoring run (oldest first) every rep among the riskiest ``RISKIEST_SHARE`` of
the organisation, still employed and with no intervention in the last ``QUIET_DAYS`` days, gets
one with chance ``CHANCE``, recorded by their team's manager within a week of the run. Its kind
is drawn among what Relay suggests for that rep's drivers (``retention.interventions.
suggestions``): the first suggestion most often. The note is the suggestion's reasons; a
follow-up a month later; where that date has passed, the outcome is what the data say (still
employed on it, or left), left blank for a quarter of them as real managers do.

Nothing here changes who leaves: the demo generator decided every rep's last day before any
intervention existed (``retention.demo.generate``, its latent engagement and strain), so an
intervention neither helps nor harms. Whatever the what-worked page shows for the demo is
selection and chance, which is what the page's observational caveat is about.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db import transaction

from accounts.org import team_managers
from retention.interventions.suggestions import NO_KEY_ACCOUNTS, intervention_suggestions
from retention.models import Intervention, RiskScore, SalesRep
from retention.ownership import selectors as ownership
from retention.selectors import scoring_runs_by_date

RISKIEST_SHARE = 0.15
CHANCE = 0.35
QUIET_DAYS = 120
FOLLOW_UP_DAYS = 30
NO_OUTCOME_SHARE = 0.25
KIND_WEIGHTS = (0.5, 0.3, 0.2)  # the first, second and third suggestion


@transaction.atomic
def demo_interventions_record(*, seed: int, end: dt.date) -> int:
    """Record the demo managers' interventions (see the module docstring); returns how many."""
    rng = np.random.default_rng([seed, 13])
    zone = ZoneInfo(settings.TIME_ZONE)
    reps = {rep.pk: rep for rep in SalesRep.objects.all()}
    managers = team_managers(team_ids={rep.team_id for rep in reps.values()})
    # What each rep holds now: the demo keeps no history of key-account holdings.
    key_accounts = ownership.key_accounts_by_rep()
    last_given: dict[int, dt.date] = {}
    created: list[tuple[Intervention, dt.datetime]] = []
    for run in scoring_runs_by_date():
        as_of = run.as_of
        scores = list(
            RiskScore.objects.filter(run=run, status=RiskScore.Status.SCORED).order_by(
                "-probability", "rep_id"
            )
        )
        riskiest = scores[: max(1, round(RISKIEST_SHARE * len(scores)))]
        for score in riskiest:
            rep = reps[score.rep_id]
            manager = managers.get(rep.team_id)
            given = last_given.get(rep.pk)
            if manager is None or (given and (as_of - given).days < QUIET_DAYS):
                continue
            if rng.random() >= CHANCE:
                continue
            day = min(as_of + dt.timedelta(days=int(rng.integers(1, 8))), end)
            if rep.departure_date is not None and rep.departure_date <= day:
                continue
            # The demo's managers act on the riskiest reps whatever their band, choosing among
            # what Relay would suggest for those drivers.
            suggestions = intervention_suggestions(
                band="high" if score.band == RiskScore.Band.HIGH else "medium",
                probability=score.probability,
                drivers=score.drivers or [],
                key_accounts=key_accounts.get(rep.pk, NO_KEY_ACCOUNTS),
            )
            weights = np.array(KIND_WEIGHTS[: len(suggestions)])
            choice = suggestions[int(rng.choice(len(weights), p=weights / weights.sum()))]
            follow_up = day + dt.timedelta(days=FOLLOW_UP_DAYS)
            outcome = ""
            if follow_up <= end and rng.random() >= NO_OUTCOME_SHARE:
                left = rep.departure_date is not None and rep.departure_date <= follow_up
                outcome = Intervention.Outcome.LEFT if left else Intervention.Outcome.STAYED
            at = dt.datetime.combine(day, dt.time(10, int(rng.integers(0, 60))), tzinfo=zone)
            created.append(
                (
                    Intervention(
                        rep=rep,
                        kind=choice.kind,
                        note=choice.note,
                        note_data=choice.note_data,
                        owner=manager,
                        created_by=manager,
                        follow_up_on=follow_up,
                        outcome=outcome,
                        outcome_recorded_at=(
                            dt.datetime.combine(follow_up, dt.time(16, 0), tzinfo=zone)
                            if outcome
                            else None
                        ),
                    ),
                    at,
                )
            )
            last_given[rep.pk] = day
    Intervention.objects.bulk_create([item for item, _at in created])
    for item, at in created:
        item.created_at = item.updated_at = at
    Intervention.objects.bulk_update([item for item, _at in created], ["created_at", "updated_at"])
    return len(created)

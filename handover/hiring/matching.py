"""Rank the candidate pool for a vacancy. Pure: plain facts in, ranked matches with reasons out.

Method (10 points at most, every point explained in the reasons):

* region: 3 points when the candidate's region is the vacancy's (case-insensitive);
* sales experience: 3 points × min(years, 5) / 5, so five years or more earns all three;
* bench readiness: 2.5 points when bench ready and able to start by the date needed (the
  vacancy's target fill date, or today), 1.5 when bench ready but starting later;
* source: reserve bench 1.5, referral 1.0, internal transfer 1.0, past decliner 0.75 (already
  knows us), agency 0.5, job board 0.25, other 0.

Ties go to the candidate who can start soonest, then to the older record.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

REGION_POINTS = 3.0
EXPERIENCE_POINTS = 3.0
EXPERIENCE_FULL_YEARS = 5.0
BENCH_ON_TIME_POINTS = 2.5
BENCH_LATE_POINTS = 1.5
SOURCE_POINTS: dict[str, float] = {
    "bench": 1.5,
    "referral": 1.0,
    "internal": 1.0,
    "past_decliner": 0.75,
    "agency": 0.5,
    "job_board": 0.25,
    "other": 0.0,
}
MAX_SCORE = REGION_POINTS + EXPERIENCE_POINTS + BENCH_ON_TIME_POINTS + max(SOURCE_POINTS.values())


@dataclass(frozen=True)
class CandidateFacts:
    id: int
    region: str
    sales_experience_years: float
    bench_ready: bool
    earliest_start: dt.date | None
    source: str
    source_label: str = ""


@dataclass(frozen=True)
class VacancyFacts:
    region: str
    needed_by: dt.date


@dataclass
class Match:
    candidate_id: int
    score: float
    reasons: list[str] = field(default_factory=list)


def score_candidate(candidate: CandidateFacts, vacancy: VacancyFacts) -> Match:
    score = 0.0
    reasons: list[str] = []
    if candidate.region and candidate.region.strip().lower() == vacancy.region.strip().lower():
        score += REGION_POINTS
        reasons.append(_("Same region (%(region)s)") % {"region": candidate.region})
    elif candidate.region:
        reasons.append(_("Other region (%(region)s)") % {"region": candidate.region})
    else:
        reasons.append(_("Region unknown"))

    years = max(0.0, float(candidate.sales_experience_years))
    score += EXPERIENCE_POINTS * min(years, EXPERIENCE_FULL_YEARS) / EXPERIENCE_FULL_YEARS
    if years:
        reasons.append(_("Sales experience: %(years)s years") % {"years": f"{years:g}"})
    else:
        reasons.append(_("New to sales"))

    if candidate.bench_ready:
        start = candidate.earliest_start
        if start is None or start <= vacancy.needed_by:
            score += BENCH_ON_TIME_POINTS
            when = start.isoformat() if start else _("now")
            reasons.append(_("Bench ready, can start %(when)s") % {"when": when})
        else:
            score += BENCH_LATE_POINTS
            reasons.append(_("Bench ready, but not before %(when)s") % {"when": start.isoformat()})

    source_points = SOURCE_POINTS.get(candidate.source, 0.0)
    score += source_points
    if source_points:
        reasons.append(
            _("Source: %(source)s") % {"source": candidate.source_label or candidate.source}
        )
    return Match(candidate_id=candidate.id, score=round(score, 2), reasons=reasons)


def rank_candidates(candidates: list[CandidateFacts], vacancy: VacancyFacts) -> list[Match]:
    """The candidates ranked by fit, best first, each with the reasons for its score."""
    by_id = {c.id: c for c in candidates}
    matches = [score_candidate(c, vacancy) for c in candidates]
    far_future = dt.date.max

    def order(match: Match) -> tuple:
        start = by_id[match.candidate_id].earliest_start or vacancy.needed_by
        return (-match.score, start or far_future, match.candidate_id)

    return sorted(matches, key=order)

"""Ranking a departing rep's customers, and the handover's suggested recipient for each.

Pure Python, no database: the plan service gathers plain facts through selectors and passes
them here, so the rules can be tested with hand-built values and run for 500 customers in
milliseconds.

Ranking: key accounts first, then by importance = annual revenue + open pipeline weighted by
deal stage, lifted by up to 25 % for a long relationship (5 % a year, at most 5 years): the
longer the relationship, the more knowledge walks out with the rep.

Recipients are Relay's one rule, ``retention.ownership.policy`` (an existing backup, then a
low-risk rep of the same team and region with room, then the team's manager as temporary
cover; never a rep serving notice, at high risk or outside the scope given), asked for each
customer from the most important down, so the most important customers get first pick of the
room there is. "Room" counts the customers already suggested to a rep earlier in the same plan,
so a suggestion never takes a rep over the accounts or revenue limit.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from config.money import format_money, format_number
from retention.ownership.policy import (
    EVERYONE,
    Candidate,
    Case,
    Manager,
    Relationship,
    Scope,
    choose_recipients,
)

# Probability that an open deal at this stage closes; unknown stages count as early.
STAGE_WEIGHTS: dict[str, float] = {
    "prospecting": 0.1,
    "qualification": 0.2,
    "needs analysis": 0.3,
    "discovery": 0.3,
    "proposal": 0.5,
    "quote": 0.5,
    "negotiation": 0.7,
    "contract": 0.8,
    "commit": 0.9,
}
DEFAULT_STAGE_WEIGHT = 0.2
TENURE_LIFT_PER_YEAR = 0.05
TENURE_LIFT_MAX_YEARS = 5


@dataclass(frozen=True)
class OpenDeal:
    amount: Decimal
    stage: str


@dataclass(frozen=True)
class CustomerFacts:
    customer_id: int
    name: str
    is_key_account: bool
    annual_revenue: Decimal
    held_since: dt.date
    open_deals: tuple[OpenDeal, ...] = ()
    relationships: tuple[Relationship, ...] = ()  # backups and covers, oldest first


@dataclass(frozen=True)
class Suggestion:
    customer_id: int
    rank: int
    importance: float
    importance_reason: str
    kind: str  # HandoverItem.SuggestionKind values
    rep_id: int | None
    manager_id: int | None
    reason: str
    importance_data: dict = field(default_factory=dict)
    reason_data: dict = field(default_factory=dict)


@dataclass
class Ranked:
    facts: CustomerFacts
    importance: float
    reason: str = field(default="")
    reason_data: dict = field(default_factory=dict)


def stage_weight(stage: str) -> float:
    return STAGE_WEIGHTS.get(stage.strip().lower(), DEFAULT_STAGE_WEIGHT)


def importance(facts: CustomerFacts, *, today: dt.date) -> tuple[float, str, dict]:
    """The customer's importance, the reason in the active language, and what that reason is
    made of (stored with the plan's item, worded again by :func:`importance_text`)."""
    weighted = sum(float(d.amount) * stage_weight(d.stage) for d in facts.open_deals)
    years = max(0.0, (today - facts.held_since).days / 365.25)
    lift = 1 + TENURE_LIFT_PER_YEAR * min(years, TENURE_LIFT_MAX_YEARS)
    score = (float(facts.annual_revenue) + weighted) * lift
    data = {
        "code": IMPORTANCE,
        "params": {
            "revenue": str(facts.annual_revenue),
            "pipeline": weighted,
            "deals": len(facts.open_deals),
            "years": years,
            "key_account": facts.is_key_account,
        },
    }
    return score, importance_text(data), data


IMPORTANCE = "importance"
ANNUAL_REVENUE = "annual_revenue"  # a successor's plan ranks by revenue alone


def importance_text(data: dict) -> str:
    """Why a customer ranks where it does, worded in the active language from its data."""
    if data.get("code") == ANNUAL_REVENUE:
        return _("Annual revenue")
    params = data["params"]
    deals = params["deals"]
    reason = ngettext(
        "revenue %(revenue)s; weighted open pipeline %(pipeline)s (%(deals)s deal); "
        "held %(years)s years",
        "revenue %(revenue)s; weighted open pipeline %(pipeline)s (%(deals)s deals); "
        "held %(years)s years",
        deals,
    ) % {
        "revenue": format_money(Decimal(params["revenue"])),
        "pipeline": format_money(params["pipeline"]),
        "deals": deals,
        "years": format_number(params["years"], 1),
    }
    if params.get("key_account"):
        reason = _("key account; %(reason)s") % {"reason": reason}
    return reason


def rank_customers(customers: list[CustomerFacts], *, today: dt.date) -> list[Ranked]:
    ranked = [Ranked(c, *importance(c, today=today)) for c in customers]
    ranked.sort(key=lambda r: (not r.facts.is_key_account, -r.importance, r.facts.name))
    return ranked


def suggest_recipients(
    *,
    customers: list[CustomerFacts],
    departing_rep_id: int,
    team_id: int,
    region: str,
    candidates: dict[int, Candidate],
    manager: Manager | None,
    scope: Scope = EVERYONE,
    today: dt.date,
) -> list[Suggestion]:
    """One suggestion per customer, in rank order. Mutates the candidates' loads as it goes."""
    ranked = rank_customers(customers, today=today)
    cases = [
        Case(
            customer_id=r.facts.customer_id,
            holder_rep_id=departing_rep_id,
            team_id=team_id,
            region=region,
            revenue=r.facts.annual_revenue,
            relationships=r.facts.relationships,
        )
        for r in ranked
    ]
    choices = choose_recipients(
        cases=cases,
        candidates=candidates,
        managers={team_id: manager} if manager is not None else {},
        scope=scope,
    )
    return [
        Suggestion(
            customer_id=r.facts.customer_id,
            rank=rank,
            importance=r.importance,
            importance_reason=r.reason,
            kind=choices[r.facts.customer_id].kind,
            rep_id=choices[r.facts.customer_id].rep_id,
            manager_id=choices[r.facts.customer_id].manager_id,
            reason=choices[r.facts.customer_id].reason,
            importance_data=r.reason_data,
            reason_data=dict(choices[r.facts.customer_id].reason_data),
        )
        for rank, r in enumerate(ranked, start=1)
    ]

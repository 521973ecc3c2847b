"""Ranking a departing rep's customers and suggesting who should take each one.

Pure Python, no database: the plan service gathers plain facts through selectors and passes
them here, so the rules can be tested with hand-built values and run for 500 customers in
milliseconds.

Ranking: key accounts first, then by importance = annual revenue + open pipeline weighted by
deal stage, lifted by up to 25 % for a long relationship (5 % a year, at most 5 years): the
longer the relationship, the more knowledge walks out with the rep.

Recipient, in this order, for each customer from the most important down (so the most
important customers get first pick of the room there is):
1. an existing backup of the customer who is active, not high risk, and has room;
2. a rep of the departing rep's team and region who is active, known low risk (a rep with no
   current score is *not* known to be low risk and is never suggested here) and has room,
   preferring the one with the most room left;
3. otherwise the team's manager, as temporary cover.
"Room" counts the customers already suggested to that rep earlier in the same plan, so a
suggestion never takes a rep over the accounts or revenue limit.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

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
    backup_rep_ids: tuple[int, ...] = ()


@dataclass
class Candidate:
    """A rep who could take customers, with what they already hold and may hold at most."""

    rep_id: int
    name: str
    team_id: int
    region: str
    is_active: bool
    band: str | None  # "low" | "medium" | "high" | None when the rep has no current score
    accounts: int
    revenue: Decimal
    max_accounts: int  # 0 = no limit
    max_revenue: Decimal  # 0 = no limit

    def has_room_for(self, revenue: Decimal) -> bool:
        if self.max_accounts and self.accounts + 1 > self.max_accounts:
            return False
        return not (self.max_revenue and self.revenue + revenue > self.max_revenue)

    def room_share(self) -> float:
        """Share of the tighter limit still free (1.0 with no limits), to prefer the emptiest."""
        shares = []
        if self.max_accounts:
            shares.append(1 - self.accounts / self.max_accounts)
        if self.max_revenue:
            shares.append(1 - float(self.revenue / self.max_revenue))
        return min(shares) if shares else 1.0


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


@dataclass
class Ranked:
    facts: CustomerFacts
    importance: float
    reason: str = field(default="")


def stage_weight(stage: str) -> float:
    return STAGE_WEIGHTS.get(stage.strip().lower(), DEFAULT_STAGE_WEIGHT)


def importance(facts: CustomerFacts, *, today: dt.date) -> tuple[float, str]:
    weighted = sum(float(d.amount) * stage_weight(d.stage) for d in facts.open_deals)
    years = max(0.0, (today - facts.held_since).days / 365.25)
    lift = 1 + TENURE_LIFT_PER_YEAR * min(years, TENURE_LIFT_MAX_YEARS)
    score = (float(facts.annual_revenue) + weighted) * lift
    reason = (
        f"revenue {facts.annual_revenue:,.0f}; weighted open pipeline {weighted:,.0f} "
        f"({len(facts.open_deals)} deals); held {years:.1f} years"
    )
    if facts.is_key_account:
        reason = "key account; " + reason
    return score, reason


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
    manager_id: int | None,
    today: dt.date,
) -> list[Suggestion]:
    """One suggestion per customer, in rank order. Mutates the candidates' loads as it goes."""
    suggestions = []
    team_mates = [
        c
        for c in candidates.values()
        if c.rep_id != departing_rep_id
        and c.team_id == team_id
        and c.region == region
        and c.is_active
        and c.band == "low"
    ]
    for rank, ranked in enumerate(rank_customers(customers, today=today), start=1):
        facts = ranked.facts
        revenue = facts.annual_revenue
        chosen: Candidate | None = None
        kind, reason = "none", "No backup, no low-risk team-mate with room and no manager found."
        for backup_id in facts.backup_rep_ids:
            backup = candidates.get(backup_id)
            if (
                backup is not None
                and backup.rep_id != departing_rep_id
                and backup.is_active
                and backup.band != "high"
                and backup.has_room_for(revenue)
            ):
                chosen, kind = backup, "backup"
                reason = f"Already the customer's backup; {_load_text(backup, revenue)}."
                break
        if chosen is None:
            with_room = [c for c in team_mates if c.has_room_for(revenue)]
            if with_room:
                chosen = max(with_room, key=lambda c: (c.room_share(), -c.rep_id))
                kind = "team_rep"
                reason = f"Same team and region, low risk, has room; {_load_text(chosen, revenue)}."
        if chosen is not None:
            chosen.accounts += 1
            chosen.revenue += revenue
            suggestions.append(
                Suggestion(
                    customer_id=facts.customer_id,
                    rank=rank,
                    importance=ranked.importance,
                    importance_reason=ranked.reason,
                    kind=kind,
                    rep_id=chosen.rep_id,
                    manager_id=None,
                    reason=reason,
                )
            )
            continue
        if manager_id is not None:
            kind = "manager"
            reason = "No backup or low-risk team-mate with room: the manager covers for now."
        suggestions.append(
            Suggestion(
                customer_id=facts.customer_id,
                rank=rank,
                importance=ranked.importance,
                importance_reason=ranked.reason,
                kind=kind,
                rep_id=None,
                manager_id=manager_id,
                reason=reason,
            )
        )
    return suggestions


def _load_text(candidate: Candidate, revenue: Decimal) -> str:
    accounts = candidate.accounts + 1
    limit = f"/{candidate.max_accounts}" if candidate.max_accounts else ""
    return f"{accounts}{limit} accounts, revenue {candidate.revenue + revenue:,.0f} after this"

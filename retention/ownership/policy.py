"""Who should take a customer whose holder is leaving or at risk: Relay's one recipient rule.

Pure Python, no Django but its translation functions (and ``config.money`` for amounts):
callers gather plain facts through selectors (the candidates' risk and load, the customer's
other holders, the team's manager from ``accounts.org.team_manager``, and which people lie in
the viewer's or approver's scope from ``accounts.access``) and get back a ranked list of
choices, each with the reason a person would give. Routing, handover suggestions and the
coverage page all ask here, so they cannot disagree.

The rule, best first:

1. **an existing backup** of the customer (a rep holding it as backup or temporary cover, or a
   manager covering it), lower risk first, then in the order the caller gave;
2. **a low-risk team-mate**: a rep of the holder's team *and* region, known to be low risk (a
   rep with no current score is not known to be low risk), ramped reps before those hired in
   the last ``RELAY_RAMP_UP_DAYS`` (a new hire's low score says little yet, and they are still
   learning their own book), then least loaded first (fewest accounts held, counting those
   already given to them in the same batch); ties: lower risk probability, then lower id;
3. **the team's manager**, as temporary cover.

Never chosen: the holder themselves; a rep serving notice or who has left
(``Candidate.is_leaving``: the model's ``SalesRep.is_departing``, status "notice" or "left" or
any last day recorded); a high-risk rep; a rep without room under their capacity limits; and
anyone outside the scope the caller passes.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext, pgettext_lazy

from config.chance import format_chance
from config.money import format_money

ACTIVE, LEFT = "active", "left"
LOW, HIGH = "low", "high"
BAND_NAMES = {
    "low": pgettext_lazy("risk band", "low"),
    "medium": pgettext_lazy("risk band", "medium"),
    "high": pgettext_lazy("risk band", "high"),
}


class Kind:
    """What a choice is; the values are those of routing's and handover's columns."""

    BACKUP = "backup"
    TEAM_REP = "team_rep"
    MANAGER = "manager"
    NONE = "none"


@dataclass
class Candidate:
    """A rep who might take customers: where they sit, how safe they are, what they hold."""

    rep_id: int
    name: str
    team_id: int
    region: str
    status: str = ACTIVE
    # Serving notice or gone: ``SalesRep.is_departing``, the one rule of it, which
    # ``recipient_candidates`` reads for each rep (the policy does not work it out again).
    is_leaving: bool = False
    band: str | None = None  # "low" | "medium" | "high"; None: no current score
    probability: float | None = None
    accounts: int = 0
    revenue: Decimal = Decimal(0)
    max_accounts: int = 0  # 0: no limit
    max_revenue: Decimal = Decimal(0)  # 0: no limit
    # Hired within the last RELAY_RAMP_UP_DAYS: still learning the book they have, so after
    # every ramped team-mate (however loaded) for customers to take over.
    ramping: bool = False

    def has_room_for(self, revenue: Decimal) -> bool:
        if self.max_accounts and self.accounts + 1 > self.max_accounts:
            return False
        return not (self.max_revenue and self.revenue + revenue > self.max_revenue)

    def take(self, revenue: Decimal) -> None:
        """Count a customer given to this rep, so the next choice in the batch sees the load."""
        self.accounts += 1
        self.revenue += revenue


@dataclass(frozen=True)
class Relationship:
    """Someone other than the holder who currently holds the customer: a rep (backup or
    temporary cover) or a covering manager. ``role`` is the assignment's role label."""

    role: str
    rep_id: int | None = None
    manager_id: int | None = None
    # The role's code (``Assignment.Role``), stored with a reason so it can be worded again.
    role_code: str = ""


@dataclass(frozen=True)
class Manager:
    user_id: int
    name: str


@dataclass(frozen=True)
class Scope:
    """Whom the viewer or approver may see: rep ids and manager (user) ids; None is everyone."""

    rep_ids: frozenset[int] | None = None
    manager_ids: frozenset[int] | None = None

    @classmethod
    def of(cls, *, rep_ids: Collection[int] | None, manager_ids: Collection[int] | None) -> Scope:
        return cls(
            rep_ids=None if rep_ids is None else frozenset(rep_ids),
            manager_ids=None if manager_ids is None else frozenset(manager_ids),
        )

    def allows_rep(self, rep_id: int) -> bool:
        return self.rep_ids is None or rep_id in self.rep_ids

    def allows_manager(self, user_id: int) -> bool:
        return self.manager_ids is None or user_id in self.manager_ids


EVERYONE = Scope()


@dataclass(frozen=True)
class Case:
    """One customer to place: its current holder (the rep leaving or at risk) and the others
    who hold it."""

    customer_id: int
    holder_rep_id: int
    team_id: int
    region: str
    revenue: Decimal = Decimal(0)
    relationships: tuple[Relationship, ...] = ()


@dataclass(frozen=True)
class Choice:
    kind: str
    reason: str
    rep_id: int | None = None
    manager_id: int | None = None
    # The reason in a few words, for a row: "low risk (6%) · → 8/60 accounts" (with this one).
    brief: str = ""
    # What the reason is made of, to store and word again in a reader's language later:
    # {"code": ..., "params": {...}}, read by :func:`reason_text`.
    reason_data: Mapping = field(default_factory=dict)


def refusal(
    candidate: Candidate, *, holder_rep_id: int, scope: Scope, by_hand: bool = False
) -> str | None:
    """Why this rep may never take a customer of ``holder_rep_id`` here, or None if they may.

    The same test refuses a recipient chosen by hand (see ``handover_plan_apply``), where only
    risk is the chooser's call (``by_hand``): a person may knowingly pick a high-risk rep.
    """
    if candidate.rep_id == holder_rep_id:
        return pgettext("refusal, after a person", "is the rep the customer is leaving")
    if not scope.allows_rep(candidate.rep_id):
        return pgettext("refusal, after a person", "is outside your scope")
    if candidate.status == LEFT:
        return pgettext("refusal, after a person", "has left")
    if candidate.is_leaving:
        return pgettext("refusal, after a person", "is serving notice")
    if candidate.band == HIGH and not by_hand:
        return pgettext("refusal, after a person", "is high risk")
    return None


def rank_recipients(
    *,
    case: Case,
    candidates: Mapping[int, Candidate],
    manager: Manager | None,
    scope: Scope = EVERYONE,
) -> list[Choice]:
    """Everyone who may take the customer, best first (see the module's rule); empty if none."""
    ranked: list[Choice] = []
    seen: set[int] = {case.holder_rep_id}
    backups: list[tuple[tuple, Choice]] = []
    for index, rel in enumerate(case.relationships):
        if rel.rep_id is not None:
            rep = candidates.get(rel.rep_id)
            if rep is None or rel.rep_id in seen:
                continue
            seen.add(rel.rep_id)
            if refusal(rep, holder_rep_id=case.holder_rep_id, scope=scope):
                continue
            if not rep.has_room_for(case.revenue):
                continue
            data = _reason_data(BACKUP_REP, rep, case.revenue, role=rel.role_code or rel.role)
            reason = reason_text(data, role_label=lambda _code, rel=rel: rel.role)
            key = (rep.probability is None, rep.probability or 0.0, index)
            brief = _("%(role)s · %(brief)s") % {"role": rel.role, "brief": _brief(rep)}
            choice = Choice(Kind.BACKUP, reason, rep_id=rep.rep_id, brief=brief, reason_data=data)
            backups.append((key, choice))
        elif rel.manager_id is not None and scope.allows_manager(rel.manager_id):
            data = {"code": BACKUP_MANAGER, "params": {}}
            # A manager's risk is not scored: after every backup rep known to be safe.
            brief = _("manager cover")
            choice = Choice(
                Kind.BACKUP,
                reason_text(data),
                manager_id=rel.manager_id,
                brief=brief,
                reason_data=data,
            )
            backups.append(((True, 1.0, index), choice))
    ranked += [choice for _key, choice in sorted(backups, key=lambda pair: pair[0])]

    mates = [
        rep
        for rep in candidates.values()
        if rep.rep_id not in seen
        and rep.team_id == case.team_id
        and rep.region == case.region
        and rep.band == LOW
        and refusal(rep, holder_rep_id=case.holder_rep_id, scope=scope) is None
        and rep.has_room_for(case.revenue)
    ]
    mates.sort(key=lambda rep: (rep.ramping, rep.accounts, _probability(rep), rep.rep_id))
    for rep in mates:
        data = _reason_data(TEAM_REP, rep, case.revenue)
        brief = _brief(rep)
        ranked.append(
            Choice(
                Kind.TEAM_REP, reason_text(data), rep_id=rep.rep_id, brief=brief, reason_data=data
            )
        )

    if manager is not None and scope.allows_manager(manager.user_id):
        already = {c.manager_id for c in ranked if c.manager_id is not None}
        if manager.user_id not in already:
            data = {"code": MANAGER_COVERS, "params": {}}
            brief = _("the team's manager, as temporary cover")
            ranked.append(
                Choice(
                    Kind.MANAGER,
                    reason_text(data),
                    manager_id=manager.user_id,
                    brief=brief,
                    reason_data=data,
                )
            )
    return ranked


def nobody() -> Choice:
    """The choice when nobody may take the customer, worded in the active language."""
    data = {"code": NO_ONE, "params": {}}
    return Choice(Kind.NONE, reason_text(data), reason_data=data)


def rank_batch(
    *,
    cases: Sequence[Case],
    candidates: Mapping[int, Candidate],
    managers: Mapping[int, Manager],
    scope: Scope = EVERYONE,
) -> dict[int, list[Choice]]:
    """Everyone who may take each customer, best first, in the order given (most important
    first, so they get first pick of the room there is). Each customer's first choice takes
    the customer's load before the next customer is ranked, so the first choices of a batch
    spread evenly and never take anyone past a limit. ``managers`` maps team id to the team's
    manager. Mutates the candidates' loads."""
    ranked_all: dict[int, list[Choice]] = {}
    for case in cases:
        ranked = rank_recipients(
            case=case, candidates=candidates, manager=managers.get(case.team_id), scope=scope
        )
        if ranked and ranked[0].rep_id is not None:
            candidates[ranked[0].rep_id].take(case.revenue)
        ranked_all[case.customer_id] = ranked
    return ranked_all


def choose_recipients(
    *,
    cases: Sequence[Case],
    candidates: Mapping[int, Candidate],
    managers: Mapping[int, Manager],
    scope: Scope = EVERYONE,
) -> dict[int, Choice]:
    """The best choice for each customer (:func:`rank_batch`'s first), or :func:`nobody`."""
    ranked = rank_batch(cases=cases, candidates=candidates, managers=managers, scope=scope)
    return {customer_id: (found[0] if found else nobody()) for customer_id, found in ranked.items()}


def _probability(rep: Candidate) -> float:
    return 1.0 if rep.probability is None else rep.probability


def _risk_text(rep: Candidate) -> str:
    """The rep's risk in a few words: "low risk (6%)"."""
    return _risk_words(rep.band, rep.probability)


def _risk_words(band_code: str | None, probability: float | None) -> str:
    band = BAND_NAMES.get(band_code or "", band_code)
    if probability is None:
        if band_code is None:
            return _("no current risk score")
        return _("%(band)s risk") % {"band": band}
    percent = format_chance(probability)
    if band_code is None:
        return _("scored risk (%(probability)s)") % {"probability": percent}
    return _("%(band)s risk (%(probability)s)") % {"band": band, "probability": percent}


def _load_words(*, accounts: int, limit: int, revenue: Decimal) -> str:
    """The rep's load with this customer: "4 accounts, revenue CN¥48,667,000 after this", the
    amount in the organisation's currency and the reader's number format."""
    values = {"accounts": accounts, "limit": limit, "revenue": format_money(revenue)}
    if limit:
        return _("%(accounts)s/%(limit)s accounts, revenue %(revenue)s after this") % values
    return (
        ngettext(
            "%(accounts)s account, revenue %(revenue)s after this",
            "%(accounts)s accounts, revenue %(revenue)s after this",
            accounts,
        )
        % values
    )


# The reasons a choice can give, as stored in ``Choice.reason_data["code"]``.
BACKUP_REP = "backup_rep"
BACKUP_MANAGER = "backup_manager"
TEAM_REP = "team_rep"
MANAGER_COVERS = "manager_covers"
NO_ONE = "no_one"


def _reason_data(code: str, rep: Candidate, revenue: Decimal, **extra: str) -> dict:
    """A rep's reason as plain values (JSON): risk, and load with this customer."""
    return {
        "code": code,
        "params": {
            **extra,
            "band": rep.band,
            "probability": rep.probability,
            "accounts": rep.accounts + 1,
            "limit": rep.max_accounts,
            "revenue": str(rep.revenue + revenue),
        },
    }


def reason_text(data: Mapping, *, role_label: Callable[[str], str] = str) -> str:
    """A choice's reason worded in the active language from its ``reason_data``; the one
    place this wording lives. ``role_label`` names a stored role code (the caller knows the
    assignment roles' names; the policy does not)."""
    code = data.get("code")
    params = data.get("params") or {}
    if code in (BACKUP_REP, TEAM_REP):
        risk = _risk_words(params.get("band"), params.get("probability"))
        load = _load_words(
            accounts=int(params.get("accounts") or 0),
            limit=int(params.get("limit") or 0),
            revenue=Decimal(params.get("revenue") or 0),
        )
        if code == BACKUP_REP:
            return _("Already holds this customer as %(role)s, %(risk)s; %(load)s.") % {
                "role": role_label(params.get("role", "")),
                "risk": risk,
                "load": load,
            }
        return _("Low-risk rep of the same team and region, %(risk)s, with room; %(load)s.") % {
            "risk": risk,
            "load": load,
        }
    if code == BACKUP_MANAGER:
        return _("Already covers this customer as manager.")
    if code == MANAGER_COVERS:
        return _("No backup or low-risk team-mate with room: the team's manager covers.")
    if code == NO_ONE:
        return _("No one available: no backup, no low-risk team-mate with room and no manager.")
    raise ValueError(f"unknown reason code {code!r}")


def _brief(rep: Candidate) -> str:
    """ "low risk (6%) · → 8/60 accounts"; "… · new hire · …" for a rep still ramping up, who
    is offered after the ramped team-mates however light their load (see the rule above)."""
    values = {"risk": _risk_text(rep), "accounts": rep.accounts + 1, "limit": rep.max_accounts}
    n = values["accounts"]
    if rep.ramping:
        if rep.max_accounts:
            return _("%(risk)s · new hire · → %(accounts)s/%(limit)s accounts") % values
        return (
            ngettext(
                "%(risk)s · new hire · → %(accounts)s account",
                "%(risk)s · new hire · → %(accounts)s accounts",
                n,
            )
            % values
        )
    if rep.max_accounts:
        return _("%(risk)s · → %(accounts)s/%(limit)s accounts") % values
    return (
        ngettext("%(risk)s · → %(accounts)s account", "%(risk)s · → %(accounts)s accounts", n)
        % values
    )

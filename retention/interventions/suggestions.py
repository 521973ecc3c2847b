"""Which interventions fit a rep, from that rep's own drivers: a pure function, no database.

A manager who sees risk early can talk with the rep and try job rotation, job enrichment, a
move of location or more control over working hours, and route key customers' calls to reps
not at risk. Which of these fits depends on *why* this rep scores as they do, so the mapping
reads the drivers scoring stored (``RiskScore.drivers``: warning sign, feature, message id and
the numbers behind it) and what the rep holds:

================================================  ==================================================
driver (warning sign / feature)                   suggestion
================================================  ==================================================
any, in the medium or high band                   a stay conversation (first: a talk comes before
                                                  any change of role)
leave: days off, ad hoc leave, single days next   more control over working hours
to a weekend, longer episodes, sick days
output: weekly activity swinging or falling,      job enrichment (more varied or responsible work)
new pipeline falling
output: swinging activity                         and job rotation as the alternative
output: quota attainment below target             coaching
output: to-dos past their due date                a lighter key-account load
visits: customer-visit time flat or falling       job rotation, then job enrichment
service: score falling, escalations, slower       coaching, and a lighter key-account load when
resolution                                        the rep holds two key accounts or more
context: colleagues in the team leaving           a move of location (another team or office)
context: a new team or manager, short tenure      a stay conversation
high band and key accounts held                   key customers' calls routed to a colleague not at
                                                  risk (and backups added where the rep is the only
                                                  relationship)
================================================  ==================================================

Each suggestion carries its reasons in the rep's own numbers: the sentence of each driver that
led to it (``retention.risk.drivers``), strongest first, and for key accounts the count and
revenue. Suggestions come in the order of the strongest driver behind them (the conversation
first). A rep at low risk, serving notice, or unscored gets none: for a leaver what matters is
the handover. A kind logged in the last ``RECENT_DAYS`` days carries the day it was logged.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from config.chance import format_chance
from config.money import format_money
from retention.models.interventions import Intervention
from retention.ownership.selectors import KeyAccounts
from retention.risk.drivers import driver_text
from retention.scoring.signals import SIGN_OF

Kind = Intervention.Kind
RECENT_DAYS = 90
# A lighter key-account load needs accounts to lighten.
LIGHTER_LOAD_MIN_KEY_ACCOUNTS = 2

# Feature -> kinds, in order of fit. A feature not named here falls back to its sign's kinds.
FEATURE_KINDS: dict[str, tuple[str, ...]] = {
    "activity_variation": (Kind.JOB_ENRICHMENT, Kind.JOB_ROTATION),
    "activity_volatility": (Kind.JOB_ENRICHMENT, Kind.JOB_ROTATION),
    "activity_change": (Kind.JOB_ENRICHMENT,),
    "activity_change_6w": (Kind.JOB_ENRICHMENT,),
    "activity_vs_peers": (Kind.JOB_ENRICHMENT,),
    "pipeline_change": (Kind.JOB_ENRICHMENT,),
    "quota_attainment": (Kind.COACHING,),
    "overdue_todos": (Kind.LIGHTER_LOAD,),
    "team_departures_90d": (Kind.CHANGE_OF_LOCATION,),
    "team_change_recent": (Kind.STAY_CONVERSATION,),
    "manager_change_recent": (Kind.STAY_CONVERSATION,),
    "tenure_years": (Kind.STAY_CONVERSATION,),
}
SIGN_KINDS: dict[str, tuple[str, ...]] = {
    "output": (Kind.JOB_ENRICHMENT,),
    "leave": (Kind.WORKING_HOURS,),
    "service": (Kind.COACHING, Kind.LIGHTER_LOAD),
    "visits": (Kind.JOB_ROTATION, Kind.JOB_ENRICHMENT),
    "context": (Kind.STAY_CONVERSATION,),
}
# What each intervention is for, in a line.
PURPOSE = {
    Kind.STAY_CONVERSATION: gettext_lazy(
        "Talk with the rep about what would make them stay, before changing anything."
    ),
    Kind.WORKING_HOURS: gettext_lazy(
        "More say over when and where they work: a leave pattern like this often means strain "
        "outside work or a wish for flexibility."
    ),
    Kind.JOB_ENRICHMENT: gettext_lazy(
        "More varied or responsible work (a bigger account, a project, mentoring a new hire)."
    ),
    Kind.JOB_ROTATION: gettext_lazy(
        "A different territory, segment or product for a while, where the work has gone flat."
    ),
    Kind.CHANGE_OF_LOCATION: gettext_lazy(
        "A move to another team or office, where the team itself is losing people."
    ),
    Kind.COACHING: gettext_lazy("Coaching on the accounts and cases where things slip."),
    Kind.LIGHTER_LOAD: gettext_lazy(
        "Move a few key accounts to a colleague for a while, so the rest get the time they need."
    ),
    Kind.CALL_ROUTING: gettext_lazy(
        "Route key customers' calls to a colleague not at risk, and add a backup where this rep "
        "is the only relationship."
    ),
}


@dataclass(frozen=True)
class Reason:
    sign: str  # the warning sign (output, leave, service, visits, context) or "key_accounts"
    feature: str
    text: str  # in the rep's own numbers
    numbers: Mapping[str, object] = field(default_factory=dict)
    # What ``text`` is made of (JSON), worded again by :func:`reason_words`.
    data: Mapping[str, object] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Suggestion:
    kind: str
    label: str
    purpose: str
    reasons: tuple[Reason, ...]
    # Pages that carry it out besides logging it: "routing", "single_threaded".
    actions: tuple[str, ...] = ()
    logged_on: dt.date | None = None

    @property
    def note(self) -> str:
        """The note a one-click log records: why it was suggested, in the rep's numbers."""
        return suggestion_note_text(self.note_data)

    @property
    def note_data_json(self) -> str:
        """``note_data`` for a form's hidden field."""
        return json.dumps(self.note_data)

    @property
    def note_data(self) -> dict:
        """What that note is made of, stored with the logged intervention so it reads in each
        reader's language (:func:`suggestion_note_text`)."""
        return {"code": SUGGESTED, "params": {"reasons": [dict(r.data) for r in self.reasons]}}


SUGGESTED = "suggested"


def suggestion_note_text(data: Mapping) -> str:
    """A logged suggestion's note in the active language, from its data."""
    reasons = data["params"]["reasons"]
    # Translators: between the reasons of a suggestion.
    because = pgettext("list separator", "; ").join(reason_words(r) for r in reasons)
    return _("Suggested by Relay because of: %(reasons)s.") % {"reasons": because}


def reason_words(data: Mapping) -> str:
    """One reason of a suggestion in the active language, from its data."""
    of = data["of"]
    if of == "risk":
        return _("a %(p)s chance of leaving within 90 days") % {
            "p": format_chance(data.get("probability") or 0)
        }
    if of == "driver":
        driver = data["driver"]
        # A logged note's data comes back from a client: a driver scoring never stored is
        # unreadable here (ValueError), like any other data this version cannot word.
        if not isinstance(driver, Mapping) or not isinstance(driver.get("numbers") or {}, Mapping):
            raise ValueError(f"a driver is an object with its numbers in an object: {driver!r}")
        return driver_text(driver)
    if of == "key_accounts":
        return _key_account_text(
            KeyAccounts(
                held=int(data["held"]),
                alone=int(data["alone"]),
                revenue=Decimal(data["revenue"]),
                alone_revenue=Decimal(data["alone_revenue"]),
            )
        )
    raise ValueError(f"unknown reason {of!r}")


def _money(value: Decimal) -> str:
    return format_money(value)


def _key_account_reason(accounts: KeyAccounts) -> Reason:
    data = {
        "of": "key_accounts",
        "held": accounts.held,
        "alone": accounts.alone,
        "revenue": str(accounts.revenue),
        "alone_revenue": str(accounts.alone_revenue),
    }
    return Reason(
        sign="key_accounts",
        feature="key_accounts",
        text=reason_words(data),
        numbers={"held": accounts.held, "alone": accounts.alone},
        data=data,
    )


def _key_account_text(accounts: KeyAccounts) -> str:
    values = {
        "held": accounts.held,
        "revenue": _money(accounts.revenue),
        "alone": accounts.alone,
        "alone_revenue": _money(accounts.alone_revenue) if accounts.alone else "",
    }
    if accounts.alone:
        text = (
            ngettext(
                "holds %(held)s key account worth %(revenue)s a year, %(alone)s of them "
                "(%(alone_revenue)s) with no other relationship",
                "holds %(held)s key accounts worth %(revenue)s a year, %(alone)s of them "
                "(%(alone_revenue)s) with no other relationship",
                accounts.held,
            )
            % values
        )
    else:
        text = (
            ngettext(
                "holds %(held)s key account worth %(revenue)s a year",
                "holds %(held)s key accounts worth %(revenue)s a year",
                accounts.held,
            )
            % values
        )
    return text


NO_KEY_ACCOUNTS = KeyAccounts()


def intervention_suggestions(
    *,
    band: str | None,
    probability: float | None,
    drivers: Iterable[Mapping],
    key_accounts: KeyAccounts = NO_KEY_ACCOUNTS,
    leaving: bool = False,
    logged: Mapping[str, dt.date] | None = None,
    today: dt.date | None = None,
) -> list[Suggestion]:
    """The interventions that fit this rep's drivers (see the module's table), strongest first.

    ``band``/``probability``: the rep's current score; ``drivers``: as scoring stored them;
    ``logged``: the last day each kind was logged for this rep, so a kind logged in the last
    ``RECENT_DAYS`` days says so (``logged_on``); ``today`` defaults to no such check."""
    if leaving or band not in ("medium", "high"):
        return []
    drivers = sorted(drivers, key=lambda d: -float(d.get("weight") or 0))
    reasons: dict[str, list[Reason]] = {}

    def add(kind: str, reason: Reason) -> None:
        reasons.setdefault(kind, [])
        if reason not in reasons[kind]:
            reasons[kind].append(reason)

    add(
        Kind.STAY_CONVERSATION,
        Reason(
            sign="risk",
            feature="probability",
            text=reason_words({"of": "risk", "probability": probability}),
            numbers={"probability": probability},
            data={"of": "risk", "probability": probability},
        ),
    )
    for position, driver in enumerate(drivers):
        feature = str(driver.get("feature") or "")
        # Drivers stored before scoring named their sign carry only the feature.
        sign = str(driver.get("sign") or SIGN_OF.get(feature, ""))
        data = {"of": "driver", "driver": dict(driver)}
        reason = Reason(
            sign=sign,
            feature=feature,
            text=reason_words(data),
            numbers=dict(driver.get("numbers") or {}),
            data=data,
        )
        if position == 0:
            # The conversation opens with the strongest reason, not only the number.
            add(Kind.STAY_CONVERSATION, reason)
        for kind in FEATURE_KINDS.get(feature) or SIGN_KINDS.get(sign, ()):
            if kind == Kind.LIGHTER_LOAD:
                if key_accounts.held < LIGHTER_LOAD_MIN_KEY_ACCOUNTS:
                    continue
                add(kind, reason)
                add(kind, _key_account_reason(key_accounts))
                continue
            add(kind, reason)
    if band == "high" and key_accounts.held:
        add(Kind.CALL_ROUTING, _key_account_reason(key_accounts))
    logged = logged or {}
    suggestions = []
    for kind, items in reasons.items():
        last = logged.get(kind)
        recent = last if last and today and (today - last).days <= RECENT_DAYS else None
        actions: tuple[str, ...] = ()
        if kind == Kind.CALL_ROUTING:
            actions = ("routing", "single_threaded") if key_accounts.alone else ("routing",)
        suggestions.append(
            Suggestion(
                kind=kind,
                label=str(Kind(kind).label),
                purpose=str(PURPOSE[kind]),
                reasons=tuple(items),
                actions=actions,
                logged_on=recent,
            )
        )
    return suggestions

"""Writes for the dashboard: interventions, alert acknowledgement, and the cache of
organisation-wide aggregates. (The audit of risk reads is written by the reads themselves:
``retention.selectors.risk_reads_record``.)"""

import datetime as dt

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.access import users_visible_to
from accounts.models import User
from config.errors import ApplicationError
from config.limits import date_check
from retention.dashboard import selectors
from retention.interventions.suggestions import suggestion_note_text
from retention.models import Intervention, RiskAlert, SalesRep
from retention.selectors import scoring_run_latest_complete


def intervention_create(
    *,
    rep: SalesRep,
    kind: str,
    created_by: User,
    note: str = "",
    note_data: dict | None = None,
    owner: User | None = None,
    follow_up_on: dt.date | None = None,
) -> Intervention:
    """Record something done to keep a rep. The owner defaults to whoever records it and must
    be someone the recorder may name (``accounts.access.users_visible_to``).

    ``note_data``: what a note Relay composed is made of (a suggestion's, logged as offered);
    kept only while it still words exactly ``note`` in the active language, so an edited
    note is the person's and stays as typed."""
    if kind not in Intervention.Kind.values:
        raise kind_refused()
    if owner is not None and not users_visible_to(user=created_by).filter(pk=owner.pk).exists():
        raise owner_refused(owner.pk)
    _check_follow_up(follow_up_on)
    note = note.strip()
    if note_data and not _words(note_data, note):
        note_data = None
    return Intervention.objects.create(
        rep=rep,
        kind=kind,
        note=note,
        note_data=note_data or {},
        owner=owner or created_by,
        follow_up_on=follow_up_on,
        created_by=created_by,
    )


def kind_refused() -> ApplicationError:
    """The refusal of a kind of intervention that is none of them (the page's form says it too)."""
    return ApplicationError(
        _("The kind of intervention must be one of: %(kinds)s.")
        % {"kinds": ", ".join(str(label) for label in Intervention.Kind.labels)},
        field="kind",
    )


def outcome_refused() -> ApplicationError:
    """The refusal of an outcome that is none of them (the page's form says it too)."""
    return ApplicationError(
        _("The outcome must be one of: %(outcomes)s.")
        % {"outcomes": ", ".join(str(label) for label in Intervention.Outcome.labels)},
        field="outcome",
    )


def _words(note_data: dict, note: str) -> bool:
    """Whether ``note_data`` words ``note`` in the active language."""
    try:
        return suggestion_note_text(note_data) == note
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return False


def _check_follow_up(follow_up_on: dt.date | None) -> None:
    """A follow-up date being set must not have passed, nor be after the calendar Relay takes
    (``config.limits``): one already stored that has passed is an overdue follow-up, kept as
    it is, so the intervention can still be completed."""
    today = timezone.localdate()
    if follow_up_on is not None and follow_up_on < today:
        raise ApplicationError(
            _("The follow-up date must be today (%(today)s) or later, not %(date)s.")
            % {"today": today.isoformat(), "date": follow_up_on.isoformat()},
            field="follow_up_on",
        )
    date_check(follow_up_on, field="follow_up_on", label=_("follow-up date"))


def owner_refused(user_id: object) -> ApplicationError:
    """The one refusal of an owner, whether the user does not exist or is out of reach, so the
    answer tells nothing about people the recorder may not see."""
    return ApplicationError(
        _("User %(id)s is not someone you may name as owner.") % {"id": user_id},
        field="owner",
    )


def intervention_record_outcome(
    *, intervention: Intervention, outcome: str, follow_up_on: dt.date | None = None
) -> Intervention:
    """Say how an intervention ended; "too early to tell" may move the follow-up date.

    Recording the same outcome again changes nothing. A new follow-up date must not have
    passed; the stored one may have (an overdue follow-up is completed like any other), and
    sending it back unchanged is no change.
    """
    if outcome not in Intervention.Outcome.values:
        raise outcome_refused()
    if follow_up_on != intervention.follow_up_on:
        _check_follow_up(follow_up_on)
    changed = []
    if intervention.outcome != outcome:
        intervention.outcome = outcome
        intervention.outcome_recorded_at = timezone.now()
        changed += ["outcome", "outcome_recorded_at"]
    if follow_up_on is not None and follow_up_on != intervention.follow_up_on:
        intervention.follow_up_on = follow_up_on
        changed.append("follow_up_on")
    if changed:
        intervention.save(update_fields=[*changed, "updated_at"])
    return intervention


def risk_alert_acknowledge(*, alert: RiskAlert, user: User) -> RiskAlert:
    """Mark an alert as seen. Acknowledging twice keeps the first who and when.

    A compare-and-set on ``acknowledged_at`` so two managers clicking at once record one.
    """
    now = timezone.now()
    claimed = (
        RiskAlert.objects.open()
        .filter(pk=alert.pk)
        .update(acknowledged_at=now, acknowledged_by=user)
    )
    if claimed:
        alert.acknowledged_at, alert.acknowledged_by = now, user
    else:
        alert.refresh_from_db(fields=["acknowledged_at", "acknowledged_by"])
    return alert


def dashboard_cache_warm(*, run_id: int) -> bool:
    """Compute the organisation-wide aggregates of a newly published run (band history, the
    team heat map's figure JSON in each language, band counts) into the cache, so the first
    admin or HR user to open the dashboard after the nightly run does not wait for them.
    Managers' scopes are small and not warmed.

    Does nothing unless ``run_id`` is the latest complete run. Needs a cache shared by the
    workers and the web servers (Redis, as when REDIS_URL is set) to be of use.
    """
    latest = scoring_run_latest_complete()
    if latest is None or latest.pk != run_id:
        return False
    everyone = User(role=User.Role.ADMIN)  # any user who sees the whole organisation
    selectors.band_history(user=everyone, latest=latest)
    for language, _name in settings.LANGUAGES:  # the figure's JSON, in each language
        with translation.override(language):
            selectors.team_heatmap_json(latest)
    selectors.dashboard_summary(user=everyone, run=latest, today=timezone.localdate())
    return True

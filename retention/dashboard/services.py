"""Writes for the dashboard: interventions, the risk-page audit log and alert acknowledgement."""

import datetime as dt

from django.utils import timezone

from accounts.models import User
from retention.models import Intervention, RiskAlert, RiskPageView, SalesRep


def intervention_create(
    *,
    rep: SalesRep,
    kind: str,
    created_by: User,
    note: str = "",
    owner: User | None = None,
    follow_up_on: dt.date | None = None,
) -> Intervention:
    """Record something done to keep a rep. The owner defaults to whoever records it."""
    if kind not in Intervention.Kind.values:
        raise ValueError(f"kind {kind!r} is not one of {', '.join(Intervention.Kind.values)}")
    return Intervention.objects.create(
        rep=rep,
        kind=kind,
        note=note.strip(),
        owner=owner or created_by,
        follow_up_on=follow_up_on,
        created_by=created_by,
    )


def intervention_record_outcome(
    *, intervention: Intervention, outcome: str, follow_up_on: dt.date | None = None
) -> Intervention:
    """Say how an intervention ended; "too early to tell" may move the follow-up date.

    Recording the same outcome again changes nothing.
    """
    if outcome not in Intervention.Outcome.values:
        raise ValueError(
            f"outcome {outcome!r} is not one of {', '.join(Intervention.Outcome.values)}"
        )
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


def risk_page_view_record(*, viewer: User, rep: SalesRep) -> RiskPageView:
    """Write down that ``viewer`` opened ``rep``'s risk page (the audit log admins read)."""
    return RiskPageView.objects.create(viewer=viewer, rep=rep)


def risk_alert_acknowledge(*, alert: RiskAlert, user: User) -> RiskAlert:
    """Mark an alert as seen. Acknowledging twice keeps the first who and when.

    A compare-and-set on ``acknowledged_at`` so two managers clicking at once record one.
    """
    now = timezone.now()
    claimed = RiskAlert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=user
    )
    if claimed:
        alert.acknowledged_at, alert.acknowledged_by = now, user
    else:
        alert.refresh_from_db(fields=["acknowledged_at", "acknowledged_by"])
    return alert

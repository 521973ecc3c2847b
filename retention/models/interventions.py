from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import TimeStampedModel
from retention.models.core import SalesRep


class Intervention(TimeStampedModel):
    """Something a manager did to keep a rep, with a follow-up date and, later, how it ended."""

    class Kind(models.TextChoices):
        STAY_CONVERSATION = "stay_conversation", _("Stay conversation")
        JOB_ROTATION = "job_rotation", _("Job rotation")
        JOB_ENRICHMENT = "job_enrichment", _("Job enrichment")
        CHANGE_OF_LOCATION = "change_of_location", _("Change of location")
        WORKING_HOURS = "working_hours", _("More control over working hours")
        COACHING = "coaching", _("Coaching")
        LIGHTER_LOAD = "lighter_load", _("Lighter key-account load")
        CALL_ROUTING = "call_routing", _("Key customers' calls routed to a colleague")
        OTHER = "other", _("Other")

    class Outcome(models.TextChoices):
        STAYED = "stayed", _("Stayed")
        LEFT = "left", _("Left")
        TOO_EARLY = "too_early", _("Too early to tell")

    rep = models.ForeignKey(
        SalesRep, verbose_name=_("rep"), on_delete=models.CASCADE, related_name="interventions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    note = models.TextField(_("note"), blank=True)
    # A note Relay composed (a suggestion logged as it was offered), as data, so it reads in
    # each reader's language (``note_text``); empty for a note a person wrote.
    note_data = models.JSONField(_("note (data)"), default=dict, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_interventions",
    )
    follow_up_on = models.DateField(_("follow-up date"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    outcome_recorded_at = models.DateTimeField(_("outcome recorded"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "stay_conversation",
                        "job_rotation",
                        "job_enrichment",
                        "change_of_location",
                        "working_hours",
                        "coaching",
                        "lighter_load",
                        "call_routing",
                        "other",
                    ]
                ),
                name="retention_intervention_kind_known",
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=["", "stayed", "left", "too_early"]),
                name="retention_intervention_outcome_known",
            ),
        ]
        indexes = [
            # The rep page's intervention log and the dashboard's "last intervention" per rep.
            models.Index(fields=["rep", "-created_at"], name="retention_interv_rep_created"),
            # Overdue follow-ups: open interventions whose follow-up date has passed.
            models.Index(
                fields=["follow_up_on"],
                condition=Q(outcome__in=["", "too_early"], follow_up_on__isnull=False),
                name="retention_interv_follow_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.rep_id} · {self.created_at:%Y-%m-%d}"

    @property
    def note_text(self) -> str:
        """The note in the active language where Relay composed it; as typed otherwise."""
        if not self.note_data:
            return self.note
        from retention.interventions.suggestions import suggestion_note_text

        try:
            return suggestion_note_text(self.note_data)
        except (KeyError, TypeError, ValueError, ArithmeticError):
            return self.note  # data this version cannot read: the text as logged

    @property
    def is_open(self) -> bool:
        return self.outcome in ("", self.Outcome.TOO_EARLY)


class RiskPageView(models.Model):
    """Audit log: a rep's risk page is sensitive, so every view of it is written down."""

    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("viewed by"),
        on_delete=models.PROTECT,
        related_name="risk_page_views",
    )
    rep = models.ForeignKey(
        SalesRep, verbose_name=_("rep"), on_delete=models.PROTECT, related_name="risk_page_views"
    )
    viewed_at = models.DateTimeField(_("viewed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("risk page view")
        verbose_name_plural = _("risk page views")
        indexes = [
            # Admin audit: who looked at this rep's risk page, newest first.
            models.Index(fields=["rep", "-viewed_at"], name="retention_riskview_rep"),
            # Admin audit: whose pages did this user look at.
            models.Index(fields=["viewer", "-viewed_at"], name="retention_riskview_viewer"),
        ]

    def __str__(self) -> str:
        return f"{self.viewer_id} → {self.rep_id} {self.viewed_at:%Y-%m-%d %H:%M}"

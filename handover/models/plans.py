"""Handover plans, their per-customer items and notes, capacity overrides and coverage gaps."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Team, TimeStampedModel
from retention.models import Assignment, Customer, SalesRep


class TeamCapacity(TimeStampedModel):
    """A team's own limit on how much one rep may hold, overriding the settings' defaults.

    A blank limit falls back to ``RELAY_HANDOVER_MAX_ACCOUNTS`` / ``RELAY_HANDOVER_MAX_REVENUE``;
    zero means "no limit".
    """

    team = models.OneToOneField(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="handover_capacity"
    )
    max_accounts = models.PositiveIntegerField(_("most accounts per rep"), null=True, blank=True)
    max_revenue = models.DecimalField(
        _("most annual revenue per rep"), max_digits=16, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("team capacity")
        verbose_name_plural = _("team capacities")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_revenue__isnull=True) | Q(max_revenue__gte=0),
                name="handover_capacity_revenue_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.max_accounts} / {self.max_revenue}"


class HandoverPlan(TimeStampedModel):
    """Who takes over a rep's customers: drafted, applied in one transaction, maybe reversed."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPLIED = "applied", _("Applied")
        REVERSED = "reversed", _("Reversed")

    class Origin(models.TextChoices):
        MANUAL = "manual", _("Started by hand")
        DEPARTURE = "departure", _("Departure recorded")
        SUCCESSOR = "successor", _("Successor hired")

    rep = models.ForeignKey(
        SalesRep, verbose_name=_("rep"), on_delete=models.PROTECT, related_name="handover_plans"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    origin = models.CharField(
        _("origin"), max_length=10, choices=Origin.choices, default=Origin.MANUAL
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)
    effective_date = models.DateField(_("effective from"), null=True, blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reversed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reversed_at = models.DateTimeField(_("reversed"), null=True, blank=True)
    reversal_reason = models.TextField(_("why it was reversed"), blank=True)
    notes_waived = models.JSONField(
        _("applied without notes"),
        default=list,
        blank=True,
        help_text=_("Key accounts whose missing note the approver confirmed was not needed."),
    )

    class Meta:
        verbose_name = _("handover plan")
        verbose_name_plural = _("handover plans")
        constraints = [
            # A second "Start handover" click, or a departure re-announced, finds the same draft.
            models.UniqueConstraint(
                fields=["rep"], condition=Q(status="draft"), name="handover_one_draft_per_rep"
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | Q(applied_at__isnull=False, approved_at__isnull=False),
                name="handover_plan_applied_has_approval",
            ),
            models.CheckConstraint(
                condition=~Q(status="reversed") | Q(reversed_at__isnull=False),
                name="handover_plan_reversed_has_time",
            ),
        ]
        indexes = [
            # Plans list: newest first, by status.
            models.Index(fields=["status", "-created_at"], name="handover_plan_status_created"),
        ]

    def __str__(self) -> str:
        return f"{self.rep} ({self.get_status_display()}, {self.created_at:%Y-%m-%d})"


class HandoverItem(models.Model):
    """One customer of the plan: who should take it and how. What the departing rep knew is the
    customer's own knowledge (``retention.CustomerKnowledge``), which the item reads and writes
    and which outlives the plan."""

    class Mode(models.TextChoices):
        PERMANENT = "permanent", _("Permanent transfer")
        TEMPORARY = "temporary", _("Temporary cover")

    class SuggestionKind(models.TextChoices):
        BACKUP = "backup", _("Existing backup")
        TEAM_REP = "team_rep", _("Same team and region")
        MANAGER = "manager", _("Manager as temporary cover")
        NONE = "none", _("Nobody found")

    plan = models.ForeignKey(
        HandoverPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="items"
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    source_assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("assignment handed over"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    held_role = models.CharField(_("role held"), max_length=20, choices=Assignment.Role.choices)
    rank = models.PositiveIntegerField(_("rank"))
    importance = models.FloatField(_("importance"), default=0)
    importance_reason = models.CharField(_("why it ranks here"), max_length=300, blank=True)
    # What that reason is made of, worded again in each reader's language
    # (handover.plans.reasons); empty on items drafted before it was kept: their text stands.
    importance_reason_data = models.JSONField(
        _("why it ranks here (data)"), default=dict, blank=True
    )

    suggestion_kind = models.CharField(
        _("suggestion"), max_length=10, choices=SuggestionKind.choices
    )
    suggested_rep = models.ForeignKey(
        SalesRep,
        verbose_name=_("suggested rep"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    suggested_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("suggested manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    suggestion_reason = models.CharField(_("why"), max_length=300, blank=True)
    suggestion_reason_data = models.JSONField(_("why (data)"), default=dict, blank=True)

    chosen_rep = models.ForeignKey(
        SalesRep,
        verbose_name=_("recipient (rep)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    chosen_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient (manager)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.PERMANENT)
    cover_until = models.DateField(_("cover until"), null=True, blank=True)
    move_open_deals = models.BooleanField(_("move open deals"), default=True)
    move_open_activities = models.BooleanField(_("move open activities"), default=True)

    # Filled in when the plan is applied, read when it is reversed.
    opened_assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_recipient_assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moved_deal_ids = models.JSONField(_("deals moved"), default=list, blank=True)
    moved_activity_ids = models.JSONField(_("activities moved"), default=list, blank=True)

    class Meta:
        verbose_name = _("handover item")
        verbose_name_plural = _("handover items")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "customer"], name="handover_item_once_per_plan"
            ),
            models.CheckConstraint(
                condition=Q(chosen_rep__isnull=True) | Q(chosen_manager__isnull=True),
                name="handover_item_one_recipient",
            ),
            models.CheckConstraint(
                condition=Q(mode="permanent") | Q(cover_until__isnull=False),
                name="handover_item_temporary_has_end",
            ),
            models.CheckConstraint(
                condition=Q(chosen_manager__isnull=True) | Q(mode="temporary"),
                name="handover_item_manager_is_temporary",
            ),
        ]
        indexes = [
            # The plan page lists items by rank.
            models.Index(fields=["plan", "rank"], name="handover_item_plan_rank"),
            # Coverage: the planned end of a temporary cover, looked up by its assignment.
            models.Index(fields=["opened_assignment"], name="handover_item_opened"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} #{self.rank} {self.customer_id}"

    @property
    def recipient(self):
        return self.chosen_rep or self.chosen_manager

    @property
    def importance_reason_text(self) -> str:
        """Why the customer ranks here, in the active language."""
        from handover.plans.reasons import item_importance_reason

        return item_importance_reason(self)

    @property
    def suggestion_reason_text(self) -> str:
        """Why this recipient was suggested, in the active language."""
        from handover.plans.reasons import item_suggestion_reason

        return item_suggestion_reason(self)


class CoverageGap(models.Model):
    """A gap in a customer's coverage, as the nightly check first saw it: the alert.

    At most one open gap per customer and kind, so a gap alerts once; when it closes and later
    reopens, that is a new row and a new alert.
    """

    class Kind(models.TextChoices):
        OWNER_LEAVING = "owner_leaving", _("Key account whose owner has left or is leaving")
        UNCOVERED = "uncovered", _("Key account nobody holds")
        LEAVING_ONLY = "leaving_only", _("Covered only by reps who have left or are leaving")
        HIGH_RISK_ONLY = "high_risk_only", _("Covered only by a high-risk rep")
        COVER_EXPIRED = "cover_expired", _("Temporary cover past its end date")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("coverage gap status", "Open")
        RESOLVED = "resolved", _("Resolved")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    first_seen = models.DateField(_("first seen"))
    last_seen = models.DateField(_("last seen"))
    resolved_on = models.DateField(_("resolved"), null=True, blank=True)
    notified_at = models.DateTimeField(_("alert sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("coverage gap")
        verbose_name_plural = _("coverage gaps")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "kind"],
                condition=Q(status="open"),
                name="handover_gap_open_once",
            ),
        ]
        indexes = [
            # Nightly sync and the alerts list: open gaps, newest first.
            models.Index(fields=["status", "-first_seen"], name="handover_gap_status_seen"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.kind} {self.status}"

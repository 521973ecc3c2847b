import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Team, TimeStampedModel
from accounts.names import person_name


class SalesRepQuerySet(models.QuerySet):
    """``departing`` and ``staying``: ``SalesRep.departing_q`` (the one rule of who is leaving)
    as a filter, and its complement."""

    def departing(self) -> "SalesRepQuerySet":
        return self.filter(SalesRep.departing_q())

    def staying(self) -> "SalesRepQuerySet":
        return self.exclude(SalesRep.departing_q())


class SalesRep(TimeStampedModel):
    """A salesperson. May or may not log in; ids link them to the CRM user and the HR record."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        NOTICE = "notice", _("Serving notice")
        LEFT = "left", _("Left")

    class DepartureReason(models.TextChoices):
        VOLUNTARY = "voluntary", _("Voluntary")
        INVOLUNTARY = "involuntary", _("Involuntary")
        TRANSFER = "transfer", _("Transfer")

    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    email = models.EmailField(_("e-mail"), blank=True)
    crm_user_id = models.CharField(_("CRM user id"), max_length=64, blank=True)
    hr_employee_id = models.CharField(_("HR employee id"), max_length=64, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sales_rep",
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="reps"
    )
    title = models.CharField(_("title"), max_length=120, blank=True)
    region = models.CharField(_("region"), max_length=120, blank=True)
    hire_date = models.DateField(_("hire date"))
    annual_quota = models.DecimalField(
        _("annual quota"), max_digits=14, decimal_places=2, default=0
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    departure_date = models.DateField(_("last day"), null=True, blank=True)
    departure_reason = models.CharField(
        _("reason for leaving"), max_length=12, choices=DepartureReason.choices, blank=True
    )

    objects = SalesRepQuerySet.as_manager()

    class Meta:
        verbose_name = _("sales rep")
        verbose_name_plural = _("sales reps")
        constraints = [
            models.UniqueConstraint(
                fields=["crm_user_id"],
                condition=~Q(crm_user_id=""),
                name="retention_rep_unique_crm_user_id",
            ),
            models.UniqueConstraint(
                fields=["hr_employee_id"],
                condition=~Q(hr_employee_id=""),
                name="retention_rep_unique_hr_employee_id",
            ),
            models.CheckConstraint(
                condition=Q(departure_date__isnull=True) | Q(departure_date__gte=F("hire_date")),
                name="retention_rep_departure_after_hire",
            ),
            models.CheckConstraint(
                condition=Q(annual_quota__gte=0), name="retention_rep_quota_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(status="left") | Q(departure_date__isnull=False),
                name="retention_rep_left_has_last_day",
            ),
        ]
        indexes = [
            # Reps list and dashboards: the reps of a set of teams, by status.
            models.Index(fields=["team", "status"], name="retention_rep_team_status"),
            # Reps list search and ordering by name.
            models.Index(fields=["last_name", "first_name"], name="retention_rep_name"),
        ]

    def __str__(self) -> str:
        return self.full_name

    # A last day further ahead than this ends no notice period: a typo (2206 for 2026), or a
    # date so far that the dates worked out from it (a vacancy's target, a cover's end) fail.
    LAST_DAY_MAX_AHEAD_DAYS = 731

    @classmethod
    def last_day_too_far(cls, day: dt.date, *, today: dt.date) -> bool:
        """Whether ``day`` is too far ahead to be anyone's last day (the one rule for the
        admin's departure form, ``rep_record_departure`` and the HR import)."""
        return (day - today).days > cls.LAST_DAY_MAX_AHEAD_DAYS

    @property
    def full_name(self) -> str:
        return person_name(self.first_name, self.last_name)

    @property
    def is_departing(self) -> bool:
        """Serving notice or gone: status "notice" or "left", or a last day recorded whatever
        the status says (one not yet changed). "left" always has a last day
        (``retention_rep_left_has_last_day``); it is named for clarity.

        The one rule of who is leaving, for everyone who may not take a customer (ownership's
        writes, handover's recipients, the recipient policy's candidates) and for coverage;
        ``departing_q`` is it in a query, and tests hold the two to agree. Not ``is_leaving``:
        that is a score's word (``RiskScore.is_leaving``: what the latest run found), and the
        dashboard's rows carry it under that name."""
        return (
            self.status in (self.Status.NOTICE, self.Status.LEFT) or self.departure_date is not None
        )

    @staticmethod
    def departing_q(prefix: str = "") -> Q:
        """``is_departing`` as a condition, on a relation with ``prefix`` (such as ``"rep__"``).
        Through a nullable relation with no row (a manager's assignment) it is NULL, not false:
        read it with the relation's presence."""
        status, no_last_day = f"{prefix}status__in", f"{prefix}departure_date__isnull"
        return Q(**{status: [SalesRep.Status.NOTICE, SalesRep.Status.LEFT]}) | Q(
            **{no_last_day: False}
        )


class Customer(TimeStampedModel):
    """A customer of the sales force. What is known about it (needs, contacts, where deals
    stand, open issues) is its ``knowledge``, versioned, so it does not leave with a rep."""

    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(
        _("source system"), max_length=20, blank=True, help_text=_("salesforce, hubspot, relay…")
    )
    external_id = models.CharField(_("external id"), max_length=64, blank=True)
    industry = models.CharField(_("industry"), max_length=120, blank=True)
    region = models.CharField(_("region"), max_length=120, blank=True)
    annual_revenue = models.DecimalField(
        _("annual revenue"), max_digits=16, decimal_places=2, default=0
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        blank=True,
        default="",
        db_default="",  # raw COPY and INSERTs (the demo seed, imports) may leave it out
        help_text=_("ISO 4217 code of the annual revenue; empty: the organisation's currency."),
    )
    is_key_account = models.BooleanField(_("key account"), default=False)
    is_deleted = models.BooleanField(
        _("deleted in the CRM"),
        default=False,
        db_default=False,
        help_text=_("The CRM's export says it was deleted; it is kept for history, not live."),
    )

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="retention_customer_unique_external_id",
            ),
            models.CheckConstraint(
                condition=Q(annual_revenue__gte=0), name="retention_customer_revenue_not_negative"
            ),
        ]
        indexes = [
            # Customers list: search and order by name.
            models.Index(fields=["name"], name="retention_customer_name"),
            # Key-account views rank by revenue.
            models.Index(
                fields=["is_key_account", "-annual_revenue"], name="retention_customer_key_rev"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Assignment(TimeStampedModel):
    """Who holds a customer, in which role, from when to when.

    Assignments are closed (``valid_to`` set), never deleted, so the history of ownership is
    complete. A manager covering a customer is a user, not necessarily a rep.
    """

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        BACKUP = "backup", _("Backup")
        TEMPORARY_COVER = "temporary_cover", _("Temporary cover")
        MANAGER_COVER = "manager_cover", _("Manager cover")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered in Relay")
        IMPORT = "import", _("Imported")
        HANDOVER = "handover", _("Handover plan")

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="assignments",
        db_index=False,  # led by a composite index below
    )
    rep = models.ForeignKey(
        SalesRep,
        verbose_name=_("rep"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
        db_index=False,  # led by a composite index below
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("covering manager"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="covering_assignments",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    valid_from = models.DateField(pgettext_lazy("start of a period", "from"))
    valid_to = models.DateField(_("until"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(role="owner", valid_to__isnull=True),
                name="retention_one_current_owner",
            ),
            models.UniqueConstraint(
                fields=["customer", "rep"],
                condition=Q(valid_to__isnull=True, rep__isnull=False),
                name="retention_rep_holds_customer_once",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="retention_assignment_dates_in_order",
            ),
            models.CheckConstraint(
                condition=(
                    Q(role="manager_cover", rep__isnull=True, manager__isnull=False)
                    | (~Q(role="manager_cover") & Q(rep__isnull=False, manager__isnull=True))
                ),
                name="retention_assignment_holder_matches_role",
            ),
        ]
        indexes = [
            # A rep's current customers (rep page, scoping of customers, handover plans).
            models.Index(fields=["rep", "valid_to"], name="retention_assign_rep_current"),
            # A customer's holders now and before (customer page, coverage).
            models.Index(fields=["customer", "valid_to"], name="retention_assign_cust_current"),
        ]

    def __str__(self) -> str:
        holder = self.rep or self.manager
        return f"{self.customer} – {holder} ({self.get_role_display()})"

    @property
    def holder_name(self) -> str:
        if self.rep_id:
            return self.rep.full_name
        return str(self.manager)


class ActivityQuerySet(models.QuerySet):
    def live(self) -> "ActivityQuerySet":
        """Activities the CRM still holds: an import marks the ones it deleted (``is_deleted``)
        and keeps them, so nothing a page counts or lists should read them."""
        return self.filter(is_deleted=False)


class Activity(models.Model):
    """One call, visit, meeting, e-mail or task. The largest table: millions of rows."""

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        VISIT = "visit", _("Visit")
        MEETING = "meeting", _("Meeting")
        EMAIL = "email", _("E-mail")
        TASK = "task", _("Task")

    class TodoStatus(models.TextChoices):
        """A to-do's state; empty for what simply happened (a logged call, a meeting)."""

        NONE = "", _("Not a to-do")
        OPEN = "open", pgettext_lazy("to-do", "Open")
        DONE = "done", _("Done")

    rep = models.ForeignKey(
        SalesRep,
        verbose_name=_("rep"),
        on_delete=models.CASCADE,
        related_name="activities",
        db_index=False,  # led by a composite index below
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        db_index=False,  # led by a composite index below
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("when"))
    duration_minutes = models.PositiveIntegerField(_("minutes"), default=0)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    is_internal = models.BooleanField(
        _("internal"),
        default=False,
        db_default=False,
        help_text=_(
            "No customer takes part (a pipeline review, a team meeting): not customer time."
        ),
    )
    todo_status = models.CharField(
        _("to-do status"),
        max_length=10,
        choices=TodoStatus.choices,
        blank=True,
        default="",
        db_default="",
    )
    due_date = models.DateField(_("due"), null=True, blank=True)
    is_deleted = models.BooleanField(_("deleted in the CRM"), default=False, db_default=False)
    source = models.CharField(_("source system"), max_length=20, blank=True)
    external_id = models.CharField(_("external id"), max_length=64, blank=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="retention_activity_unique_external_id",
            ),
        ]
        indexes = [
            # Scoring's weekly totals per rep and the rep page's recent activity.
            models.Index(fields=["rep", "occurred_at"], name="retention_activity_rep_when"),
            # A customer's recent contacts (customer page, handover notes).
            models.Index(fields=["customer", "occurred_at"], name="retention_activity_cust_when"),
            # Scoring's overdue to-dos (``risk.selectors._overdue_todos``: open, due by the
            # date), read for every chunk of a run: only open to-dos, so the index stays as
            # small as they are few, where without it every read scanned the whole table.
            models.Index(
                fields=["rep", "due_date"],
                condition=Q(todo_status="open"),
                name="retention_activity_open_todo",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d} {self.rep_id}"


class DealQuerySet(models.QuerySet):
    """The one home of which deals count: ``live`` (not deleted in the CRM) and ``open`` (live
    and still open: the pipeline every page, the handover and scoring add up)."""

    def live(self) -> "DealQuerySet":
        return self.filter(is_deleted=False)

    def open(self) -> "DealQuerySet":
        return self.filter(Deal.open_q())


class Deal(TimeStampedModel):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("deal", "Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="deals",
        db_index=False,  # led by a composite index below
    )
    owner = models.ForeignKey(
        SalesRep,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deals",
        db_index=False,  # led by a composite index below
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    stage = models.CharField(_("stage"), max_length=80, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, default=0)
    currency = models.CharField(
        _("currency"),
        max_length=3,
        blank=True,
        default="",
        db_default="",  # raw COPY and INSERTs (the demo seed, imports) may leave it out
        help_text=_("ISO 4217 code of the amount; empty: the organisation's currency."),
    )
    created_on = models.DateField(_("created"))
    close_date = models.DateField(_("close date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=5, choices=Status.choices, default=Status.OPEN
    )
    is_deleted = models.BooleanField(_("deleted in the CRM"), default=False, db_default=False)
    source = models.CharField(_("source system"), max_length=20, blank=True)
    external_id = models.CharField(_("external id"), max_length=64, blank=True)

    objects = DealQuerySet.as_manager()

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="retention_deal_unique_external_id",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="retention_deal_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(close_date__isnull=True) | Q(close_date__gte=F("created_on")),
                name="retention_deal_dates_in_order",
            ),
        ]
        indexes = [
            # Scoring: pipeline created and won amounts per rep over time.
            models.Index(fields=["owner", "created_on"], name="retention_deal_owner_created"),
            # Open pipeline at stake per customer (rep page, handover ranking).
            models.Index(fields=["customer", "status"], name="retention_deal_cust_status"),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.customer} {self.amount}"

    @staticmethod
    def open_q(prefix: str = "") -> Q:
        """``open`` as a condition on a relation (``prefix`` such as ``"customer__deals__"``),
        for a filtered aggregate or a join."""
        return Q(**{f"{prefix}status": Deal.Status.OPEN, f"{prefix}is_deleted": False})


class LeaveRecord(models.Model):
    class Kind(models.TextChoices):
        VACATION = "vacation", _("Vacation")
        SICK = "sick", _("Sick leave")
        PERSONAL = "personal", _("Personal")
        UNPAID = "unpaid", _("Unpaid")
        OTHER = "other", _("Other")

    rep = models.ForeignKey(
        SalesRep,
        verbose_name=_("rep"),
        on_delete=models.CASCADE,
        related_name="leave_records",
        db_index=False,  # led by a composite index below
    )
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.VACATION)
    source = models.CharField(_("source system"), max_length=20, blank=True)
    external_id = models.CharField(_("external id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("leave record")
        verbose_name_plural = _("leave records")
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")), name="retention_leave_dates_in_order"
            ),
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="retention_leave_unique_external_id",
            ),
        ]
        indexes = [
            # Scoring: a rep's leave episodes up to a date.
            models.Index(fields=["rep", "first_day"], name="retention_leave_rep_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.rep_id} {self.first_day}–{self.last_day}"

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1


class ServiceRecord(models.Model):
    """A measure of service quality: a survey score or a closed case, on a stated scale."""

    class Source(models.TextChoices):
        CSAT = "csat", _("CSAT survey")
        NPS = "nps", _("NPS survey")
        CASE = "case", _("Closed case")
        OTHER = "other", _("Other")

    rep = models.ForeignKey(
        SalesRep,
        verbose_name=_("rep"),
        on_delete=models.CASCADE,
        related_name="service_records",
        db_index=False,  # led by a composite index below
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_records",
    )
    date = models.DateField(_("date"))
    score = models.DecimalField(
        _("score"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty for a case nobody rated: most cases are never surveyed."),
    )
    scale_max = models.DecimalField(
        _("best possible score"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The score's own scale (a 1–5 CSAT keeps 5), not normalised."),
    )
    is_complaint = models.BooleanField(_("complaint or escalation"), default=False)
    is_escalated = models.BooleanField(_("escalated"), default=False, db_default=False)
    priority = models.CharField(_("priority"), max_length=40, blank=True, default="", db_default="")
    opened_at = models.DateTimeField(pgettext_lazy("case", "opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(
        _("minutes to resolve"), null=True, blank=True, help_text=_("From opened to closed.")
    )
    is_deleted = models.BooleanField(_("deleted in the CRM"), default=False, db_default=False)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    external_id = models.CharField(_("external id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        constraints = [
            models.CheckConstraint(
                condition=Q(scale_max__isnull=True) | Q(scale_max__gt=0),
                name="retention_service_scale_positive",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True)
                | Q(score__gte=0) & Q(scale_max__isnull=False) & Q(score__lte=F("scale_max")),
                name="retention_service_score_in_range",
            ),
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="retention_service_unique_external_id",
            ),
        ]
        indexes = [
            # Scoring: a rep's service trend up to a date.
            models.Index(fields=["rep", "date"], name="retention_service_rep_date"),
        ]

    def __str__(self) -> str:
        if self.score is None:
            return f"{self.rep_id} {self.date} ({self.get_source_display()}, no score)"
        return f"{self.rep_id} {self.date} {self.score}/{self.scale_max}"

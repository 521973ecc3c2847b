"""Hiring: vacancies, the standing candidate pool and its reserve bench, and onboarding.

A vacancy opens when a rep's departure is recorded (or by hand, for growth). Candidates live in a
pool that exists before any vacancy; an Application puts one candidate on one vacancy and walks
through the pipeline stages, each move kept as a StageChange. Hiring creates (or links) the new
SalesRep and an OnboardingPlan copied from an OnboardingTemplate.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Team, TimeStampedModel
from accounts.names import person_name
from retention.models import Customer, SalesRep


class Vacancy(TimeStampedModel):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("vacancy status", "Open")
        ON_HOLD = "on_hold", _("On hold")
        FILLED = "filled", _("Filled")
        CANCELLED = "cancelled", _("Cancelled")

    class Reason(models.TextChoices):
        DEPARTURE = "departure", _("Replaces a departure")
        GROWTH = "growth", _("Growth")

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    reason = models.CharField(
        _("reason"), max_length=10, choices=Reason.choices, default=Reason.DEPARTURE
    )
    role = models.CharField(
        pgettext_lazy("job", "role"), max_length=120, default="Sales representative"
    )
    # CASCADE, not PROTECT: teams and reps are only ever deleted wholesale (the demo's flush),
    # and their vacancies mean nothing without them.
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="vacancies"
    )
    region = models.CharField(_("region"), max_length=120, blank=True)
    territory = models.CharField(_("territory"), max_length=120, blank=True)
    leaving_rep = models.ForeignKey(
        SalesRep,
        verbose_name=_("leaving rep"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="vacancies_left",
    )
    hiring_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hiring manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hiring_vacancies",
    )
    approved_headcount = models.PositiveSmallIntegerField(_("approved headcount"), default=1)
    salary_min = models.DecimalField(
        _("salary band from"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    salary_max = models.DecimalField(
        _("salary band to"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    opened_on = models.DateField(_("opened"))
    target_fill_date = models.DateField(_("target fill date"), null=True, blank=True)
    filled_on = models.DateField(_("filled"), null=True, blank=True)
    successor = models.ForeignKey(
        SalesRep,
        verbose_name=_("successor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="vacancies_filled",
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("vacancy")
        verbose_name_plural = _("vacancies")
        # Hiring rights beyond the model's add/change/view, held by the HR and admin groups
        # (accounts.roles); a sales manager follows their teams' hiring but does not run it.
        permissions = [
            (
                "manage_hiring",
                "Can open vacancies, keep the candidate pool and move candidates through "
                "the pipeline",
            ),
            ("see_salary_band", "Can see the salary bands of vacancies"),
        ]
        constraints = [
            # A departure opens one vacancy, however often the event is delivered.
            models.UniqueConstraint(
                fields=["leaving_rep"],
                condition=Q(leaving_rep__isnull=False),
                name="handover_vacancy_one_per_departure",
            ),
            models.CheckConstraint(
                condition=Q(salary_min__isnull=True)
                | Q(salary_max__isnull=True)
                | Q(salary_max__gte=F("salary_min")),
                name="handover_vacancy_salary_band_in_order",
            ),
            models.CheckConstraint(
                condition=Q(filled_on__isnull=True) | Q(filled_on__gte=F("opened_on")),
                name="handover_vacancy_filled_after_opened",
            ),
            models.CheckConstraint(
                condition=~Q(status="filled") | Q(filled_on__isnull=False),
                name="handover_vacancy_filled_has_date",
            ),
            models.CheckConstraint(
                condition=Q(approved_headcount__gte=1), name="handover_vacancy_headcount_positive"
            ),
        ]
        indexes = [
            # Vacancy list: the vacancies of a set of teams, by status.
            models.Index(fields=["team", "status"], name="handover_vacancy_team_status"),
        ]

    def __str__(self) -> str:
        text = gettext("%(role)s, %(team)s") % {"role": self.role, "team": self.team}
        if self.leaving_rep_id:
            text = gettext("%(vacancy)s (%(leaving)s)") % {
                "vacancy": text,
                "leaving": self.leaving_rep,
            }
        return text


class Candidate(TimeStampedModel):
    """A person in the pool. Exists before, between and after vacancies."""

    class Source(models.TextChoices):
        REFERRAL = "referral", _("Employee referral")
        PAST_DECLINER = "past_decliner", _("Declined an earlier offer")
        INTERNAL = "internal", _("Internal transfer")
        BENCH = "bench", _("Reserve bench")
        AGENCY = "agency", _("Agency")
        JOB_BOARD = "job_board", _("Job board")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        AVAILABLE = "available", _("In the pool")
        IN_PROCESS = "in_process", _("In a hiring process")
        HIRED = "hired", _("Hired")
        UNAVAILABLE = "unavailable", _("Not available")

    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    source = models.CharField(_("source"), max_length=15, choices=Source.choices)
    # A referral names its referrer (checked by candidate_create). Not a database constraint:
    # the referrer's rep record may later be deleted, and the candidate stays a referral.
    referrer = models.ForeignKey(
        SalesRep,
        verbose_name=_("referred by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referred_candidates",
    )
    existing_rep = models.ForeignKey(
        SalesRep,
        verbose_name=_("existing rep record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="candidacies",
        help_text=_("Set for internal transfers and rehires: hiring links this record."),
    )
    region = models.CharField(_("region"), max_length=120, blank=True)
    sales_experience_years = models.DecimalField(
        _("years of sales experience"), max_digits=4, decimal_places=1, default=0
    )
    bench_ready = models.BooleanField(
        _("bench ready"), default=False, help_text=_("Screened and trained, ready to start.")
    )
    earliest_start = models.DateField(_("earliest start"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.AVAILABLE
    )
    last_decline_reason = models.TextField(_("reason for declining the last offer"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [
            models.CheckConstraint(
                condition=Q(sales_experience_years__gte=0),
                name="handover_candidate_experience_not_negative",
            ),
        ]
        indexes = [
            # The pool and the bench: available candidates by region.
            models.Index(fields=["status", "region"], name="handover_candidate_status_reg"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return person_name(self.first_name, self.last_name)

    @property
    def is_bench(self) -> bool:
        return self.source == self.Source.BENCH or self.bench_ready


class Application(TimeStampedModel):
    """One candidate on one vacancy, moving through the pipeline."""

    class Stage(models.TextChoices):
        SOURCED = "sourced", _("Sourced")
        SCREENING = "screening", _("Screening")
        INTERVIEW = "interview", _("Interview")
        OFFER = "offer", _("Offer")
        HIRED = "hired", _("Hired")
        REJECTED = "rejected", _("Rejected")
        WITHDREW = "withdrew", _("Withdrew")

    candidate = models.ForeignKey(
        Candidate,
        verbose_name=_("candidate"),
        on_delete=models.CASCADE,
        related_name="applications",
    )
    vacancy = models.ForeignKey(
        Vacancy, verbose_name=_("vacancy"), on_delete=models.CASCADE, related_name="applications"
    )
    stage = models.CharField(
        _("stage"), max_length=10, choices=Stage.choices, default=Stage.SOURCED
    )
    stage_entered_at = models.DateTimeField(_("in this stage since"))
    source = models.CharField(
        _("source when applying"),
        max_length=15,
        choices=Candidate.Source.choices,
        help_text=_("The candidate's source when they entered this pipeline; kept for reports."),
    )
    decline_reason = models.TextField(_("reason for declining the offer"), blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "vacancy"], name="handover_application_once_per_vacancy"
            ),
        ]
        indexes = [
            # The board: a vacancy's applications by stage.
            models.Index(fields=["vacancy", "stage"], name="handover_application_vac_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} → {self.vacancy} ({self.get_stage_display()})"


class StageChange(models.Model):
    class NoteCode(models.TextChoices):
        POSITION_FILLED = "position_filled", _("Position filled")

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="stage_changes",
    )
    from_stage = models.CharField(
        _("from"), max_length=10, choices=Application.Stage.choices, blank=True
    )
    to_stage = models.CharField(_("to"), max_length=10, choices=Application.Stage.choices)
    changed_at = models.DateTimeField(_("when"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    # A note Relay wrote itself, kept as a code so it reads in each reader's language (the
    # text in ``note`` is then as written in the language active at the time).
    note_code = models.CharField(
        _("note (code)"), max_length=20, choices=NoteCode.choices, blank=True
    )

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["changed_at", "id"]
        indexes = [
            # An application's history in order; time in stage per source.
            models.Index(fields=["application", "changed_at"], name="handover_stagechange_app"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_stage or '∅'} → {self.to_stage}"

    @property
    def note_text(self) -> str:
        """The note in the active language when Relay wrote it; as typed otherwise."""
        return self.get_note_code_display() if self.note_code else self.note


class InterviewFeedback(TimeStampedModel):
    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="feedback",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="interview_feedback",
    )
    rating = models.PositiveSmallIntegerField(_("rating (1–5)"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("interview feedback")
        verbose_name_plural = _("interview feedback")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5),
                name="handover_feedback_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.rating}/5 ({self.author})"


class OwnerRole(models.TextChoices):
    MANAGER = "manager", _("Manager")
    HR = "hr", _("HR")
    REP = "rep", _("New rep")


class OnboardingTemplate(TimeStampedModel):
    """A checklist to copy into each new rep's plan.

    ``tasks`` is a list of ``{"title": str, "kind": str, "owner": "manager"|"hr"|"rep",
    "due_days": int}``; ``kind`` "introductions" expands into one task per customer of the
    vacancy, introduced by its outgoing or covering holder.
    """

    name = models.CharField(_("name"), max_length=120, unique=True)
    is_default = models.BooleanField(_("default"), default=False)
    tasks = models.JSONField(_("tasks"), default=list)

    class Meta:
        verbose_name = _("onboarding template")
        verbose_name_plural = _("onboarding templates")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="handover_one_default_onboarding_template",
            ),
        ]

    def __str__(self) -> str:
        return self.name_text

    @property
    def name_text(self) -> str:
        """The name in the active language where it is Relay's default template's."""
        from handover.hiring.services import relay_default_text

        return relay_default_text(self.name)


class OnboardingPlan(TimeStampedModel):
    rep = models.OneToOneField(
        SalesRep,
        verbose_name=_("new rep"),
        on_delete=models.CASCADE,
        related_name="onboarding_plan",
    )
    vacancy = models.ForeignKey(
        Vacancy,
        verbose_name=_("vacancy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="onboarding_plans",
    )
    application = models.OneToOneField(
        Application,
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="onboarding_plan",
    )
    template = models.ForeignKey(
        OnboardingTemplate,
        verbose_name=_("template"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plans",
    )
    start_date = models.DateField(_("start date"))

    class Meta:
        verbose_name = _("onboarding plan")
        verbose_name_plural = _("onboarding plans")

    def __str__(self) -> str:
        return f"{self.rep} ({self.start_date})"


class OnboardingTask(TimeStampedModel):
    class Kind(models.TextChoices):
        TRAINING = "training", _("Product training")
        INTRODUCTION = "introduction", _("Customer introduction")
        SOLO_VISIT = "solo_visit", _("First solo visits")
        OTHER = "other", _("Other")

    plan = models.ForeignKey(
        OnboardingPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="tasks"
    )
    title = models.CharField(_("task"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.OTHER)
    owner_role = models.CharField(_("owner"), max_length=10, choices=OwnerRole.choices)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    introduced_by = models.CharField(_("introduced by"), max_length=200, blank=True)
    due_date = models.DateField(_("due"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("onboarding task")
        verbose_name_plural = _("onboarding tasks")
        indexes = [
            # A plan's checklist in due order.
            models.Index(fields=["plan", "due_date"], name="handover_onbtask_plan_due"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title_text(self) -> str:
        """The task's title in the active language where Relay wrote it (an introduction)."""
        from handover.hiring.services import onboarding_task_title

        return onboarding_task_title(self)

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

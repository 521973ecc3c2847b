from django.conf import settings
from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Team, TimeStampedModel
from retention.models.core import SalesRep


class RiskModel(TimeStampedModel):
    """A version of the departure-risk model: trained, or the rule-based fallback."""

    class Kind(models.TextChoices):
        TRAINED = "trained", _("Trained model")
        RULES = "rules", _("Rule-based (not trained)")

    version = models.CharField(_("version"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    algorithm = models.CharField(_("algorithm"), max_length=80, blank=True)
    is_active = models.BooleanField(_("in use"), default=False)
    training_start = models.DateField(_("training window from"), null=True, blank=True)
    training_end = models.DateField(_("training window to"), null=True, blank=True)
    horizon_days = models.PositiveIntegerField(_("horizon (days)"), default=90)
    features = models.JSONField(_("features"), default=list)
    metrics = models.JSONField(_("validation figures"), default=dict)
    artifact = models.BinaryField(_("serialised pipeline"), null=True, blank=True, editable=False)
    backtest = models.JSONField(_("backtest report"), default=dict, blank=True)
    evaluated_at = models.DateTimeField(_("backtest run"), null=True, blank=True)

    class Meta:
        verbose_name = _("risk model")
        verbose_name_plural = _("risk models")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="retention_one_active_model"
            ),
        ]

    @property
    def algorithm_label(self) -> str:
        """The learner in the reader's language (``retention.risk.metrics_text``)."""
        from retention.risk.metrics_text import algorithm_label

        return algorithm_label(self.algorithm)

    def __str__(self) -> str:
        return f"{self.version} ({self.get_kind_display()})"


class ScoringRun(TimeStampedModel):
    """One scoring of every rep as of a date. Its scores count only once it has succeeded."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Finished")
        FAILED = "failed", _("Failed")

    as_of = models.DateField(_("as of"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    model = models.ForeignKey(
        RiskModel, verbose_name=_("model"), null=True, on_delete=models.PROTECT, related_name="runs"
    )
    previous_run = models.ForeignKey(
        "self",
        verbose_name=_("compared with run"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    chunks = models.PositiveIntegerField(_("chunks"), default=0)
    total = models.PositiveIntegerField(_("reps to score"), default=0)
    done = models.PositiveIntegerField(_("reps scored"), default=0)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Written by whoever works on the run; the reaper takes a run whose heartbeat is older
    # than RELAY_JOB_STALL_SECONDS as stalled and resumes it (at most RELAY_JOB_MAX_RESUMES
    # times) or fails it.
    heartbeat_at = models.DateTimeField(_("last sign of work"), null=True, blank=True)
    resumes = models.PositiveSmallIntegerField(_("times resumed"), default=0)
    raise_alerts = models.BooleanField(_("raises alerts"), default=True)

    class Meta:
        verbose_name = _("scoring run")
        verbose_name_plural = _("scoring runs")
        constraints = [
            # At most one run in flight per as-of date: concurrent starts get the same run.
            models.UniqueConstraint(
                fields=["as_of"],
                condition=Q(status__in=["pending", "running"]),
                name="retention_one_run_in_flight",
            ),
        ]
        indexes = [
            # "The current scores": the succeeded run with the latest as-of date.
            models.Index(
                fields=["status", "-as_of", "-finished_at"], name="retention_run_status_asof"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.as_of} {self.get_status_display()}"


def leaving_first(status: str = "status") -> Case:
    """0 for a score of a rep serving notice, 1 otherwise (no score too): the first key of the
    dashboard's default order, and of the index that walks a run's scores in that order.
    ``status``: the path to the score's status (``current__status`` from a rep)."""
    return Case(
        When(**{status: "leaving"}, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )


def in_band(band: str, score: str = "") -> Q:
    """The scores shown in ``band``: scored ones only. A rep serving notice is stored in the high
    band but shown as "Leaving — last day D" on every page, list and API (issue 12), in no band:
    so "high risk" is an active rep's high score, never a leaving one; ``band`` "leaving" (what
    the band filters offer beside the bands) is the scores of reps serving notice. The one rule
    that every band filter, count and coverage check calls; ``RiskScore.shown_band`` is its form
    for a score in hand. ``score``: the path to the score (``current__`` from a rep)."""
    if band == "leaving":
        return Q(**{f"{score}status": "leaving"})
    return Q(**{f"{score}status": "scored", f"{score}band": band})


class RiskScore(models.Model):
    """A rep's chance of leaving as of a run's date, or, for a rep serving notice, the fact that
    they are leaving (``status`` LEAVING with their last day: not a probability)."""

    class Band(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    class Status(models.TextChoices):
        SCORED = "scored", _("Scored")
        LEAVING = "leaving", _("Leaving")

    run = models.ForeignKey(
        ScoringRun,
        verbose_name=_("run"),
        on_delete=models.CASCADE,
        related_name="scores",
        db_index=False,  # led by a composite index below
    )
    rep = models.ForeignKey(
        SalesRep,
        verbose_name=_("rep"),
        on_delete=models.CASCADE,
        related_name="risk_scores",
        db_index=False,  # led by a composite index below
    )
    as_of = models.DateField(_("as of"))
    probability = models.FloatField(_("probability of leaving within 90 days"))
    probability_30 = models.FloatField(_("within 30 days"), null=True, blank=True)
    probability_180 = models.FloatField(_("within 180 days"), null=True, blank=True)
    band = models.CharField(_("band"), max_length=6, choices=Band.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.SCORED
    )
    last_day = models.DateField(_("last day (leaving)"), null=True, blank=True)
    change = models.FloatField(_("change since last run"), null=True, blank=True)
    drivers = models.JSONField(_("drivers"), default=list)
    signals = models.JSONField(_("signal values"), default=dict)

    class Meta:
        verbose_name = _("risk score")
        verbose_name_plural = _("risk scores")
        constraints = [
            models.UniqueConstraint(fields=["run", "rep"], name="retention_score_once_per_run"),
            models.CheckConstraint(
                condition=Q(probability__gte=0) & Q(probability__lte=1),
                name="retention_score_probability_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(status="leaving") | Q(last_day__isnull=False),
                name="retention_score_leaving_has_last_day",
            ),
        ]
        indexes = [
            # Score history on the rep page.
            models.Index(fields=["rep", "as_of"], name="retention_score_rep_as_of"),
            # Dashboard: the scores of the latest run, by band.
            models.Index(fields=["run", "band"], name="retention_score_run_band"),
            # Dashboard: a page of the latest run's scores in the default order (leaving
            # first, soonest last day first, then highest risk) is read through the index
            # retention_score_page_order, made on PostgreSQL by migration 0017 (SQLite cannot
            # index NULLS LAST); its keys are ``leaving_first()`` and the order's.
        ]

    def __str__(self) -> str:
        if self.is_leaving:
            return f"{self.rep_id} {self.as_of} leaving {self.last_day}"
        return f"{self.rep_id} {self.as_of} {self.probability:.2f} {self.band}"

    @property
    def is_leaving(self) -> bool:
        return self.status == self.Status.LEAVING

    @property
    def shown_band(self) -> str | None:
        """The band pages show: none for a rep serving notice (``in_band`` in a query)."""
        return None if self.is_leaving else self.band

    @property
    def is_high_risk(self) -> bool:
        return self.shown_band == self.Band.HIGH

    @property
    def state_label(self) -> str:
        """What pages show instead of a band: "Leaving — last day D" for a rep serving notice."""
        if self.is_leaving:
            return _("Leaving — last day %(day)s") % {"day": self.last_day.isoformat()}
        return self.get_band_display()


class RiskRollup(models.Model):
    """One run's scores counted per team, status and band (how many reps, and the sum of their
    probabilities), written in the transaction that publishes the run
    (``retention.risk.services.scoring_run_rollup_write``) and never changed after: the
    dashboard's band history and team heat map read these few thousand rows instead of twelve
    runs' scores.

    The team is the rep's team when the run was published: history as it was. A rep who moves
    later stays in the old team's past, as a team's chart of its own past should show; a rep
    who left later still counts in the runs that scored them."""

    run = models.ForeignKey(
        ScoringRun,
        verbose_name=_("run"),
        on_delete=models.CASCADE,
        related_name="rollups",
        db_index=False,  # led by the unique constraint below
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        related_name="risk_rollups",
        db_index=False,  # named index below
    )
    status = models.CharField(_("status"), max_length=8, choices=RiskScore.Status.choices)
    band = models.CharField(_("band"), max_length=6, choices=RiskScore.Band.choices)
    reps = models.PositiveIntegerField(_("reps"))
    probability_sum = models.FloatField(_("sum of probabilities"))

    class Meta:
        verbose_name = _("risk rollup")
        verbose_name_plural = _("risk rollups")
        constraints = [
            # Also the index of the dashboard's reads: band history (runs, then bands, within
            # the viewer's teams) and the team heat map (runs, then teams).
            models.UniqueConstraint(
                fields=["run", "team", "status", "band"], name="retention_rollup_once_per_cell"
            ),
            models.CheckConstraint(condition=Q(reps__gt=0), name="retention_rollup_counts_someone"),
        ]
        indexes = [
            # Deleting a team: the PROTECT check asks whether any rollup names it.
            models.Index(fields=["team"], name="retention_rollup_team"),
        ]

    def __str__(self) -> str:
        return f"run {self.run_id} team {self.team_id} {self.status} {self.band}: {self.reps}"


class RiskAlertQuerySet(models.QuerySet):
    """The one home of which alerts are open: those nobody has acknowledged yet (the alert
    inbox's default, the navigation's badge, the dashboard's card, and the compare-and-set
    that acknowledges one); ``RiskAlert.is_open`` for an alert in hand."""

    def open(self) -> "RiskAlertQuerySet":
        return self.filter(acknowledged_at__isnull=True)

    def acknowledged(self) -> "RiskAlertQuerySet":
        return self.filter(acknowledged_at__isnull=False)


class RiskAlert(models.Model):
    class Kind(models.TextChoices):
        BECAME_HIGH = "became_high", _("Became high risk")
        JUMP = "jump", _("Sharp rise")

    rep = models.ForeignKey(
        SalesRep, verbose_name=_("rep"), on_delete=models.CASCADE, related_name="risk_alerts"
    )
    score = models.ForeignKey(
        RiskScore, verbose_name=_("score"), on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # As worded when raised, in the language active then; pages, the API and e-mails word it
    # again from the kind and the score in the reader's language (``message_text``).
    message = models.TextField(_("message"))
    created_at = models.DateTimeField(_("raised"), auto_now_add=True)
    raised_on = models.DateField(_("raised on"), default=timezone.localdate)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RiskAlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk alert")
        verbose_name_plural = _("risk alerts")
        constraints = [
            # A score raises at most one alert of each kind, however often its run is retried.
            models.UniqueConstraint(
                fields=["score", "kind"], name="retention_alert_once_per_score"
            ),
            # One alert per rep and reason per day, however many runs that day.
            models.UniqueConstraint(
                fields=["rep", "kind", "raised_on"], name="retention_alert_once_per_day"
            ),
        ]
        indexes = [
            # The alert inbox: open alerts, newest first.
            models.Index(fields=["acknowledged_at", "-created_at"], name="retention_alert_open"),
        ]

    def __str__(self) -> str:
        return f"{self.rep_id} {self.get_kind_display()} {self.created_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        """``RiskAlertQuerySet.open`` for this alert: nobody has acknowledged it yet."""
        return self.acknowledged_at is None

    @property
    def message_text(self) -> str:
        """What the alert says, in the active language."""
        from retention.risk.services import risk_alert_message

        if self.score.probability is None:
            return self.message
        return risk_alert_message(kind=self.kind, score=self.score)

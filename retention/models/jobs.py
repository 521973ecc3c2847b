from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import TimeStampedModel


class OutboxMessage(models.Model):
    """A task Relay has promised to run, kept in the database until the queue has taken it.

    Written in the same transaction as the work it starts (a scoring run, an import job), so
    with the broker down nothing is lost: the message waits here and the outbox sweep sends it
    when the broker is back.
    """

    task_name = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("queued task")
        verbose_name_plural = _("queued tasks")
        indexes = [
            # The sweep: unsent messages, oldest first.
            models.Index(
                fields=["created_at"],
                condition=Q(sent_at__isnull=True),
                name="retention_outbox_due",
            ),
        ]

    def __str__(self) -> str:
        state = "sent" if self.sent_at else "waiting"
        return f"{self.task_name}{tuple(self.args)} ({state})"


class ScoringChunk(models.Model):
    """One slice of a scoring run's reps. The run is published when every chunk is done; the
    database, not the broker, says which are (a chunk is redone only if it is not)."""

    run = models.ForeignKey(
        "retention.ScoringRun",
        verbose_name=_("run"),
        on_delete=models.CASCADE,
        related_name="chunk_rows",
    )
    index = models.PositiveIntegerField(pgettext_lazy("position in a run", "number"))
    rep_ids = models.JSONField(_("reps"), default=list)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    written = models.PositiveIntegerField(_("scores written"), default=0)

    class Meta:
        verbose_name = _("scoring chunk")
        verbose_name_plural = _("scoring chunks")
        constraints = [
            models.UniqueConstraint(fields=["run", "index"], name="retention_chunk_once"),
        ]

    def __str__(self) -> str:
        return f"run {self.run_id} chunk {self.index}"


class ModelJob(TimeStampedModel):
    """A training of the risk model (then a backtest of the model in use) or a backtest of one
    model, that a person waits for on the model page.

    QUEUED → RUNNING → SUCCEEDED, or FAILED (an error, with the reason) or STALLED (no
    heartbeat for RELAY_JOB_STALL_SECONDS, RELAY_JOB_MAX_RESUMES times over). Each delivery
    carries the attempt it was sent for; a task claims the job only if it is QUEUED for that
    attempt, so a late redelivery (of a killed worker's message, or of a stalled or failed
    job's) does nothing. Nothing is stored until the very end, so a stalled job is re-run whole.
    """

    class Kind(models.TextChoices):
        TRAIN = "train", _("Training")
        EVALUATE = "evaluate", _("Backtest")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Finished")
        FAILED = "failed", _("Failed")
        STALLED = "stalled", _("Stalled")

    class Stage(models.TextChoices):
        SNAPSHOTS = "snapshots", _("Building training snapshots")
        FITTING = "fitting", _("Fitting and validating")
        BACKTEST = "backtest", _("Backtest")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    model = models.ForeignKey(
        "retention.RiskModel",
        verbose_name=_("model"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
        help_text=_("the model backtested; for a training, the model it ended with"),
    )
    as_of = models.DateField(_("as of"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, blank=True)
    done = models.PositiveIntegerField(_("steps done"), default=0)
    total = models.PositiveIntegerField(_("steps"), default=0)
    heartbeat_at = models.DateTimeField(_("last sign of work"), null=True, blank=True)
    resumes = models.PositiveSmallIntegerField(_("times resumed"), default=0)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    retry_of = models.ForeignKey(
        "self",
        verbose_name=_("retry of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("training or backtest")
        verbose_name_plural = _("trainings and backtests")
        constraints = [
            # One training in flight: concurrent starts (page, API, beat) get the same job.
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(kind="train", status__in=["queued", "running"]),
                name="retention_one_training_in_flight",
            ),
            # One backtest in flight per model.
            models.UniqueConstraint(
                fields=["model"],
                condition=Q(kind="evaluate", status__in=["queued", "running"]),
                name="retention_one_backtest_in_flight",
            ),
            models.CheckConstraint(
                condition=Q(kind="train") | Q(model__isnull=False),
                name="retention_backtest_names_its_model",
            ),
        ]
        indexes = [
            # The model page: the latest jobs of each kind, newest first.
            models.Index(fields=["kind", "-created_at"], name="retention_modeljob_latest"),
            # The reaper: jobs in flight.
            models.Index(
                fields=["heartbeat_at"],
                condition=Q(status__in=["queued", "running"]),
                name="retention_modeljob_in_flight",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} ({self.get_status_display()})"

    @property
    def in_flight(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}

    @property
    def heartbeat_age_seconds(self) -> int | None:
        """Seconds since the job's last sign of work."""
        if self.heartbeat_at is None:
            return None
        return max(0, int((timezone.now() - self.heartbeat_at).total_seconds()))

    @property
    def percent_done(self) -> int:
        if not self.total:
            return 0
        return min(100, int(100 * self.done / self.total))

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


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
    index = models.PositiveIntegerField(_("number"))
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

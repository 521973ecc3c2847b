"""Imports: one row per upload (a file, a .zip or several files) with status, progress, report."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import TimeStampedModel


class ImportJob(TimeStampedModel):
    """An import of one or more files, applied together in one transaction.

    A job is first checked (a dry run: everything is written inside a transaction that is rolled
    back, so the counts are exact), then applied on request. Status moves forward only, claimed
    with compare-and-set updates, so a task delivered twice does the work once. A job with no
    heartbeat for RELAY_JOB_STALL_SECONDS is re-queued (waiting or checking) or ends STALLED
    (applying): a stalled or failed job never runs again; a retry is a new job.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be checked")
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Checked, ready to apply")
        APPLY_QUEUED = "apply_queued", _("Waiting to be applied")
        APPLYING = "applying", _("Applying")
        APPLIED = "applied", _("Applied")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Failed")
        STALLED = "stalled", _("Stalled")

    class Source(models.TextChoices):
        AUTO = "auto", _("Recognise from the headers")
        SALESFORCE = "salesforce", _("Salesforce export")
        HUBSPOT = "hubspot", _("HubSpot export")
        RELAY = "relay", _("Relay template")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_jobs",
    )
    origin = models.CharField(_("started from"), max_length=10, default="web")
    file_name = models.CharField(_("file name"), max_length=255)
    files = models.JSONField(
        _("stored files"), default=list, help_text=_("[{name, path}] under MEDIA_ROOT")
    )
    file_size = models.BigIntegerField(_("size in bytes"), default=0)
    source = models.CharField(
        _("source"), max_length=12, choices=Source.choices, default=Source.AUTO
    )
    options = models.JSONField(_("options"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    rows_total = models.BigIntegerField(_("rows in the files"), default=0)
    rows_done = models.BigIntegerField(_("rows processed"), default=0)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    detected = models.JSONField(
        _("recognised files"), default=list, blank=True, help_text=_("kind and mapping per file")
    )
    issues = models.JSONField(_("first rejected and flagged rows"), default=list, blank=True)
    issues_total = models.BigIntegerField(_("rejected and flagged rows"), default=0)
    message = models.TextField(_("message"), blank=True)
    heartbeat_at = models.DateTimeField(
        _("last sign of work"),
        null=True,
        blank=True,
        help_text=_("written while the job is checked or applied; the reaper reads it"),
    )
    resumes = models.PositiveSmallIntegerField(_("times re-queued after a stall"), default=0)
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applied by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        # HR imports the people and leave templates (add_importjob); CRM exports, and deciding
        # who in a CRM is a rep, are the admins' (import_crm).
        permissions = [("import_crm", _("Can import CRM exports and decide who is a rep"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(rows_done__gte=0) & Q(rows_total__gte=0),
                name="retention_importjob_rows_not_negative",
            ),
        ]
        indexes = [
            # The imports page lists the latest imports, newest first (optionally one user's).
            models.Index(fields=["created_by", "-created_at"], name="retention_importjob_by_when"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in {
            self.Status.QUEUED,
            self.Status.CHECKING,
            self.Status.APPLY_QUEUED,
            self.Status.APPLYING,
        }

    @property
    def percent_done(self) -> int:
        if not self.rows_total:
            return 100 if not self.is_running else 0
        return min(100, int(100 * self.rows_done / self.rows_total))


class SavedColumnMapping(TimeStampedModel):
    """An admin's correction of which column holds which field (and which value means what),
    reused for the next import. The unnamed one applies by default; a named one when asked
    (``import_data --mapping NAME``, the API's ``mapping`` field)."""

    kind = models.CharField(_("file kind"), max_length=40)
    name = models.CharField(_("name"), max_length=80, blank=True, default="")
    mapping = models.JSONField(_("field to column"), default=dict)
    values = models.JSONField(
        _("value mapping"),
        default=dict,
        blank=True,
        help_text=_("{field: {CRM value: Relay value}}"),
    )
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("saved column mapping")
        verbose_name_plural = _("saved column mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "name"], name="retention_mapping_one_per_kind_and_name"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.name})" if self.name else self.kind

"""Imports as jobs: create from uploads or paths, check (dry run), apply, and run in a worker."""

import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import (
    DEFAULT_DB_ALIAS,
    InterfaceError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.access import may
from accounts.models import User
from config.errors import ApplicationError
from retention.heartbeats import as_read, stale, stall_minutes, stall_window
from retention.imports import storage
from retention.imports.errors import ImportRefused
from retention.imports.lookups import ImportContext, Options
from retention.imports.org import people_prepare
from retention.imports.people import BECOMES
from retention.imports.pipeline import IssueLog, plan_batch, plan_check, run_batch
from retention.imports.readers import Table, tables_from_file
from retention.imports.values import timezone_named
from retention.models import ImportJob, OutboxMessage, SavedColumnMapping
from retention.outbox import outbox_enqueue
from retention.risk.services import scoring_run_request

logger = logging.getLogger(__name__)
Status = ImportJob.Status
# A claimed job writes its heartbeat with its progress, at most this often (PostgreSQL, through
# a second connection); on SQLite only at its claim, so the reaper gives a job at work there
# the task's whole time limit (import_jobs_reap).
PROGRESS_EVERY_SECONDS = 0.5
TASK = "retention.imports.import_job_process"
WAITING = (Status.QUEUED, Status.APPLY_QUEUED)
# An import queues a scoring run only when its data reaches this close to today: scoring "as of
# today" data that ended months ago scores everyone alike, with no drivers.
RECENT_DATA_DAYS = 14


IMPORT = "retention.add_importjob"
IMPORT_CRM = "retention.import_crm"
SEE_IMPORTS = "retention.view_importjob"


def import_allowed(*, user: User) -> bool:
    """Whose role may import at all (admins everything; HR the people and leave templates)."""
    return may(user, IMPORT)


def _media_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def report_path(job: ImportJob) -> Path:
    return _media_dir() / "reports" / f"job-{job.pk}.csv"


def import_job_create(
    *,
    user: User,
    uploads: list[UploadedFile],
    source: str = ImportJob.Source.AUTO,
    options: Options | None = None,
    kind: str = "",
) -> ImportJob:
    """Store the uploaded files under MEDIA_ROOT/imports/ and queue their dry run.

    What needs no reading (no file, an empty one, one over the size limit) is refused at once:
    the job is recorded as refused and nothing is stored.
    """
    if not import_allowed(user=user):
        raise PermissionDenied
    limit = settings.RELAY_IMPORT_MAX_BYTES
    refusal = "" if uploads else _("choose a file to import.")
    for upload in uploads:
        if upload.size > limit:
            refusal = _(
                "%(name)s: the file is %(size)s bytes, over the limit of %(limit)s bytes "
                "(RELAY_IMPORT_MAX_BYTES). Split it or zip it."
            ) % {"name": upload.name, "size": upload.size, "limit": limit}
        elif upload.size == 0:
            refusal = _("%(name)s: the file is empty.") % {"name": upload.name}
    refusal = refusal or storage.upload_refusal(user=user, uploads=uploads)
    if refusal:
        # Recorded like every import, but the file is not stored.
        return ImportJob.objects.create(
            created_by=user,
            file_name=", ".join(upload.name for upload in uploads)[:255] or "-",
            file_size=sum(upload.size for upload in uploads),
            source=source,
            options={**(options or Options()).to_dict(), "kind": kind},
            status=Status.REFUSED,
            message=refusal,
        )
    folder = _media_dir() / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for upload in uploads:
        name = get_valid_filename(Path(upload.name).name) or "upload"
        target = folder / name
        with target.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        files.append({"name": upload.name, "path": str(target)})
    return _job_create(
        user=user,
        files=files,
        source=source,
        options=options or Options(),
        kind=kind,
        status=Status.QUEUED,
        origin="web",
    )


def import_job_create_from_paths(
    *,
    paths: Iterable[Path],
    source: str = ImportJob.Source.AUTO,
    options: Options | None = None,
    apply: bool,
    user: User | None = None,
) -> ImportJob:
    """A job for files already on this machine (the management command). Not queued: the caller
    runs it with ``import_job_run``."""
    files = [{"name": path.name, "path": str(path.resolve())} for path in paths]
    return _job_create(
        user=user,
        files=files,
        source=source,
        options=options or Options(),
        kind="",
        status=Status.APPLY_QUEUED if apply else Status.QUEUED,
        origin="command",
        queue=False,
    )


def _job_create(
    *,
    user: User | None,
    files: list[dict],
    source: str,
    options: Options,
    kind: str,
    status: str,
    origin: str,
    queue: bool = True,
) -> ImportJob:
    size = sum(Path(entry["path"]).stat().st_size for entry in files)
    job = ImportJob.objects.create(
        created_by=user,
        origin=origin,
        file_name=", ".join(entry["name"] for entry in files)[:255],
        files=files,
        file_size=size,
        source=source,
        options={**options.to_dict(), "kind": kind, "language": translation.get_language()},
        status=status,
        heartbeat_at=timezone.now(),
    )
    if queue:
        _queue(job)
    return job


def _queue(job: ImportJob) -> None:
    """Record the job's task in the outbox: sent after commit, or when the broker is back (an
    upload with the queue down is stored and waits; it never fails the request)."""
    import retention.imports.tasks  # noqa: F401  (registers the task for eager runs)

    outbox_enqueue(task_name=TASK, args=[job.pk])


def _waiting_in_outbox(job_id: int) -> bool:
    return OutboxMessage.objects.filter(
        task_name=TASK, args=[job_id], sent_at__isnull=True
    ).exists()


def import_job_apply(*, job: ImportJob, user: User, skip_rejected: bool = False) -> bool:
    """Queue a checked job to be applied. False when it is not (or no longer) waiting for that."""
    if not import_allowed(user=user):
        raise PermissionDenied
    options = {**job.options, "skip_rejected": skip_rejected}
    now = timezone.now()
    # The check's counter is reset: the page shows the apply's own progress, from 0.
    claimed = ImportJob.objects.filter(pk=job.pk, status=Status.CHECKED).update(
        status=Status.APPLY_QUEUED,
        options=options,
        applied_by=user,
        rows_done=0,
        heartbeat_at=now,
        updated_at=now,
    )
    if claimed:
        job.refresh_from_db()
        _queue(job)
    return bool(claimed)


def import_job_not_waiting(*, job: ImportJob) -> str:
    """Why ``import_job_apply`` did not queue the job: what it is now (applied, being applied,
    refused …), read again, as the page and the API say it."""
    job.refresh_from_db(fields=["status"])
    if job.status in (Status.APPLY_QUEUED, Status.APPLYING):
        message = _("Import %(id)s is already being applied.")
    elif job.status == Status.APPLIED:
        message = _("Import %(id)s is already applied.")
    elif job.status in (Status.QUEUED, Status.CHECKING):
        message = _("Import %(id)s is still being checked: apply it once the check is done.")
    else:
        message = _("Import %(id)s is %(status)s, so it cannot be applied.")
    return message % {"id": job.pk, "status": job.get_status_display().lower()}


def import_job_retry(*, job: ImportJob, user: User) -> ImportJob:
    """A new check of a stalled or failed job's files, with the same options (the page's
    "retry"). The old job stays as it ended."""
    if not import_allowed(user=user):
        raise PermissionDenied
    if job.status not in (Status.STALLED, Status.FAILED):
        raise ApplicationError(
            _("Import %(id)s is %(status)s: only a stalled or failed import is retried.")
            % {"id": job.pk, "status": job.get_status_display().lower()}
        )
    missing = [entry["name"] for entry in job.files if not Path(entry["path"]).exists()]
    if missing or not job.files:
        raise ApplicationError(
            _("The files of import %(id)s are no longer kept (%(names)s): upload them again.")
            % {"id": job.pk, "names": ", ".join(missing) or "-"}
        )
    options = Options.from_dict(job.options)
    options.skip_rejected = False
    return _job_again(job=job, user=user, options=options)


def _job_again(*, job: ImportJob, user: User, options: Options) -> ImportJob:
    """A new dry run of ``job``'s files with ``options`` (a retry, a recheck)."""
    return _job_create(
        user=user,
        files=job.files,
        source=job.source,
        options=options,
        kind=job.options.get("kind", ""),
        status=Status.QUEUED,
        origin=job.origin,
    )


def import_job_recheck(
    *,
    job: ImportJob,
    user: User,
    mappings: dict[str, dict[str, str]],
    save: bool,
    values: dict[str, dict[str, dict[str, str]]] | None = None,
    encodings: dict[str, str] | None = None,
) -> ImportJob:
    """A new dry run of the same files with corrected column and value mappings (saved for
    next time) and, when given, the encodings the admin chose per file."""
    if not import_allowed(user=user):
        raise PermissionDenied
    values = values or {}
    if save and may(user, IMPORT_CRM):
        saved_mappings_store(name="", mappings=mappings, values=values, user=user)
    options = Options.from_dict(job.options)
    options.mappings = {**options.mappings, **mappings}
    options.values = {**options.values, **values}
    if encodings is not None:
        options.encodings = encodings
    return _job_again(job=job, user=user, options=options)


def import_job_recheck_people(*, job: ImportJob, user: User, choices: dict[str, str]) -> ImportJob:
    """A new dry run of the same files with the admin's decisions about CRM users (rep,
    manager or skip). Applying that import keeps the decisions for later exports."""
    if not may(user, IMPORT_CRM):
        raise PermissionDenied
    known = {row["id"] for row in (job.counts.get("people") or {}).get("users", [])}
    for crm_id, becomes in choices.items():
        if crm_id not in known:
            raise ApplicationError(
                _("%(id)s is not a user of this import.") % {"id": crm_id}, field="choices"
            )
        if becomes not in BECOMES:
            raise ApplicationError(
                _("%(id)s: %(value)s is not one of rep, manager, skip.")
                % {"id": crm_id, "value": becomes},
                field="choices",
            )
    options = Options.from_dict(job.options)
    options.people = {**options.people, **choices}
    return _job_again(job=job, user=user, options=options)


def saved_mappings_store(
    *,
    name: str,
    mappings: dict[str, dict[str, str]],
    values: dict[str, dict[str, dict[str, str]]],
    user: User | None,
) -> None:
    """Keep column and value mappings (per kind of file) under a name for later imports; the
    unnamed one ("") applies to every import that names none."""
    for kind in sorted(set(mappings) | set(values)):
        SavedColumnMapping.objects.update_or_create(
            kind=kind,
            name=name,
            defaults={
                "mapping": mappings.get(kind, {}),
                "values": values.get(kind, {}),
                "saved_by": user,
            },
        )


class _ProgressWriter:
    """Writes rows done to the job row while the import's own transaction is still open.

    On PostgreSQL through a second connection (autocommit), so a page polling the job sees it
    move; elsewhere (SQLite allows one writer) progress is written when the import ends.
    """

    def __init__(self, job_id: int, callback: Callable[[int, int], None] | None) -> None:
        self.job_id = job_id
        self.total = 0
        self.callback = callback
        self.last = 0.0
        self.side = None
        if connection.vendor == "postgresql":
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)

    def set_total(self, total: int) -> None:
        self.total = total
        self._write(0, force=True)

    def __call__(self, done: int) -> None:
        self._write(done)

    def _write(self, done: int, *, force: bool = False) -> None:
        if self.callback is not None:
            self.callback(done, self.total)
        now = time.monotonic()
        if self.side is None or (not force and now - self.last < PROGRESS_EVERY_SECONDS):
            return
        self.last = now
        with self.side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportJob._meta.db_table} SET rows_done = %s, rows_total = %s, "
                f"heartbeat_at = now(), updated_at = now() WHERE id = %s",
                [done, self.total, self.job_id],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def import_job_run(
    *, job_id: int, progress: Callable[[int, int], None] | None = None
) -> ImportJob | None:
    """Claim the job (check or apply) and run it. None when someone else has it, or it is done."""
    now = timezone.now()
    # Only a waiting job is claimed. A delivery of a job already claimed (a late redelivery
    # after its worker died), stalled, failed or done changes nothing: the reaper alone decides
    # what a dead worker left behind (``import_jobs_reap``).
    if ImportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.CHECKING, rows_done=0, heartbeat_at=now, updated_at=now
    ):
        apply = False
    elif ImportJob.objects.filter(pk=job_id, status=Status.APPLY_QUEUED).update(
        status=Status.APPLYING, rows_done=0, heartbeat_at=now, updated_at=now
    ):
        apply = True
    else:
        return None
    job = ImportJob.objects.select_related("created_by", "applied_by").get(pk=job_id)
    # The report's reasons and notes are stored as text: in the language the uploader used
    # Relay in when they uploaded (their saved one, else their browser's), not the worker's.
    with translation.override(job.options.get("language") or settings.LANGUAGE_CODE):
        return _import_job_run_claimed(job=job, apply=apply, progress=progress)


def _import_job_run_claimed(
    *, job: ImportJob, apply: bool, progress: Callable[[int, int], None] | None
) -> ImportJob:
    if apply:
        newer = import_job_newer_applied(job)
        if newer is not None:
            # Never overwrite a newer import of the same data with this older one.
            ImportJob.objects.filter(pk=job.pk, status=Status.APPLYING).update(
                status=Status.REFUSED,
                message=_(
                    "Not applied: import %(id)s of the same data (%(kinds)s) was "
                    "applied on %(when)s, after this one was checked. Check this one again to "
                    "apply it on top of that."
                )
                % {
                    "id": newer.pk,
                    "kinds": ", ".join(sorted(_kinds(job) & _kinds(newer))),
                    "when": newer.applied_at.isoformat(timespec="seconds"),
                },
                updated_at=timezone.now(),
            )
            job.refresh_from_db()
            return job
    user = job.applied_by if apply and job.applied_by else job.created_by
    options = Options.from_dict(job.options)
    tz = timezone_named(settings.TIME_ZONE)
    ctx = ImportContext(
        options=options, today=timezone.now().astimezone(tz).date(), tz=tz, user=user
    )
    writer = _ProgressWriter(job.pk, progress)
    issues = IssueLog(report_path(job))
    notes: list[str] = []
    people = None
    try:
        tables: list[Table] = []
        for entry in job.files:
            storage.archive_check(Path(entry["path"]), entry["name"])
            found, skipped = tables_from_file(
                Path(entry["path"]),
                entry["name"],
                max_bytes=settings.RELAY_IMPORT_MAX_BYTES,
                encodings=options.encodings,
            )
            tables.extend(found)
            notes.extend(
                _("%(name)s: skipped, not a CSV or XLSX file.") % {"name": name} for name in skipped
            )
        plans, skipped_notes = plan_batch(
            tables, source=job.source, ctx=ctx, user=user, kind_key=job.options.get("kind", "")
        )
        notes.extend(skipped_notes)
        job.detected = [plan.describe() for plan in plans]
        plan_check(plans)
        people = people_prepare(plans, ctx)
        sizes = [plan.table.count() for plan in plans]
        header_only = [plan.table.name for plan, size in zip(plans, sizes, strict=True) if not size]
        if header_only:
            # A real export holds many empty objects: nothing to import, no reason to refuse.
            notes.append(
                _("Header only, nothing to import: %(names)s.") % {"names": ", ".join(header_only)}
            )
        writer.set_total(sum(sizes))
        result = run_batch(plans, ctx=ctx, apply=apply, issues=issues, progress=writer, sizes=sizes)
    except ImportRefused as refusal:
        issues.close()
        return _finish(job, status=Status.REFUSED, message=str(refusal), issues=issues, notes=notes)
    except (OperationalError, InterfaceError):
        raise  # a lost connection: the task runs the job again
    except Exception as exc:
        # Whatever a file holds, the job never stays "checking": it ends, saying why.
        issues.close()
        return _finish(
            job,
            status=Status.FAILED,
            message=_("the import stopped on an unexpected error: %(error)s")
            % {"error": f"{type(exc).__name__}: {exc}"[:500]},
            issues=issues,
            notes=notes,
        )
    finally:
        issues.close()
        writer.close()
    job.counts = result.as_counts()
    if people is not None:
        job.counts["people"] = people.describe()
    job.rows_total = job.counts["total"]["rows"]
    job.rows_done = job.rows_total
    if result.refused:
        return _finish(
            job, status=Status.REFUSED, message=result.refused, issues=issues, notes=notes
        )
    totals = job.counts["total"]
    latest = result.latest()
    if latest is not None:
        job.counts["latest"] = latest.isoformat()
    if apply:
        job.applied_at = timezone.now()
        if totals["created"] or totals["updated"] or totals.get("deleted"):
            notes.append(_scoring_after_import(latest=latest, today=ctx.today, user=job.applied_by))
        return _finish(job, status=Status.APPLIED, message="", issues=issues, notes=notes)
    job.checked_at = timezone.now()
    rejected = totals["rejected"]
    if rejected and rejected >= totals["rows"] - totals.get("skipped", 0):
        return _finish(
            job,
            status=Status.REFUSED,
            message=ngettext(
                "The only row was rejected: nothing will be applied. See the report.",
                "All %(count)s rows were rejected: nothing will be applied. See the report.",
                rejected,
            )
            % {"count": rejected},
            issues=issues,
            notes=notes,
        )
    message = ""
    if rejected and not options.skip_rejected:
        message = ngettext(
            "%(count)s row rejected: nothing will be applied unless you choose to skip it.",
            "%(count)s rows rejected: nothing will be applied unless you choose to skip them.",
            rejected,
        ) % {"count": rejected}
    if latest is not None and latest < ctx.today - dt.timedelta(days=RECENT_DATA_DAYS):
        notes.append(
            ngettext(
                "The data ends on %(day)s, %(days)s day ago: applying it will not queue a "
                "scoring run as of today.",
                "The data ends on %(day)s, %(days)s days ago: applying it will not queue a "
                "scoring run as of today.",
                (ctx.today - latest).days,
            )
            % {"day": latest.isoformat(), "days": (ctx.today - latest).days}
        )
    return _finish(job, status=Status.CHECKED, message=message, issues=issues, notes=notes)


def _scoring_after_import(*, latest: dt.date | None, today: dt.date, user: User | None) -> str:
    """Queue a scoring run when the imported data reaches near today; say what was done."""
    if latest is not None and latest < today - dt.timedelta(days=RECENT_DATA_DAYS):
        return ngettext(
            "No scoring run was queued: the data ends on %(day)s, %(days)s day ago. Score as "
            "of that date (manage.py score_reps --as-of %(day)s) to see its risks.",
            "No scoring run was queued: the data ends on %(day)s, %(days)s days ago. Score as "
            "of that date (manage.py score_reps --as-of %(day)s) to see its risks.",
            (today - latest).days,
        ) % {"day": latest.isoformat(), "days": (today - latest).days}
    # New history changes the risk picture: rescore rather than wait for the night.
    scoring_run_request(requested_by=user)
    return _("A scoring run was queued: the data reaches %(day)s.") % {
        "day": (latest or today).isoformat()
    }


def _finish(
    job: ImportJob, *, status: str, message: str, issues: IssueLog, notes: list[str]
) -> ImportJob:
    job.status = status
    job.message = "\n".join(filter(None, [message, *notes]))
    job.issues = issues.kept
    job.issues_total = issues.total
    if status == Status.REFUSED and not job.rows_total:
        job.rows_done = 0
    job.save()
    return job


def import_job_fail(*, job_id: int, message: str) -> None:
    """Mark a job whose run crashed, so the page stops waiting and says so."""
    ImportJob.objects.filter(pk=job_id, status__in=[Status.CHECKING, Status.APPLYING]).update(
        status=Status.FAILED, message=message[:2000], updated_at=timezone.now()
    )


def _kinds(job: ImportJob) -> set[str]:
    return {entry["kind"] for entry in job.detected if entry.get("kind")}


def import_job_newer_applied(job: ImportJob) -> ImportJob | None:
    """An import of the same source applied after ``job`` was checked, if there is one.

    "The same source" means at least one kind of file in common, as the check recognised it
    (``detected[].kind``). A kind names its origin and object: ``relay.customers`` (the Relay
    template), ``salesforce.Account``, ``hubspot.deals``..., so a Salesforce export and a
    HubSpot one never block each other, while two Salesforce exports of the accounts do. Such a
    newer import wrote the same rows, so applying this older check over it would put old data
    back.
    """
    since = job.checked_at or job.created_at
    kinds = _kinds(job)
    if not kinds:
        return None
    newer = (
        ImportJob.objects.filter(status=Status.APPLIED, applied_at__gt=since)
        .exclude(pk=job.pk)
        .order_by("-applied_at")
    )
    for other in newer:
        if kinds & _kinds(other):
            return other
    return None


@dataclass
class Reaped:
    requeued: list[int] = field(default_factory=list)
    stalled: list[int] = field(default_factory=list)


# The import task's hard time limit (retention.imports.tasks): no job works longer than this.
IMPORT_TIME_LIMIT_SECONDS = 2 * 60 * 60 + 300


def import_jobs_reap(*, now: dt.datetime | None = None) -> Reaped:
    """Every minute (beat): take a job with no heartbeat for RELAY_JOB_STALL_SECONDS as stalled.

    A job waiting or being checked has written nothing (a check rolls back): it is re-queued
    through the outbox. A waiting job's message is simply sent again, once per stall window (it
    may only be behind a long queue; a second delivery is refused by the claim); a check that
    stalls more than RELAY_JOB_MAX_RESUMES times (a file that kills its worker) ends STALLED.
    A job being
    applied ends STALLED at once with the reason (its transaction rolled back, nothing was
    applied): applying it again unasked could put older data over a newer import, so a person
    retries it, as a new check. A job whose message still waits in the outbox (the broker is
    down) is not stalled. Each step is a compare-and-set on the heartbeat, so two reapers never
    act on the same job twice.
    """
    now = now or timezone.now()
    minutes = stall_minutes()
    reaped = Reaped()
    quiet = stale(now - stall_window())
    working = [Status.CHECKING, Status.APPLYING]
    if connection.vendor == "sqlite":
        # SQLite has one writer: a job at work cannot write its heartbeat beside its own
        # transaction, so only its task's hard time limit says it died.
        died = stale(now - dt.timedelta(seconds=IMPORT_TIME_LIMIT_SECONDS))
        quiet = (Q(status__in=working) & died) | (~Q(status__in=working) & quiet)
    candidates = ImportJob.objects.filter(
        status__in=[Status.QUEUED, Status.CHECKING, Status.APPLY_QUEUED, Status.APPLYING]
    ).filter(quiet)
    for job in list(candidates):
        if job.status in WAITING and _waiting_in_outbox(job.pk):
            continue
        same = as_read(job)
        checking_too_often = (
            job.status == Status.CHECKING and job.resumes >= settings.RELAY_JOB_MAX_RESUMES
        )
        if job.status == Status.APPLYING or checking_too_often:
            if job.status == Status.APPLYING:
                reason = _(
                    "Stalled while applying: no sign of work for %(minutes)d minutes (its "
                    "worker stopped). Nothing was applied. Retry to check the files again."
                ) % {"minutes": minutes}
            else:
                reason = _(
                    "Stalled: no sign of work for %(minutes)d minutes after %(n)d attempts to "
                    "re-queue it. Is a worker running? Retry to check the files again."
                ) % {"minutes": minutes, "n": job.resumes}
            if same.update(status=Status.STALLED, message=reason, heartbeat_at=now, updated_at=now):
                logger.warning("import %s stalled (%s): %s", job.pk, job.status, reason)
                reaped.stalled.append(job.pk)
            continue
        back = Status.APPLY_QUEUED if job.status == Status.APPLY_QUEUED else Status.QUEUED
        with transaction.atomic():
            if not same.update(
                status=back, resumes=job.resumes + 1, rows_done=0, heartbeat_at=now, updated_at=now
            ):
                continue
            _queue(job)
        logger.warning("import %s stalled (%s); re-queued", job.pk, job.status)
        reaped.requeued.append(job.pk)
    return reaped


def import_job_release(*, job_id: int) -> None:
    """Put a claimed job back in its queue (the worker will retry it after a lost connection)."""
    ImportJob.objects.filter(pk=job_id, status=Status.CHECKING).update(status=Status.QUEUED)
    ImportJob.objects.filter(pk=job_id, status=Status.APPLYING).update(status=Status.APPLY_QUEUED)

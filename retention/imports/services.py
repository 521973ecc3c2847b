"""Imports as jobs: create from uploads or paths, check (dry run), apply, and run in a worker."""

import datetime as dt
import time
import uuid
from collections.abc import Callable, Iterable
from functools import partial
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
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from accounts.access import may
from accounts.models import User
from config.errors import ApplicationError
from retention.imports import storage
from retention.imports.errors import ImportRefused
from retention.imports.lookups import ImportContext, Options
from retention.imports.org import people_prepare
from retention.imports.people import BECOMES
from retention.imports.pipeline import IssueLog, plan_batch, plan_check, run_batch
from retention.imports.readers import Table, tables_from_file
from retention.imports.values import timezone_named
from retention.models import ImportJob, SavedColumnMapping
from retention.risk.services import scoring_run_request

Status = ImportJob.Status
# A claimed job shows progress at least every few seconds (PostgreSQL) or is short (SQLite).
STALE_AFTER = dt.timedelta(minutes=10)
PROGRESS_EVERY_SECONDS = 0.5
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
        options={**options.to_dict(), "kind": kind},
        status=status,
    )
    if queue:
        _queue(job)
    return job


def _queue(job: ImportJob) -> None:
    from retention.imports.tasks import import_job_process

    transaction.on_commit(partial(import_job_process.delay, job.pk))


def import_job_apply(*, job: ImportJob, user: User, skip_rejected: bool = False) -> bool:
    """Queue a checked job to be applied. False when it is not (or no longer) waiting for that."""
    if not import_allowed(user=user):
        raise PermissionDenied
    options = {**job.options, "skip_rejected": skip_rejected}
    claimed = ImportJob.objects.filter(pk=job.pk, status=Status.CHECKED).update(
        status=Status.APPLY_QUEUED, options=options, applied_by=user, updated_at=timezone.now()
    )
    if claimed:
        job.refresh_from_db()
        _queue(job)
    return bool(claimed)


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
    return _job_create(
        user=user,
        files=job.files,
        source=job.source,
        options=options,
        kind=job.options.get("kind", ""),
        status=Status.QUEUED,
        origin=job.origin,
    )


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
    return _job_create(
        user=user,
        files=job.files,
        source=job.source,
        options=options,
        kind=job.options.get("kind", ""),
        status=Status.QUEUED,
        origin=job.origin,
    )


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
                f"updated_at = now() WHERE id = %s",
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
    # A run whose worker died (the task is then delivered again) left its claim behind; a claim
    # that has not shown progress for STALE_AFTER is taken over. Its transaction rolled back.
    stale = Q(updated_at__lt=now - STALE_AFTER)
    if ImportJob.objects.filter(
        Q(status=Status.QUEUED) | Q(status=Status.CHECKING) & stale, pk=job_id
    ).update(status=Status.CHECKING, updated_at=now):
        apply = False
    elif ImportJob.objects.filter(
        Q(status=Status.APPLY_QUEUED) | Q(status=Status.APPLYING) & stale, pk=job_id
    ).update(status=Status.APPLYING, updated_at=now):
        apply = True
    else:
        return None
    job = ImportJob.objects.select_related("created_by", "applied_by").get(pk=job_id)
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
        result = run_batch(plans, ctx=ctx, apply=apply, issues=issues, progress=writer)
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
            message=_("All %(count)s rows were rejected: nothing will be applied. See the report.")
            % {"count": rejected},
            issues=issues,
            notes=notes,
        )
    message = ""
    if rejected and not options.skip_rejected:
        message = _(
            "%(count)s rows rejected: nothing will be applied unless you choose to skip them."
        ) % {"count": rejected}
    if latest is not None and latest < ctx.today - dt.timedelta(days=RECENT_DATA_DAYS):
        notes.append(
            _(
                "The data ends on %(day)s, %(days)s days ago: applying it will not queue a "
                "scoring run as of today."
            )
            % {"day": latest.isoformat(), "days": (ctx.today - latest).days}
        )
    return _finish(job, status=Status.CHECKED, message=message, issues=issues, notes=notes)


def _scoring_after_import(*, latest: dt.date | None, today: dt.date, user: User | None) -> str:
    """Queue a scoring run when the imported data reaches near today; say what was done."""
    if latest is not None and latest < today - dt.timedelta(days=RECENT_DATA_DAYS):
        return _(
            "No scoring run was queued: the data ends on %(day)s, %(days)s days ago. Score as "
            "of that date (manage.py score_reps --as-of %(day)s) to see its risks."
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


def import_job_release(*, job_id: int) -> None:
    """Put a claimed job back in its queue (the worker will retry it after a lost connection)."""
    ImportJob.objects.filter(pk=job_id, status=Status.CHECKING).update(status=Status.QUEUED)
    ImportJob.objects.filter(pk=job_id, status=Status.APPLYING).update(status=Status.APPLY_QUEUED)

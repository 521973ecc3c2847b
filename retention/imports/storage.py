"""Guards around stored uploads: per-user size and rate limits, zip bombs refused from the zip's
directory before anything is unpacked, and uploaded files deleted once they are no longer needed.

The importer calls this module at two points only (one line each): when an upload arrives
(:func:`upload_refusal`) and before a stored file is opened (:func:`archive_check`). The nightly
task ``retention.imports.files_purge`` calls :func:`import_files_purge`.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import zipfile
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from retention.imports.errors import ImportRefused
from retention.models import ImportJob

logger = logging.getLogger(__name__)
Status = ImportJob.Status
# Jobs whose files nothing will read again: once these are older than the retention period,
# their uploads (and reports) are deleted.
FINISHED = (Status.REFUSED, Status.FAILED, Status.APPLIED)


def uploads_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


# --- when an upload arrives -------------------------------------------------------------------


def upload_refusal(*, user: User, uploads: Iterable[UploadedFile]) -> str:
    """Why this user may not upload these files now ("" when they may): more imports in the last
    hour than ``RELAY_IMPORT_UPLOADS_PER_HOUR``, or more bytes in the last day than
    ``RELAY_IMPORT_BYTES_PER_DAY`` (0 turns either limit off)."""
    now = timezone.now()
    mine = ImportJob.objects.filter(created_by=user, origin="web")
    per_hour = settings.RELAY_IMPORT_UPLOADS_PER_HOUR
    if per_hour and mine.filter(created_at__gte=now - dt.timedelta(hours=1)).count() >= per_hour:
        return _(
            "You started %(n)s imports in the last hour, the limit "
            "(RELAY_IMPORT_UPLOADS_PER_HOUR). Try again later."
        ) % {"n": per_hour}
    per_day = settings.RELAY_IMPORT_BYTES_PER_DAY
    if per_day:
        today = (
            mine.filter(created_at__gte=now - dt.timedelta(days=1)).aggregate(
                total=Sum("file_size")
            )["total"]
            or 0
        )
        size = sum(upload.size or 0 for upload in uploads)
        if today + size > per_day:
            return _(
                "This upload (%(size)s bytes) would take you over %(limit)s bytes uploaded in "
                "a day (RELAY_IMPORT_BYTES_PER_DAY). Try again tomorrow or ask an admin."
            ) % {"size": size, "limit": per_day}
    return ""


# --- before a stored file is opened -----------------------------------------------------------


def archive_check(path: Path, name: str) -> None:
    """Refuse (ImportRefused) a zip, or an XLSX, which is one, whose directory says it unpacks
    to more than ``RELAY_IMPORT_MAX_UNPACK_RATIO`` times its size or more than
    ``RELAY_IMPORT_MAX_UNPACKED_BYTES`` in all. Only the directory is read, nothing unpacked;
    reading a member never yields more than the size the directory declares."""
    if not zipfile.is_zipfile(path):
        return
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        return  # the reader says what is wrong with it
    packed = max(path.stat().st_size, 1)
    cap = settings.RELAY_IMPORT_MAX_UNPACKED_BYTES
    ratio = settings.RELAY_IMPORT_MAX_UNPACK_RATIO
    if cap and unpacked > cap:
        raise ImportRefused(
            _(
                "it unpacks to %(unpacked)s bytes, over the limit of %(cap)s bytes "
                "(RELAY_IMPORT_MAX_UNPACKED_BYTES). Split it into smaller files."
            )
            % {"unpacked": unpacked, "cap": cap},
            file_name=name,
        )
    if ratio and unpacked > ratio * packed:
        raise ImportRefused(
            _(
                "it unpacks to %(times)s times its size, over the limit of %(ratio)s "
                "(RELAY_IMPORT_MAX_UNPACK_RATIO); real exports do not compress that well."
            )
            % {"times": unpacked // packed, "ratio": ratio},
            file_name=name,
        )


# --- afterwards -------------------------------------------------------------------------------


def import_files_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the stored uploads and reports of jobs refused, failed or applied more than
    ``RELAY_IMPORT_RETENTION_DAYS`` ago; the job rows stay, with no files. A file that a newer
    job (a re-check with other column mappings) still uses is kept until that job is purged too.
    Only files under ``MEDIA_ROOT/imports/`` are touched: a job started by the management
    command reads files in place, and those are never deleted. Returns the jobs purged."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.RELAY_IMPORT_RETENTION_DAYS)
    root = uploads_dir().resolve()
    expired = list(
        ImportJob.objects.filter(status__in=FINISHED, updated_at__lt=cutoff).exclude(files=[])
    )
    if not expired:
        return 0
    expired_ids = {job.pk for job in expired}
    still_needed = {
        entry["path"]
        for files in ImportJob.objects.exclude(pk__in=expired_ids)
        .exclude(files=[])
        .values_list("files", flat=True)
        for entry in files
    }
    folders: set[Path] = set()
    for job in expired:
        for entry in job.files:
            path = Path(entry["path"]).resolve()
            if entry["path"] in still_needed or not path.is_relative_to(root):
                continue
            path.unlink(missing_ok=True)
            folders.add(path.parent)
        (root / "reports" / f"job-{job.pk}.csv").unlink(missing_ok=True)
        ImportJob.objects.filter(pk=job.pk).update(files=[])
    for folder in folders:
        if folder != root and folder.is_relative_to(root) and not any(folder.iterdir()):
            shutil.rmtree(folder, ignore_errors=True)
    logger.info("imports: deleted the stored files of %s finished jobs", len(expired))
    return len(expired)

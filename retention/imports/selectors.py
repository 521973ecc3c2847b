"""Reads for the import pages and API: which jobs a user may see, and template files."""

import csv
import io

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Team, User
from retention.imports.kinds import KINDS, FileKind
from retention.imports.services import import_allowed
from retention.models import ImportJob


def import_jobs_visible(*, user: User) -> QuerySet[ImportJob]:
    """Admins see every import; HR sees its own; nobody else sees any."""
    if not import_allowed(user=user):
        return ImportJob.objects.none()
    jobs = ImportJob.objects.select_related("created_by")
    return jobs if user.is_relay_admin else jobs.filter(created_by=user)


def import_job_get_visible(*, user: User, job_id: int) -> ImportJob:
    return get_object_or_404(import_jobs_visible(user=user), pk=job_id)


def import_kinds_for(*, user: User) -> list[FileKind]:
    """The file kinds the user may import, for the page's lists and the mapping form."""
    return [kind for kind in KINDS.values() if user.is_relay_admin or kind.hr_may_import]


def import_templates_for(*, user: User) -> list[FileKind]:
    return [kind for kind in import_kinds_for(user=user) if kind.is_template]


def import_template_get(*, user: User, key: str) -> FileKind:
    kind = KINDS.get(f"relay.{key}")
    if kind is None or kind not in import_templates_for(user=user):
        raise Http404
    return kind


def import_template_csv(*, kind: FileKind) -> bytes:
    """The template as CSV (UTF-8 with a BOM so Excel opens it right): header and one example."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([field.aliases[0] for field in kind.fields])
    writer.writerow([field.example for field in kind.fields])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def import_template_xlsx(*, kind: FileKind) -> bytes:
    """The template as XLSX: the first sheet to fill in, a second sheet explaining each column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(kind.label)[:31]
    sheet.append([field.aliases[0] for field in kind.fields])
    sheet.append([field.example for field in kind.fields])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    about = workbook.create_sheet("About")
    about.append(["column", "required", "meaning"])
    for field in kind.fields:
        about.append([field.aliases[0], "yes" if field.required else "", str(field.help)])
    if kind.description:
        about.append([])
        about.append([str(kind.description)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def import_teams() -> QuerySet[Team]:
    return Team.objects.select_related("parent").order_by("parent__name", "name")

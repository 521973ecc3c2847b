"""Reads for the import pages and API: which jobs a user may see, and template files."""

import csv
import io

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.access import may
from accounts.models import Team, User
from retention.imports.kinds import KINDS, FileKind
from retention.imports.services import IMPORT_CRM, SEE_IMPORTS
from retention.models import ImportJob


def import_jobs_visible(*, user: User) -> QuerySet[ImportJob]:
    """Imports are the organisation's, not a team's: every one for a role that may see imports
    (admins and HR), none for anyone else (whose pages answer 403 before asking)."""
    if not may(user, SEE_IMPORTS):
        return ImportJob.objects.none()
    return ImportJob.objects.select_related("created_by")


def import_job_get_visible(*, user: User, job_id: int) -> ImportJob:
    return get_object_or_404(import_jobs_visible(user=user), pk=job_id)


def import_kinds_for(*, user: User) -> list[FileKind]:
    """The file kinds the user may import, for the page's lists and the mapping form."""
    crm = may(user, IMPORT_CRM)
    return [kind for kind in KINDS.values() if crm or kind.hr_may_import]


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

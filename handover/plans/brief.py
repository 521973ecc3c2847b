"""The handover brief for one recipient as an XLSX workbook (the HTML print view is a template)."""

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from config.money import spreadsheet_money_format
from handover.models import HandoverItem, HandoverPlan
from retention.knowledge.selectors import part_labels


def brief_xlsx(*, plan: HandoverPlan, recipient_name: str, items: list[HandoverItem]) -> bytes:
    """The items carry their customer's knowledge (``selectors.attach_knowledge``)."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Handover brief")[:31]
    sheet.append([_("Handover from %(rep)s to %(to)s") % {"rep": plan.rep, "to": recipient_name}])
    sheet["A1"].font = Font(bold=True, size=13)
    last_day = plan.rep.departure_date.isoformat() if plan.rep.departure_date else "—"
    sheet.append([_("Rep's last day"), last_day])
    sheet.append([])
    headers = [
        _("Rank"),
        _("Customer"),
        _("Key account"),
        _("Annual revenue"),
        _("Mode"),
        _("Cover until"),
        *part_labels().values(),
        _("Note status"),
    ]
    sheet.append(headers)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for item in items:
        if not item.customer.is_key_account:
            status = _("Not required")
        elif item.note_complete:
            status = _("Written")
        else:
            status = _("Missing")
        sheet.append(
            [
                item.rank,
                item.customer.name,
                _("Yes") if item.customer.is_key_account else _("No"),
                float(item.customer.annual_revenue),
                item.get_mode_display(),
                item.cover_until.isoformat() if item.cover_until else "",
                *(text for _part, _label, text in item.note_parts),
                status,
            ]
        )
        for cell in sheet[sheet.max_row]:
            # openpyxl turns text starting with "=" into a formula; notes are text.
            if cell.data_type == "f":
                cell.data_type = "s"
        sheet.cell(row=sheet.max_row, column=4).number_format = spreadsheet_money_format(
            item.customer.currency
        )
    for column, width in zip(
        "ABCDEFGHIJK", (6, 30, 8, 14, 18, 12, 40, 40, 30, 30, 12), strict=True
    ):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=5):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = BytesIO()
    book.save(out)
    return out.getvalue()

"""The routing table as CSV or XLSX, ready for a call-routing or CRM assignment rule.

Column names are fixed (and English) so a rule built on them keeps working; ids come first so a
CRM can match rows without relying on names.
"""

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from config.money import spreadsheet_money_format
from retention.dashboard.selectors import RoutingRow
from retention.spreadsheets import formula_safe

COLUMNS: list[tuple[str, str]] = [
    ("customer_id", "customer_id"),
    ("customer_source", "customer_source"),
    ("customer_external_id", "customer_external_id"),
    ("customer_name", "customer_name"),
    ("annual_revenue", "annual_revenue"),
    # Plain numbers (a rule or a spreadsheet reads them), so the currency is its own column.
    ("currency", "annual_revenue_currency"),
    ("owner_id", "owner_rep_id"),
    ("owner_crm_user_id", "owner_crm_user_id"),
    ("owner_name", "owner_name"),
    ("owner_email", "owner_email"),
    ("owner_team", "owner_team"),
    ("owner_probability", "owner_risk_probability"),
    ("alternate_kind", "alternate_kind"),
    ("alternate_rep_id", "alternate_rep_id"),
    ("alternate_user_id", "alternate_manager_user_id"),
    ("alternate_crm_user_id", "alternate_crm_user_id"),
    ("alternate_name", "alternate_name"),
    ("alternate_email", "alternate_email"),
    ("reason", "reason"),
]
HEADER = [header for _attr, header in COLUMNS]


def _cells(row: RoutingRow) -> list:
    cells = []
    for attr, _header in COLUMNS:
        value = getattr(row, attr)
        if value is None:
            value = ""
        elif isinstance(value, Decimal):
            value = float(value)
        elif isinstance(value, float):
            value = round(value, 4)
        elif isinstance(value, str):
            value = formula_safe(value)
        cells.append(value)
    return cells


def routing_csv(rows: Iterable[RoutingRow]) -> bytes:
    """UTF-8 with a BOM, so Excel opens names in any script correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(_cells(row))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def routing_xlsx(rows: Iterable[RoutingRow]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("routing")
    sheet.append(HEADER)
    revenue = HEADER.index("annual_revenue")
    for row in rows:
        cells = [WriteOnlyCell(sheet, value=value) for value in _cells(row)]
        cells[revenue].number_format = spreadsheet_money_format(row.currency)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

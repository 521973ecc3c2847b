"""Cells for files people open in a spreadsheet (exports, error reports)."""

# A cell starting with one of these is run as a formula by Excel, LibreOffice or Sheets
# (CSV injection); a leading quote makes it plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: object) -> str:
    """The value as text that a spreadsheet shows, never runs."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text

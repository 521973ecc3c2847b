"""Reading files as they come: delimiters, quoting, encodings, XLSX, zips, and what is refused."""

import codecs
import zipfile

import pytest
from openpyxl import Workbook

from retention.imports.errors import ImportRefused
from retention.imports.readers import tables_from_file

LIMIT = 10_000_000


def rows_of(path):
    tables, _skipped = tables_from_file(path, path.name, max_bytes=LIMIT)
    return [(table.header, [cells for _number, cells in table.rows()]) for table in tables]


def test_semicolon_file_with_quoted_line_breaks_is_read_whole(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text('employee_id;note\nE-1;"first line\nsecond; line"\nE-2;plain\n')

    [(header, rows)] = rows_of(path)

    assert header == ["employee_id", "note"]
    assert rows == [["E-1", "first line\nsecond; line"], ["E-2", "plain"]]


def test_tab_separated_file_is_recognised(tmp_path):
    path = tmp_path / "people.tsv"
    path.write_text("employee_id\tfirst_name\nE-1\tWei\n")

    assert rows_of(path) == [(["employee_id", "first_name"], [["E-1", "Wei"]])]


@pytest.mark.parametrize(
    "encoding,prefix",
    [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("gb18030", b""), ("gbk", b"")],
)
def test_chinese_names_survive_every_common_encoding(tmp_path, encoding, prefix):
    path = tmp_path / "people.csv"
    path.write_bytes(prefix + "employee_id,last_name\nE-1,张伟\n".encode(encoding))

    assert rows_of(path) == [(["employee_id", "last_name"], [["E-1", "张伟"]])]


def test_row_numbers_count_like_a_spreadsheet_even_after_line_breaks(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('id,note\n1,"a\nb"\n2,c\n')
    table = tables_from_file(path, "x.csv", max_bytes=LIMIT)[0][0]

    assert [number for number, _cells in table.rows()] == [3, 4]


def test_xlsx_first_sheet_is_read_with_native_values(tmp_path):
    workbook = Workbook()
    workbook.active.append(["employee_id", "hire_date", "annual_quota"])
    workbook.active.append(["E-1", "2021-04-01", 500000])
    workbook.active.append([None, None, None])
    path = tmp_path / "people.xlsx"
    workbook.save(path)

    assert rows_of(path) == [
        (["employee_id", "hire_date", "annual_quota"], [["E-1", "2021-04-01", 500000]])
    ]


def test_zip_yields_each_csv_and_notes_what_it_skips(tmp_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("export/Account.csv", "Id,Name,OwnerId\n1,A,U\n")
        archive.writestr("export/Attachments/logo.png", b"\x89PNG....")
    tables, skipped = tables_from_file(path, "export.zip", max_bytes=LIMIT)

    assert [table.name for table in tables] == ["Account.csv"]
    assert skipped == ["logo.png"]


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "empty"),
        (b"\n\n", "empty"),
        (b"%PDF-1.7 binary", "not a spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel", ".xls"),
        (b"id,name\n1,\x00\x01\x02", "binary"),
        (b"PK\x03\x04broken", "damaged"),
    ],
)
def test_files_that_are_not_spreadsheets_are_refused_with_a_reason(tmp_path, content, message):
    path = tmp_path / "upload.csv"
    path.write_bytes(content)

    with pytest.raises(ImportRefused, match=message):
        tables_from_file(path, path.name, max_bytes=LIMIT)


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("id\n" + "1\n" * 100)

    with pytest.raises(ImportRefused, match="over the limit of 50 bytes"):
        tables_from_file(path, path.name, max_bytes=50)


def test_utf16_text_from_excel_unicode_export_is_read(tmp_path):
    path = tmp_path / "people.txt"
    path.write_bytes("employee_id\tlast_name\nE-1\t王芳\n".encode("utf-16"))

    assert rows_of(path) == [(["employee_id", "last_name"], [["E-1", "王芳"]])]


def test_xlsx_inside_a_zip_is_read(tmp_path):
    workbook = Workbook()
    workbook.active.append(["customer_id", "name"])
    workbook.active.append(["C-1", "Acme"])
    inner = tmp_path / "customers.xlsx"
    workbook.save(inner)
    path = tmp_path / "batch.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(inner, "customers.xlsx")

    assert rows_of(path) == [(["customer_id", "name"], [["C-1", "Acme"]])]

"""Accounts, opportunities and cases: the column path (PostgreSQL) imports exactly what the
per-row path does.

A small export whose Account.csv, Opportunity.csv and Case.csv hold, beside the sample rows
and many ordinary ones, rows that test every check: bad and odd ids, owners and accounts,
amounts, currencies, dates, yes/no values, scores, duplicates, rows the CRM deleted, quoted
text with line breaks, blank lines. One customer's owner was set in Relay, so the customers'
writer keeps it and says so. Imported once each way (in chunks of 7 rows, so that chunks and
the writer's notes about them matter), the stored customers, owners, deals and cases, the
counts and the report (every row's outcome and reason, in order) are equal.
"""

import contextlib
import csv
import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
import time_machine
from django.db import transaction

from retention.imports import pipeline
from retention.imports.columnar import read_columnar
from retention.imports.readers import csv_table
from retention.imports.services import report_path
from retention.models import Assignment, Customer, Deal, ServiceRecord
from tests.retention.imports.conftest import SALESFORCE, rows_each_way, run_import

pytestmark = pytest.mark.django_db
FROZEN = dt.datetime(2024, 4, 2, 9, 0, tzinfo=dt.UTC)
REP = "005Ec000004oBPNIA2"
OTHER_REP = "005Ec000004o8yHIAQ"
ACCOUNT = "001Ec00000GGw40IAD"
KEPT = "001Ec00000GGw3hIAD"  # its owner was set in Relay before the import
UNKNOWN = "001XXXXXXXXXXXXXXX"
MOMENT = "2024-03-01T10:00:00.000+0000"


def _rebuilt(name: str, target: Path, rows: list[dict[str, str]], extra: tuple = ()) -> Path:
    """The sample file with ``extra`` columns and ``rows`` appended (by column name), as
    Salesforce writes it; a row given as None is a blank line."""
    text = (SALESFORCE / name).read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    header = [*reader.fieldnames, *extra]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in [*reader, *rows]:
        if row is None:
            out.write("  ,\n")
            continue
        writer.writerow([row.get(column) or "" for column in header])
    target.write_bytes(out.getvalue().encode("utf-8-sig"))
    return target


def _account(number: int, **cells: str) -> dict[str, str]:
    row = {
        "Id": f"001EDGE{number:011d}",
        "IsDeleted": "false",
        "Name": f"Edge account {number}",
        "Industry": "Retail",
        "AnnualRevenue": "125000",
        "CurrencyIsoCode": "",
        "BillingCountry": "China",
        "OwnerId": REP if number % 3 else OTHER_REP,
        "CreatedDate": MOMENT,
    }
    row.update(cells)
    return row


ACCOUNT_EDGES = [
    *(_account(number) for number in range(100, 130)),  # ordinary rows, for the column path
    _account(1, Id=KEPT),  # the sample's id again: a duplicate
    _account(2, Id=""),
    _account(3, Id="x" * 70),
    _account(4, Name=""),
    _account(5, Name="n" * 250, Industry="i" * 130),
    _account(6, OwnerId="005XXXXXXXXXXXXXXX"),  # unknown: flagged, kept without an owner
    _account(7, OwnerId="wei.li@example.com"),  # the rep's e-mail: the per-row lookup finds them
    _account(8, OwnerId=""),
    _account(9, OwnerId="000000000000000AAA"),
    _account(10, AnnualRevenue=""),
    _account(11, AnnualRevenue="1,234.50"),
    _account(12, AnnualRevenue="$12"),
    _account(13, AnnualRevenue="-5"),
    _account(14, AnnualRevenue="1e20"),
    _account(15, AnnualRevenue="abc"),
    _account(16, AnnualRevenue="12.345"),
    _account(17, AnnualRevenue="99999999999999.99"),
    _account(18, AnnualRevenue="100000000000000"),
    _account(19, CurrencyIsoCode="usd"),  # another currency with an amount: flagged
    _account(20, CurrencyIsoCode="CNY"),
    _account(21, CurrencyIsoCode="EUR", AnnualRevenue=""),
    _account(22, CurrencyIsoCode="EUR", AnnualRevenue="0"),
    _account(23, CurrencyIsoCode="US$"),
    _account(24, CurrencyIsoCode="ABC"),
    _account(25, CurrencyIsoCode=" cny "),
    _account(26, CreatedDate="03/31/2024"),
    _account(27, CreatedDate="2024-02-30"),
    _account(28, CreatedDate=""),
    _account(29, CreatedDate="2030-01-01T00:00:00.000+0000"),  # after today: owned from today
    _account(30, CreatedDate="0000-01-01T00:00:00.000+0000"),
    _account(31, IsDeleted="true", Id="001NEVERIMPORTED01"),
    _account(32, IsDeleted="true", Id=ACCOUNT),  # deleted after its live row: nothing more
    _account(33, IsDeleted="maybe"),
    _account(34, BillingCountry="", BillingState="CA"),
    _account(35, Name='Acme "North"\nand South'),
    _account(36, Name="\\N"),
    _account(37, Id="  001EDGEPADDED0001  ", Name="  padded  "),
    None,
    _account(38, Name="\x1cseparated\x1c"),
    _account(39, Id="001EDGEDUP00000001", AnnualRevenue="1 000"),  # first, on the row path
    _account(40, Id="001EDGEDUP00000001"),  # then again
    *(_account(number) for number in range(130, 145)),
]


def _opportunity(number: int, **cells: str) -> dict[str, str]:
    row = {
        "Id": f"006EDGE{number:011d}",
        "IsDeleted": "false",
        "AccountId": ACCOUNT,
        "Name": f"Edge deal {number}",
        "StageName": ("Prospecting", "Negotiation", "Closed Won", "Closed Lost")[number % 4],
        "Amount": f"{number * 1000}.50",
        "CurrencyIsoCode": "",
        "CloseDate": "2024-05-01",
        "IsClosed": "false",
        "IsWon": "false",
        "OwnerId": REP,
        "CreatedDate": MOMENT,
    }
    row.update(cells)
    return row


OPPORTUNITY_EDGES = [
    *(_opportunity(number) for number in range(100, 130)),
    _opportunity(1, Id="006Ec00000AieKFIAZ"),  # the sample's first id again
    _opportunity(2, Id=""),
    _opportunity(3, AccountId=UNKNOWN),
    _opportunity(4, AccountId=""),
    _opportunity(5, AccountId="000000000000000AAA"),
    _opportunity(6, AccountId=f"{ACCOUNT};{UNKNOWN}"),
    _opportunity(7, AccountId="001EDGE00000000004"),  # an account the edges rejected
    _opportunity(8, AccountId="001EDGE00000000100"),  # one they imported
    _opportunity(9, OwnerId="005XXXXXXXXXXXXXXX"),
    _opportunity(10, OwnerId="wei.li@example.com"),
    _opportunity(11, OwnerId=""),
    _opportunity(12, Amount=""),
    _opportunity(13, Amount="-1"),
    _opportunity(14, Amount="1,5"),
    _opportunity(15, Amount="12.345"),
    _opportunity(16, Amount="abc"),
    _opportunity(17, CurrencyIsoCode="EUR"),
    _opportunity(18, CurrencyIsoCode="EUR", Amount="0"),
    _opportunity(19, CurrencyIsoCode="bad"),
    _opportunity(20, CloseDate="", CreatedDate=""),
    _opportunity(21, CloseDate="2023-12-01"),  # closed before it was entered
    _opportunity(22, CloseDate="2024-13-01"),
    _opportunity(23, CloseDate="05/01/2024"),
    _opportunity(24, CloseDate=""),
    _opportunity(25, CreatedDate=""),
    _opportunity(26, IsWon="maybe"),
    _opportunity(27, IsClosed="1", StageName="Lost it"),
    _opportunity(28, StageName="closed won"),
    _opportunity(29, IsWon="true", StageName="Prospecting"),
    _opportunity(30, IsDeleted="true", Id="006NEVERIMPORTED01"),
    _opportunity(31, Name="Line one\r\nline two", StageName="s" * 90),
    _opportunity(32, IsDeleted="yes"),
    None,
    _opportunity(33, Id="006EDGEDUP00000001", Amount="1 000"),
    _opportunity(34, Id="006EDGEDUP00000001"),
    *(_opportunity(number) for number in range(130, 145)),
]


def _case(number: int, **cells: str) -> dict[str, str]:
    row = {
        "Id": f"500EDGE{number:011d}",
        "IsDeleted": "false",
        "CaseNumber": f"{number:08d}",
        "AccountId": ACCOUNT,
        "Type": "Problem",
        "Status": "Closed",
        "Priority": "Medium",
        "IsClosed": "true",
        "ClosedDate": "2024-03-02T11:30:00.000+0000",
        "IsEscalated": "false",
        "OwnerId": REP,
        "CreatedDate": "2024-03-01T08:00:00.000+0000",
        "CSAT__c": "" if number % 2 else str(number % 5 + 1),
    }
    row.update(cells)
    return row


CASE_EDGES = [
    *(_case(number) for number in range(100, 130)),
    _case(1, Id="500Ec00000X1a1aIAA"),
    _case(2, Id=""),
    _case(3, OwnerId=""),
    _case(4, OwnerId="005XXXXXXXXXXXXXXX"),
    _case(5, OwnerId="wei.li@example.com"),
    _case(6, AccountId=UNKNOWN),  # flagged, kept without a customer
    _case(7, AccountId=""),
    _case(8, AccountId=f"{ACCOUNT};{UNKNOWN}"),
    _case(9, CSAT__c="4.5"),
    _case(10, CSAT__c="6"),
    _case(11, CSAT__c="-1"),
    _case(12, CSAT__c="abc"),
    _case(13, CSAT__c="4,5"),
    _case(14, CSAT__c="4.555"),
    _case(15, CSAT__c="5.00"),
    _case(16, ClosedDate="2024-02-28T08:00:00.000+0000"),  # before it was opened
    _case(17, ClosedDate="", CreatedDate=""),
    _case(18, ClosedDate=""),
    _case(19, CreatedDate=""),
    _case(20, CreatedDate="03/01/2024 08:00 AM"),
    _case(21, CreatedDate="2024-03-01 08:00", ClosedDate="2024-03-01T23:59:59Z"),
    _case(22, ClosedDate="soon"),
    _case(23, IsEscalated="maybe"),
    _case(24, IsEscalated="true"),
    _case(25, Status="Escalated to tier 2"),
    _case(26, Type="Complaint"),
    _case(27, Priority="p" * 50),
    _case(28, IsDeleted="true", Id="500NEVERIMPORTED01"),
    _case(29, ClosedDate="2024-03-01T08:00:59.999+0000"),  # resolved within the minute
    None,
    _case(30, Id="500EDGEDUP00000001", CSAT__c=" 3 "),
    _case(31, Id="500EDGEDUP00000001"),
    *(_case(number) for number in range(130, 145)),
]


def _export(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "export"
    folder.mkdir()
    shutil.copy(SALESFORCE / "User.csv", folder / "User.csv")
    currency = ("CurrencyIsoCode",)
    return [
        folder / "User.csv",
        _rebuilt("Account.csv", folder / "Account.csv", ACCOUNT_EDGES, currency),
        _rebuilt("Opportunity.csv", folder / "Opportunity.csv", OPPORTUNITY_EDGES, currency),
        _rebuilt("Case.csv", folder / "Case.csv", CASE_EDGES),
    ]


class _Undo(Exception):
    pass


_KINDS = {
    "Account.csv": "salesforce.account",
    "Opportunity.csv": "salesforce.opportunity",
    "Case.csv": "salesforce.case",
}


def _import_and_photograph(paths: list[Path], team_id: int, rep) -> dict:
    """Apply the export, note what it stored and said, then roll everything back."""
    photo: dict = {}
    with contextlib.suppress(_Undo), transaction.atomic():
        kept = Customer.objects.create(source="salesforce", external_id=KEPT, name="Kept")
        Assignment.objects.create(
            customer=kept,
            rep=rep,
            role=Assignment.Role.OWNER,
            valid_from=dt.date(2023, 1, 1),
            source=Assignment.Source.MANUAL,
        )
        job = run_import(*paths, default_team_id=team_id, skip_rejected=True)
        photo["each_way"] = {
            path.name: rows_each_way(path, _KINDS[path.name], FROZEN.date()) for path in paths[1:]
        }
        photo["status"] = job.status
        photo["counts"] = job.counts
        photo["report"] = report_path(job).read_text(encoding="utf-8-sig")
        photo["customers"] = sorted(
            Customer.objects.values_list(
                "source",
                "external_id",
                "name",
                "industry",
                "region",
                "annual_revenue",
                "currency",
                "is_deleted",
            )
        )
        photo["owners"] = sorted(
            Assignment.objects.values_list(
                "customer__external_id",
                "rep__crm_user_id",
                "rep__last_name",
                "role",
                "valid_from",
                "valid_to",
                "source",
            ),
            key=repr,
        )
        photo["deals"] = sorted(
            Deal.objects.values_list(
                "source",
                "external_id",
                "customer__external_id",
                "owner__crm_user_id",
                "name",
                "stage",
                "amount",
                "currency",
                "created_on",
                "close_date",
                "status",
                "is_deleted",
            ),
            key=repr,
        )
        photo["cases"] = sorted(
            ServiceRecord.objects.values_list(
                "source",
                "external_id",
                "rep__crm_user_id",
                "customer__external_id",
                "date",
                "score",
                "scale_max",
                "is_complaint",
                "is_escalated",
                "priority",
                "opened_at",
                "closed_at",
                "resolution_minutes",
                "is_deleted",
            ),
            key=repr,
        )
        raise _Undo
    return photo


@pytest.mark.postgres
@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai"])
@time_machine.travel(FROZEN, tick=False)
def test_accounts_deals_and_cases_take_the_column_path_and_store_what_the_row_path_does(
    tmp_path, settings, monkeypatch, team_north_a, rep_a, zone
):
    settings.TIME_ZONE = zone
    settings.RELAY_CURRENCY = "CNY"
    monkeypatch.setattr(pipeline, "_chunk_size", lambda: 7)
    paths = _export(tmp_path)
    for path in paths[1:]:
        table = csv_table(path.name, lambda path=path: path.open("rb"))
        read = read_columnar(table)
        assert read is not None, f"{path.name} would not take the column path"
        read.close()

    settings.RELAY_IMPORT_COLUMNAR = True
    columns = _import_and_photograph(paths, team_north_a.pk, rep_a)
    settings.RELAY_IMPORT_COLUMNAR = False
    rows = _import_and_photograph(paths, team_north_a.pk, rep_a)

    assert columns["status"] == "applied"
    # Both ways are taken: the ordinary rows pass the vectorised checks, the edges do not.
    for name, (fast, slow) in columns["each_way"].items():
        assert fast >= 45, name
        assert slow >= 15, name
    files = {entry["name"]: entry for entry in columns["counts"]["files"]}
    for name in _KINDS:
        assert files[name]["rejected"] >= 8, name  # the edges did reach the checks
        assert files[name]["flagged"] >= 1, name
        assert files[name]["skipped"] >= 1, name  # deleted in the CRM, never imported
    kept = [line for line in columns["report"].splitlines() if "set in Relay" in line]
    assert len(kept) == 1, "the customers' writer kept the owner set in Relay and said so"
    assert len(columns["customers"]) > 60
    assert len(columns["deals"]) > 90
    assert len(columns["cases"]) > 45
    for key in ("customers", "owners", "deals", "cases", "counts"):
        assert columns[key] == rows[key], key
    assert columns["report"].splitlines() == rows["report"].splitlines()

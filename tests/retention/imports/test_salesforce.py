"""Salesforce exports: the sample files as Salesforce writes them, singly and as a whole .zip."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from accounts.models import Team
from retention.models import (
    Activity,
    Assignment,
    Customer,
    Deal,
    ImportJob,
    SalesRep,
    ScoringRun,
    ServiceRecord,
)
from tests.conftest import make_rep
from tests.retention.imports.conftest import SALESFORCE, make_zip, run_import, snapshot

pytestmark = pytest.mark.django_db
FROZEN = dt.datetime(2024, 4, 2, 9, 0, tzinfo=dt.UTC)
EXPORT = [
    SALESFORCE / name
    for name in ("User.csv", "Account.csv", "Opportunity.csv", "Task.csv", "Event.csv", "Case.csv")
]


@pytest.fixture
def north_a(team_north_a) -> Team:
    return team_north_a


def test_account_file_alone_flags_every_row_whose_owner_is_unknown(north_a):
    job = run_import(SALESFORCE / "Account.csv")

    assert job.status == ImportJob.Status.APPLIED, job.message
    assert job.counts["total"] == {"deleted": 0, "skipped": 0} | {
        "rows": 22,
        "created": 22,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "flagged": 22,
    }
    assert Customer.objects.filter(source="salesforce").count() == 22
    assert not Assignment.objects.exists()
    first = job.issues[0]
    assert (first["file"], first["row"], first["column"], first["value"], first["outcome"]) == (
        "Account.csv",
        2,
        "OwnerId",
        "005Ec000004o8yHIAQ",
        "flagged",
    )
    assert "not a known rep" in first["reason"]


def test_task_file_without_known_owner_rejects_rows_and_refuses_to_apply(north_a):
    before = snapshot()

    job = run_import(SALESFORCE / "Task.csv")

    assert job.status == ImportJob.Status.REFUSED
    assert job.counts["total"]["rejected"] == 75
    assert "75 rows were rejected" in job.message
    assert job.issues[0]["column"] == "OwnerId"
    assert snapshot() == before


@time_machine.travel(FROZEN, tick=False)
def test_whole_export_zip_applies_in_dependency_order(tmp_path, north_a):
    # The zip lists the files in the reverse of the order they must be applied in.
    archive = make_zip(tmp_path / "export.zip", list(reversed(EXPORT)))

    job = run_import(archive, score_column="CSAT__c", default_team_id=north_a.pk)

    assert job.status == ImportJob.Status.APPLIED, job.message
    by_kind = {entry["kind"]: entry for entry in job.counts["files"]}
    assert [entry["kind"] for entry in job.counts["files"]] == [
        "salesforce.user",
        "salesforce.account",
        "salesforce.opportunity",
        "salesforce.task",
        "salesforce.event",
        "salesforce.case",
    ]
    assert {kind: entry["created"] for kind, entry in by_kind.items()} == {
        "salesforce.user": 2,
        "salesforce.account": 22,
        "salesforce.opportunity": 50,
        "salesforce.task": 75,
        "salesforce.event": 2,
        "salesforce.case": 2,
    }
    assert job.counts["total"]["rejected"] == 0
    wei = SalesRep.objects.get(crm_user_id="005Ec000004oBPNIA2")
    assert (wei.full_name, wei.team, wei.hire_date) == ("Wei Li", north_a, dt.date(2023, 3, 1))
    walker = Customer.objects.get(source="salesforce", external_id="001Ec00000GGw3hIAD")
    owner = walker.assignments.get(valid_to__isnull=True)
    assert (owner.rep, owner.role, owner.source, owner.valid_from) == (
        wei,
        Assignment.Role.OWNER,
        Assignment.Source.IMPORT,
        dt.date(2024, 1, 22),  # the account's CreatedDate, not the import day
    )
    won = Deal.objects.get(external_id="006Ec00000AieKGIAZ")
    assert (won.status, won.amount, won.owner, won.close_date) == (
        Deal.Status.WON,
        Decimal("1651993.36"),
        wei,
        dt.date(2023, 6, 17),
    )
    # Closed before it was entered: counted from the close date so the dates stay in order.
    assert won.created_on == dt.date(2023, 6, 17)
    visit = Activity.objects.get(external_id="00UEc00000A1b2dMAB")
    assert (visit.kind, visit.duration_minutes, visit.customer.name) == (
        Activity.Kind.VISIT,
        45,
        "Patterson-Hansen",
    )
    complaint = ServiceRecord.objects.get(external_id="500Ec00000X1a1bIAA")
    assert (complaint.score, complaint.scale_max, complaint.is_complaint, complaint.date) == (
        Decimal(2),
        Decimal(5),
        True,
        dt.date(2024, 3, 2),
    )


@time_machine.travel(FROZEN, tick=False)
def test_reimporting_the_same_export_changes_nothing(tmp_path, north_a):
    archive = make_zip(tmp_path / "export.zip", EXPORT)
    run_import(archive, score_column="CSAT__c", default_team_id=north_a.pk)
    before = snapshot()

    again = run_import(archive, score_column="CSAT__c", default_team_id=north_a.pk)

    assert again.status == ImportJob.Status.APPLIED
    total = again.counts["total"]
    assert (total["created"], total["updated"], total["unchanged"]) == (0, 0, 153)
    assert snapshot() == before


@time_machine.travel(dt.datetime(2024, 3, 10, 9, 0, tzinfo=dt.UTC), tick=False)
def test_an_import_that_changes_data_asks_for_a_rescoring_and_a_no_op_does_not(
    tmp_path, north_a, django_capture_on_commit_callbacks
):
    archive = make_zip(tmp_path / "export.zip", EXPORT)
    with django_capture_on_commit_callbacks() as queued:
        run_import(archive, score_column="CSAT__c", default_team_id=north_a.pk)
    assert ScoringRun.objects.filter(status=ScoringRun.Status.PENDING).count() == 1
    assert queued, "the scoring run is queued once the import commits"

    ScoringRun.objects.all().delete()
    run_import(archive, score_column="CSAT__c", default_team_id=north_a.pk)
    assert not ScoringRun.objects.exists()


def test_later_export_updates_what_changed_and_moves_ownership_with_history(sf_dir, north_a):
    with time_machine.travel(FROZEN, tick=False):
        run_import(sf_dir / "User.csv", sf_dir / "Account.csv", default_team_id=north_a.pk)
    grace = SalesRep.objects.get(crm_user_id="005Ec000004o8yHIAQ")
    accounts = (sf_dir / "Account.csv").read_text(encoding="utf-8-sig")
    accounts = accounts.replace("Walker Henson and Compton,", "Walker Henson & Compton,", 1)
    walker_line = next(line for line in accounts.splitlines() if "001Ec00000GGw3hIAD" in line)
    accounts = accounts.replace(
        walker_line, walker_line.replace("005Ec000004oBPNIA2", "005Ec000004o8yHIAQ")
    )
    (sf_dir / "Account.csv").write_text(accounts, encoding="utf-8-sig")

    with time_machine.travel(FROZEN + dt.timedelta(days=7), tick=False):
        job = run_import(sf_dir / "Account.csv")

    total = job.counts["total"]
    assert (total["created"], total["updated"], total["unchanged"]) == (0, 1, 21)
    walker = Customer.objects.get(external_id="001Ec00000GGw3hIAD")
    assert walker.name == "Walker Henson & Compton"
    history = list(
        walker.assignments.order_by("valid_from").values_list(
            "rep__first_name", "valid_from", "valid_to"
        )
    )
    assert history == [
        ("Wei", dt.date(2024, 1, 22), dt.date(2024, 4, 9)),
        ("Grace", dt.date(2024, 4, 9), None),
    ]
    assert walker.assignments.get(valid_to__isnull=True).rep == grace


@time_machine.travel(FROZEN, tick=False)
def test_import_never_overrides_an_owner_entered_in_relay(north_a, rep_a):
    run_import(SALESFORCE / "Account.csv")
    walker = Customer.objects.get(external_id="001Ec00000GGw3hIAD")
    manual = Assignment.objects.create(
        customer=walker, rep=rep_a, role=Assignment.Role.OWNER, valid_from=dt.date(2024, 1, 1)
    )

    job = run_import(
        SALESFORCE / "User.csv", SALESFORCE / "Account.csv", default_team_id=north_a.pk
    )

    manual.refresh_from_db()
    assert manual.valid_to is None
    assert walker.assignments.count() == 1
    kept = [
        issue
        for issue in job.issues
        if issue["file"] == "Account.csv" and "set in Relay" in issue["reason"]
    ]
    assert [issue["row"] for issue in kept] == [3]
    # The kept CRM owner is named as the file names it, not by Relay's row id.
    assert [issue["value"] for issue in kept] == ["005Ec000004oBPNIA2"]


def test_existing_rep_is_linked_by_email_and_keeps_hr_data(north_a):
    rep = make_rep(north_a, "Wei", "Li-HR", email="Wei.Li@example.com", hr_employee_id="E-1")

    job = run_import(SALESFORCE / "User.csv", default_team_id=north_a.pk)

    rep.refresh_from_db()
    assert job.counts["total"]["created"] == 1  # Grace is new; Wei is linked
    assert rep.crm_user_id == "005Ec000004oBPNIA2"
    assert rep.last_name == "Li-HR"


def test_new_users_need_a_team(north_a):
    before = snapshot()

    job = run_import(SALESFORCE / "User.csv")

    assert job.status == ImportJob.Status.REFUSED
    assert job.issues[0]["column"] == "Department"
    assert "North A" not in job.issues[0]["value"] or job.issues[0]["row"] == 3
    assert snapshot() == before


def test_department_naming_a_team_puts_the_user_in_it(north_a, team_south_a):
    run_import(SALESFORCE / "User.csv", default_team_id=team_south_a.pk)

    assert SalesRep.objects.get(last_name="Li").team == north_a
    assert SalesRep.objects.get(last_name="Okafor").team == team_south_a


def test_case_score_column_is_found_among_the_usual_names(north_a):
    run_import(SALESFORCE / "User.csv", SALESFORCE / "Account.csv", default_team_id=north_a.pk)

    job = run_import(SALESFORCE / "Case.csv")

    assert job.status == ImportJob.Status.APPLIED, job.message
    assert job.detected[0]["mapping"]["score"] == "CSAT__c"
    assert sorted(ServiceRecord.objects.values_list("score", flat=True)) == [2, 4]


def test_case_score_column_must_exist(north_a):
    job = run_import(SALESFORCE / "Case.csv", score_column="NPS__c")

    assert job.status == ImportJob.Status.REFUSED
    assert "NPS__c is not in the file" in job.message


def test_dry_run_counts_exactly_but_stores_nothing(tmp_path, north_a):
    archive = make_zip(tmp_path / "export.zip", EXPORT)
    before = snapshot()

    job = run_import(archive, apply=False, score_column="CSAT__c", default_team_id=north_a.pk)

    assert job.status == ImportJob.Status.CHECKED
    assert job.counts["total"]["created"] == 153
    assert snapshot() == before


def test_skip_rejected_applies_the_valid_rows(sf_dir, north_a):
    run_import(sf_dir / "User.csv", sf_dir / "Account.csv", default_team_id=north_a.pk)
    tasks = (sf_dir / "Task.csv").read_text(encoding="utf-8-sig").splitlines()
    tasks[1] = tasks[1].replace("005Ec000004oBPNIA2", "005Ec0000UNKNOWN", 1)
    (sf_dir / "Task.csv").write_text("\n".join(tasks) + "\n", encoding="utf-8-sig")

    job = run_import(sf_dir / "Task.csv", skip_rejected=True)

    assert job.status == ImportJob.Status.APPLIED, job.message
    assert (job.counts["total"]["created"], job.counts["total"]["rejected"]) == (74, 1)
    assert Activity.objects.count() == 74

"""HR's absence report as HR writes it, told apart from HR's people file, and HR's words for
the kind of an absence and for the reason a person left."""

import datetime as dt

import pytest
import time_machine

from retention.imports.kinds import recognise
from retention.models import ImportJob, LeaveRecord, SalesRep
from tests.conftest import make_rep
from tests.retention.imports.conftest import run_import, write
from tests.retention.imports.test_people_hr import HR_HEADER

pytestmark = pytest.mark.django_db
FROZEN = dt.datetime(2024, 6, 3, 9, 0, tzinfo=dt.UTC)
ABSENCE_HEADER = (
    "Employee ID,Employee Name,Absence Type,Start Date,End Date,Duration (Days),Status\n"
)


@pytest.fixture
def wei(team_north_a) -> SalesRep:
    return make_rep(team_north_a, "Wei", "Li", email="wei.li@example.com", hr_employee_id="E-1001")


@pytest.mark.parametrize(
    "header",
    [
        ABSENCE_HEADER,
        "Employee ID,Leave Type,Start Date,End Date\n",
        "Employee Number,First Name,Last Name,Time Off Type,From Date,To Date\n",
        "Employee ID,Employee Name,Start Date,End Date,Duration (Days),Status\n",
    ],
)
def test_an_absence_report_is_a_leave_file_not_a_people_file(header):
    assert recognise(header.strip().split(",")).key == "relay.leave"


@pytest.mark.parametrize(
    "header",
    [
        HR_HEADER,
        "Employee ID,First Name,Last Name,Start Date,End Date,Status\n",
        "Employee ID,First Name,Last Name,Work Email,Hire Date,Termination Date,Termination Type,"
        "Termination Reason\n",
    ],
)
def test_a_people_file_with_start_and_end_dates_stays_a_people_file(header):
    assert recognise(header.strip().split(",")).key == "relay.people"


@time_machine.travel(FROZEN, tick=False)
def test_absence_report_imports_hr_s_kinds_and_skips_what_did_not_happen(wei, tmp_path):
    path = write(
        tmp_path / "absences.csv",
        ABSENCE_HEADER
        + "E-1001,Wei Li,Annual Leave,2024-04-01,2024-04-05,5,Taken\n"
        + "E-1001,Wei Li,Sick Leave,2024-04-15,2024-04-16,2,Approved\n"
        + "E-1001,Wei Li,PTO,2024-05-02,2024-05-02,1,Approved\n"
        + "E-1001,Wei Li,Personal Day,2024-05-10,2024-05-10,1,Taken\n"
        + "E-1001,Wei Li,Unpaid Leave,2024-05-13,2024-05-14,2,Approved\n"
        + "E-1001,Wei Li,Bereavement,2024-05-20,2024-05-21,2,Taken\n"
        + "E-1001,Wei Li,Jury Duty,2024-05-23,2024-05-23,1,Taken\n"
        + "E-1001,Wei Li,Vacation,2024-07-01,2024-07-12,10,Pending\n"
        + "E-1001,Wei Li,Vacation,2024-08-05,2024-08-09,5,Cancelled\n"
        + "E-1001,Wei Li,Vacation,2024-08-12,2024-08-16,5,Rejected\n"
        + "E-9999,Nobody Known,Sick,2024-05-06,2024-05-06,1,Withdrawn\n",
    )

    job = run_import(path)

    assert job.status == ImportJob.Status.APPLIED, (job.message, job.issues)
    [leave_file] = job.counts["files"]
    assert leave_file["kind"] == "relay.leave"
    assert (leave_file["created"], leave_file["skipped"], leave_file["rejected"]) == (8, 3, 0)
    assert leave_file["skipped_why"] == {"not taken: cancelled, rejected or withdrawn in HR": 3}
    stored = LeaveRecord.objects.order_by("first_day").values_list("first_day", "kind")
    assert [kind for _day, kind in stored] == [
        "vacation",
        "sick",
        "vacation",
        "personal",
        "unpaid",
        "other",
        "other",
        "vacation",
    ]
    assert LeaveRecord.objects.get(first_day=dt.date(2024, 4, 1)).last_day == dt.date(2024, 4, 5)


def test_an_absence_type_relay_cannot_read_is_rejected_naming_relay_s_kinds(wei, tmp_path):
    path = write(
        tmp_path / "absences.csv",
        ABSENCE_HEADER + "E-1001,Wei Li,Sabbatical Block,2024-04-01,2024-04-05,5,Approved\n",
    )

    job = run_import(path)

    [issue] = job.issues
    assert issue["column"] == "Absence Type"
    assert issue["reason"] == "must be one of: vacation, sick, personal, unpaid, other"


def test_the_admin_s_value_mapping_still_reads_an_absence_type_first(wei, tmp_path):
    path = write(
        tmp_path / "absences.csv",
        ABSENCE_HEADER + "E-1001,Wei Li,Sabbatical Block,2024-04-01,2024-04-05,5,Approved\n",
    )

    job = run_import(path, values={"relay.leave": {"kind": {"Sabbatical Block": "Unpaid Leave"}}})

    assert job.status == ImportJob.Status.APPLIED, job.issues
    assert LeaveRecord.objects.get().kind == "unpaid"


BAMBOO_HEADER = (
    "Employee ID,First Name,Last Name,Work Email,Team,Hire Date,Termination Date,"
    "Termination Type,Termination Reason\n"
)


@time_machine.travel(FROZEN, tick=False)
def test_termination_type_is_read_before_the_free_text_termination_reason(tmp_path, team_north_a):
    path = write(
        tmp_path / "people.csv",
        BAMBOO_HEADER + "E-1,Ana,Alves,ana@example.com,North A,2021-04-01,2024-05-20,Voluntary,"
        "Better Opportunity\n"
        + "E-2,Ben,Berg,ben@example.com,North A,2021-04-01,2024-05-21,Involuntary,Performance\n"
        + "E-3,Cy,Cole,cy@example.com,North A,2021-04-01,2024-05-22,Resignation,Relocation\n"
        + "E-4,Di,Dahl,di@example.com,North A,2021-04-01,2024-05-23,Terminated for Cause,\n"
        + "E-5,Ed,Eng,ed@example.com,North A,2021-04-01,2024-05-24,Layoff,Restructuring\n"
        + "E-6,Flo,Fox,flo@example.com,North A,2021-04-01,2024-05-27,Internal Transfer,\n"
        + "E-7,Gus,Gray,gus@example.com,North A,2021-04-01,,,\n",
    )

    job = run_import(path)

    assert job.status == ImportJob.Status.APPLIED, (job.message, job.issues)
    assert job.counts["files"][0]["kind"] == "relay.people"
    reasons = dict(SalesRep.objects.values_list("hr_employee_id", "departure_reason"))
    assert reasons == {
        "E-1": "voluntary",
        "E-2": "involuntary",
        "E-3": "voluntary",
        "E-4": "involuntary",
        "E-5": "involuntary",
        "E-6": "transfer",
        "E-7": "",
    }


def test_a_termination_reason_alone_is_still_the_leaving_reason(tmp_path, wei):
    path = write(
        tmp_path / "people.csv",
        HR_HEADER + "E-1001,Wei,Li,wei.li@example.com,North A,,AE,2021-04-01,2024-05-20,"
        "Dismissed\n",
    )

    with time_machine.travel(FROZEN, tick=False):
        job = run_import(path)

    assert job.status == ImportJob.Status.APPLIED, job.issues
    wei.refresh_from_db()
    assert wei.departure_reason == "involuntary"

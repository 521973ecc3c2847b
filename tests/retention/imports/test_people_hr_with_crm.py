"""HR's people file beside the CRM's users: the sales department lists reps, managers and
directors, and only the reps become reps (a manager is a login, a skipped user nobody)."""

import datetime as dt

import pytest
import time_machine

from accounts.models import User
from accounts.services import user_create
from retention.models import ImportJob, SalesRep
from tests.retention.imports.conftest import run_import, write
from tests.retention.imports.test_people_import import ROLES, USER_HEADER, user_row, write_csv

pytestmark = pytest.mark.django_db
FROZEN = dt.datetime(2024, 6, 3, 9, 0, tzinfo=dt.UTC)
HR_HEADER = (
    "Employee ID,First Name,Last Name,Work Email,Team,Manager Email,Job Title,Start Date,"
    "Termination Date,Termination Reason,Salesforce User ID\n"
)
USERS = [
    user_row("005VP", "Vera", "Vance", "VP Sales", "00E-VP"),
    user_row("005DIR", "Dan", "Drake", "Regional Director", "00E-E", "005VP"),
    user_row("005MGR", "Mia", "Moreno", "Sales Manager", "00E-MIA-M", "005DIR"),
    user_row("005A", "Ana", "Alves", "Account Executive", "00E-MIA", "005MGR"),
    user_row("005ADM", "Sam", "Admin", "Salesforce Administrator", "00E-ADM"),
]
MANAGER_REASON = "a manager in the CRM (login with the sales-manager role), not a rep"


@pytest.fixture
def crm(tmp_path) -> list:
    return [
        write_csv(tmp_path / "UserRole.csv", ["Id", "Name", "ParentRoleId"], ROLES),
        write_csv(tmp_path / "User.csv", USER_HEADER, USERS),
    ]


def _hr_file(tmp_path, rows: str):
    return write(tmp_path / "HR_People_Export.csv", HR_HEADER + rows)


def _people_file(job: ImportJob) -> dict:
    return next(f for f in job.counts["files"] if f["name"] == "HR_People_Export.csv")


@time_machine.travel(FROZEN, tick=False)
def test_hr_rows_of_crm_managers_and_skipped_users_are_skipped_not_made_reps(tmp_path, crm):
    hr = _hr_file(
        tmp_path,
        # Ana is a rep; Mia (by e-mail only) and Dan (by CRM user id only) are managers in the
        # CRM; Sam is a user the CRM import skipped; Nia is HR's alone, a new rep.
        "E-1,Ana,Alves,ana.alves@example.com,East - Miami,mia.moreno@example.com,AE,"
        "2022-01-10,,,005A\n"
        "E-2,Mia,Moreno,MIA.MORENO@example.com,East - Miami,dan.drake@example.com,"
        "Sales Manager,2020-03-01,,,\n"
        "E-3,Dan,Drake,dan.d@example.com,East,vera.vance@example.com,Regional Director,"
        "2019-03-01,,,005DIR\n"
        "E-4,Sam,Admin,sam.admin@example.com,East - Miami,,Sales Operations,2021-03-01,,,\n"
        "E-5,Nia,New,nia.new@example.com,East - Miami,mia.moreno@example.com,AE,"
        "2024-05-01,,,\n",
    )

    job = run_import(*crm, hr)

    assert job.status == ImportJob.Status.APPLIED, (job.message, job.issues)
    assert {rep.hr_employee_id or rep.crm_user_id for rep in SalesRep.objects.all()} == {
        "E-1",
        "E-5",
    }
    assert SalesRep.objects.get(hr_employee_id="E-1").crm_user_id == "005A"
    people = _people_file(job)
    assert (people["skipped"], people["rejected"]) == (3, 0)
    assert people["skipped_why"][MANAGER_REASON] == 2
    assert [why for why in people["skipped_why"] if why != MANAGER_REASON] == [
        "not a rep in the CRM: not in sales (Salesforce Administrator)"
    ]


@time_machine.travel(FROZEN, tick=False)
def test_a_later_hr_file_skips_the_crm_s_managers_and_skipped_users_too(tmp_path, crm):
    run_import(*crm)
    hr = _hr_file(
        tmp_path,
        "E-2,Mia,Moreno,mia.moreno@example.com,East - Miami,,Sales Manager,2020-03-01,,,\n"
        "E-4,Sam,Admin,sam.a@example.com,East - Miami,,Sales Operations,2021-03-01,,,005ADM\n"
        "E-5,Nia,New,nia.new@example.com,East - Miami,,AE,2024-05-01,,,\n",
    )

    job = run_import(hr)

    assert job.status == ImportJob.Status.APPLIED, (job.message, job.issues)
    assert set(SalesRep.objects.values_list("crm_user_id", "hr_employee_id")) == {
        ("005A", ""),
        ("", "E-5"),
    }
    people = _people_file(job)
    assert people["skipped"] == 2
    assert set(people["skipped_why"]) == {
        "a manager in Relay (login with the sales-manager role), not a rep",
        "not a rep in the CRM (an earlier import skipped this user)",
    }


@time_machine.travel(FROZEN, tick=False)
def test_without_any_crm_every_hr_row_is_a_rep_as_before(tmp_path, team_north_a):
    # A manager login made by hand, no CRM ever imported: HR's rows are all reps, as always.
    user_create(
        username="mona", password=None, role=User.Role.SALES_MANAGER, email="mona@example.com"
    )
    hr = _hr_file(
        tmp_path,
        "E-1,Mona,North,mona@example.com,North A,,Regional Director,2020-03-01,,,\n"
        "E-2,Wei,Li,wei@example.com,North A,mona@example.com,AE,2021-04-01,,,\n",
    )

    job = run_import(hr)

    assert job.status == ImportJob.Status.APPLIED, (job.message, job.issues)
    assert set(SalesRep.objects.values_list("hr_employee_id", flat=True)) == {"E-1", "E-2"}
    assert _people_file(job)["skipped"] == 0


@time_machine.travel(FROZEN, tick=False)
def test_the_absences_of_hr_rows_skipped_as_not_reps_are_skipped_with_them(tmp_path, crm):
    """HR's absence report lists the whole department too: a manager's days off, in the same
    upload as the people file that skipped them, are skipped with the reason, not rejected (a
    rejected row would refuse the whole import); an absence of an id nobody has is rejected."""
    hr = _hr_file(
        tmp_path,
        "E-1,Ana,Alves,ana.alves@example.com,East - Miami,mia.moreno@example.com,AE,"
        "2022-01-10,,,005A\n"
        "E-2,Mia,Moreno,mia.moreno@example.com,East - Miami,,Sales Manager,2020-03-01,,,\n",
    )
    absences = write(
        tmp_path / "HR_Absences_Export.csv",
        "Employee ID,Absence Type,Start Date,End Date,Duration (Days),Status\n"
        "E-1,Vacation,2024-05-06,2024-05-08,3,Approved\n"
        "E-2,Vacation,2024-05-13,2024-05-17,5,Approved\n",
    )

    job = run_import(*crm, hr, absences)

    assert job.status == ImportJob.Status.APPLIED, (job.message, job.issues)
    leave = next(f for f in job.counts["files"] if f["name"] == "HR_Absences_Export.csv")
    assert (leave["created"], leave["skipped"], leave["rejected"]) == (1, 1, 0)
    assert list(leave["skipped_why"]) == [
        f"the absence of someone who is not a rep ({MANAGER_REASON})"
    ]
    assert SalesRep.objects.get(hr_employee_id="E-1").leave_records.count() == 1

    stranger = write(
        tmp_path / "Absences_2.csv",
        "Employee ID,Absence Type,Start Date,End Date,Duration (Days),Status\n"
        "E-9,Vacation,2024-05-06,2024-05-08,3,Approved\n",
    )
    job = run_import(stranger)
    assert job.status != ImportJob.Status.APPLIED
    assert "no person has this employee id" in str(job.issues)

"""HR files in HR's layout: team names as HR writes them, the manager's e-mail, and departures
that open a vacancy only when the seat is still empty."""

import datetime as dt

import pytest
import time_machine
from django.dispatch import receiver

from accounts.models import User
from retention.events import rep_departed
from retention.models import CrmTeamLink, ImportJob, SalesRep
from retention.services import rep_record_departure
from tests.conftest import make_rep
from tests.retention.imports.conftest import run_import, write

pytestmark = pytest.mark.django_db
FROZEN = dt.datetime(2024, 6, 3, 9, 0, tzinfo=dt.UTC)
HR_HEADER = (
    "Employee ID,First Name,Last Name,Work Email,Team,Manager Email,Job Title,Start Date,"
    "Termination Date,Termination Reason\n"
)


@time_machine.travel(FROZEN, tick=False)
def test_hr_layout_with_region_dash_team_and_hr_words_imports(tmp_path, team_north_a, team_south_a):
    path = write(
        tmp_path / "hr.csv",
        HR_HEADER
        + "E-1,Wei,Li,wei.li@example.com,North - North A,,AE,2021-04-01,,\n"
        + "E-2,Ana,Alves,ana@example.com,South / South A,,AE,2021-05-01,2024-05-20,Resigned\n"
        + f"E-3,Cy,Cole,cy@example.com,{team_south_a.pk},,AE,2022-05-01,,\n",
    )

    job = run_import(path)

    assert job.status == ImportJob.Status.APPLIED, (job.message, job.issues)
    assert {rep.hr_employee_id: rep.team for rep in SalesRep.objects.all()} == {
        "E-1": team_north_a,
        "E-2": team_south_a,
        "E-3": team_south_a,
    }
    ana = SalesRep.objects.get(hr_employee_id="E-2")
    assert (ana.departure_date, ana.departure_reason) == (dt.date(2024, 5, 20), "voluntary")


@time_machine.travel(FROZEN, tick=False)
def test_a_team_code_from_the_crm_finds_the_team(tmp_path, team_north_a):
    CrmTeamLink.objects.create(key="role:00E5e000000MIAMI", team=team_north_a)
    path = write(
        tmp_path / "hr.csv",
        HR_HEADER + "E-1,Wei,Li,wei@example.com,00E5e000000MIAMI,,AE,2021-04-01,,\n",
    )

    job = run_import(path)

    assert job.status == ImportJob.Status.APPLIED, job.issues
    assert SalesRep.objects.get().team == team_north_a


@time_machine.travel(FROZEN, tick=False)
def test_manager_named_by_hr_manages_a_team_that_had_none_with_one_line_per_team(
    tmp_path, team_north_a
):
    rows = "".join(
        f"E-{n},Rep,Number{n},rep{n}@example.com,North A,nina.boss@example.com,AE,2021-04-01,,\n"
        for n in range(1, 6)
    )
    path = write(tmp_path / "hr.csv", HR_HEADER + rows)

    job = run_import(path)

    assert job.status == ImportJob.Status.APPLIED, job.message
    manager = team_north_a.managers.get()
    assert (manager.email, manager.role) == ("nina.boss@example.com", User.Role.SALES_MANAGER)
    notes = [issue for issue in job.issues if issue["column"] == "Manager Email"]
    assert len(notes) == 1
    assert "becomes the manager of North / North A" in notes[0]["reason"]
    assert job.counts["total"]["flagged"] == 1


@time_machine.travel(FROZEN, tick=False)
def test_another_manager_than_relay_s_is_said_once_per_team_and_relay_s_is_kept(
    tmp_path, manager_a, team_north_a, team_north_b
):
    rows = "".join(
        f"E-{n},Rep,Number{n},rep{n}@example.com,{team},other.boss@example.com,AE,2021-04-01,,\n"
        for n, team in enumerate(["North A"] * 4 + ["North B"] * 3, start=1)
    )
    rows += "E-9,Rep,Nine,rep9@example.com,North A,manager.a,AE,2021-04-01,,\n"
    path = write(tmp_path / "hr.csv", HR_HEADER + rows)

    job = run_import(path)

    notes = [issue for issue in job.issues if issue["column"] == "Manager Email"]
    assert [note["row"] for note in notes] == [2, 6]  # the first row of each team only
    assert "Relay's is kept" in notes[0]["reason"]
    assert list(team_north_a.managers.all()) == []
    assert not User.objects.filter(email="other.boss@example.com").exists()


@pytest.fixture
def departures_announced():
    seen: list[dict] = []

    @receiver(rep_departed, dispatch_uid="tests.departures_announced")
    def listen(sender, **kwargs):
        seen.append(kwargs)

    yield seen
    rep_departed.disconnect(dispatch_uid="tests.departures_announced")


def test_only_a_recent_departure_with_no_successor_opens_a_vacancy(
    team_north_a, team_south_a, departures_announced, django_capture_on_commit_callbacks, settings
):
    settings.RELAY_VACANCY_WINDOW_DAYS = 90
    today = dt.date(2024, 6, 3)
    recent = make_rep(team_north_a, "Rita", "Recent", hire_date=dt.date(2020, 1, 1))
    old = make_rep(team_north_a, "Otto", "Old", hire_date=dt.date(2020, 1, 1))
    refilled = make_rep(team_south_a, "Fay", "Filled", hire_date=dt.date(2020, 1, 1))
    make_rep(team_south_a, "Sam", "Successor", hire_date=dt.date(2024, 5, 20))

    with django_capture_on_commit_callbacks(execute=True):
        for rep, last_day, reason in (
            (recent, dt.date(2024, 5, 1), "voluntary"),
            (old, dt.date(2023, 1, 31), "voluntary"),
            (refilled, dt.date(2024, 5, 10), ""),
        ):
            rep_record_departure(rep=rep, departure_date=last_day, reason=reason, today=today)

    opens = {event["rep_id"]: event["opens_vacancy"] for event in departures_announced}
    assert opens == {recent.pk: True, old.pk: False, refilled.pk: False}


@time_machine.travel(FROZEN, tick=False)
def test_hr_history_of_old_departures_announces_no_vacancy(
    tmp_path, team_north_a, departures_announced, django_capture_on_commit_callbacks
):
    path = write(
        tmp_path / "hr.csv",
        HR_HEADER
        + "E-1,Old,Leaver,old@example.com,North A,,AE,2019-04-01,2022-03-31,Resigned\n"
        + "E-2,New,Leaver,new@example.com,North A,,AE,2019-04-01,2024-05-31,Resigned\n",
    )

    with django_capture_on_commit_callbacks(execute=True):
        job = run_import(path)

    assert job.status == ImportJob.Status.APPLIED, job.message
    opens = {
        SalesRep.objects.get(pk=event["rep_id"]).first_name: event["opens_vacancy"]
        for event in departures_announced
    }
    assert opens == {"Old": False, "New": True}


@time_machine.travel(FROZEN, tick=False)
def test_a_leaving_date_years_ahead_is_a_rejected_row_naming_the_column(
    tmp_path, team_north_a, departures_announced, django_capture_on_commit_callbacks
):
    path = write(
        tmp_path / "hr.csv",
        HR_HEADER
        + "E-1,Typo,Year,typo@example.com,North A,,AE,2019-04-01,2034-05-31,Resigned\n"
        + "E-2,Soon,Leaver,soon@example.com,North A,,AE,2019-04-01,2024-06-28,Resigned\n",
    )

    with django_capture_on_commit_callbacks(execute=True):
        job = run_import(path, skip_rejected=True)

    assert job.status == ImportJob.Status.APPLIED, job.message
    [issue] = [i for i in job.issues if i["outcome"] == "rejected"]
    assert issue["column"] == "Termination Date" and issue["row"] == 2
    assert "more than two years after today" in issue["reason"]
    assert [e["departure_date"] for e in departures_announced] == [dt.date(2024, 6, 28)]
    assert not SalesRep.objects.filter(first_name="Typo").exists()

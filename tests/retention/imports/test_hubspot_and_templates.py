"""HubSpot exports and Relay's own templates, including HR's people and leave files."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from retention.events import rep_departed
from retention.models import (
    Activity,
    Assignment,
    Customer,
    Deal,
    ImportJob,
    LeaveRecord,
    SalesRep,
    ServiceRecord,
)
from tests.conftest import make_rep
from tests.retention.imports.conftest import HUBSPOT, run_import, snapshot, write

pytestmark = pytest.mark.django_db
FROZEN = dt.datetime(2024, 4, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def wei(team_north_a) -> SalesRep:
    return make_rep(team_north_a, "Wei", "Li", email="wei.li@example.com", hr_employee_id="E-1001")


@time_machine.travel(FROZEN, tick=False)
def test_hubspot_export_with_owners_named_or_emailed(wei):
    files = [HUBSPOT / name for name in ("meetings.csv", "calls.csv", "deals.csv", "companies.csv")]

    job = run_import(*files)

    assert job.status == ImportJob.Status.APPLIED, job.message
    assert [entry["kind"] for entry in job.counts["files"]] == [
        "hubspot.company",
        "hubspot.deal",
        "hubspot.call",
        "hubspot.meeting",
    ]
    assert job.counts["total"] == {"deleted": 0, "skipped": 0} | {
        "rows": 7,
        "created": 7,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "flagged": 0,
    }
    harbor = Customer.objects.get(source="hubspot", external_id="5210000001")
    assert (harbor.name, harbor.region, harbor.annual_revenue) == (
        "Harbor Logistics",
        "Germany",
        Decimal(2500000),
    )
    assert set(Assignment.objects.values_list("customer__name", "rep", "source")) == {
        ("Harbor Logistics", wei.pk, "import"),
        ("Blue Fern Foods", wei.pk, "import"),
    }
    won, pilot = Deal.objects.order_by("external_id")
    assert (won.status, won.customer, won.close_date) == ("won", harbor, dt.date(2024, 1, 31))
    assert (pilot.status, pilot.amount) == ("open", Decimal("15000.50"))
    call = Activity.objects.get(external_id="7700000001")
    assert (call.kind, call.duration_minutes, call.rep, call.customer) == ("call", 13, wei, harbor)
    meeting = Activity.objects.get(external_id="8800000001")
    assert (meeting.kind, meeting.duration_minutes) == ("meeting", 60)


def test_hubspot_activity_for_unknown_owner_is_rejected(wei, tmp_path):
    calls = write(
        tmp_path / "calls.csv",
        "Record ID,Call Title,Activity date,Activity assigned to\n"
        "1,Hello,2024-02-02 10:00,Nobody Known\n",
    )

    job = run_import(calls)

    assert job.status == ImportJob.Status.REFUSED
    assert job.issues[0]["column"] == "Activity assigned to"


@pytest.mark.parametrize("kind", ["people", "leave", "service", "customers", "deals", "activities"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@time_machine.travel(FROZEN, tick=False)
def test_each_downloaded_template_imports_its_own_example(
    client, admin_user, manager_a, wei, tmp_path, kind, fmt
):
    client.force_login(admin_user)
    Customer.objects.create(name="Acme", source="relay", external_id="C-100")
    manager_a.email = "mona.north@example.com"
    manager_a.save()

    response = client.get(reverse("retention:imports:template", args=[kind, fmt]))

    assert response.status_code == 200
    path = tmp_path / f"relay-{kind}.{fmt}"
    path.write_bytes(response.content)
    job = run_import(path)
    assert job.status == ImportJob.Status.APPLIED, (job.message, job.issues)
    assert job.counts["files"][0]["kind"] == f"relay.{kind}"
    assert job.counts["total"]["rejected"] == 0
    assert job.counts["total"]["flagged"] == 0, job.issues


def test_xlsx_template_explains_each_column(client, admin_user):
    client.force_login(admin_user)

    response = client.get(reverse("retention:imports:template", args=["people", "xlsx"]))

    about = load_workbook(io.BytesIO(response.content))["About"]
    rows = {row[0]: row[1:] for row in about.iter_rows(values_only=True) if row and row[0]}
    assert rows["employee_id"][0] == "yes"
    assert "voluntary" in rows["leaving_reason"][1]


@time_machine.travel(FROZEN, tick=False)
def test_people_file_records_a_departure_through_the_departure_service(
    wei, tmp_path, django_capture_on_commit_callbacks
):
    announced = []
    rep_departed.connect(
        lambda **kwargs: announced.append(kwargs), weak=False, dispatch_uid="test-import-departure"
    )
    people = write(
        tmp_path / "people.csv",
        "employee_id,first_name,last_name,email,leaving_date,leaving_reason\n"
        "E-1001,Wei,Li,wei.li@example.com,2024-04-30,voluntary\n",
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            job = run_import(people)
    finally:
        rep_departed.disconnect(dispatch_uid="test-import-departure")

    wei.refresh_from_db()
    assert job.counts["total"]["updated"] == 1
    assert (wei.status, wei.departure_date, wei.departure_reason) == (
        SalesRep.Status.NOTICE,
        dt.date(2024, 4, 30),
        "voluntary",
    )
    assert [(call["rep_id"], call["departure_date"]) for call in announced] == [
        (wei.pk, dt.date(2024, 4, 30))
    ]
    again = run_import(people)
    assert again.counts["total"]["unchanged"] == 1


def test_leaving_date_needs_a_reason(wei, tmp_path):
    people = write(
        tmp_path / "people.csv",
        "employee_id,first_name,last_name,leaving_date\nE-1001,Wei,Li,2024-04-30\n",
    )

    job = run_import(people)

    assert job.issues[0]["column"] == "leaving_reason"


def test_leave_file_is_idempotent_without_ids(wei, tmp_path):
    leave = write(
        tmp_path / "leave.csv",
        "employee_id,first_day,last_day,kind\nE-1001,2024-07-01,2024-07-12,vacation\n"
        "E-1001,2024-09-02,2024-09-03,sick\n",
    )

    first = run_import(leave)
    before = snapshot()
    second = run_import(leave)

    assert first.counts["total"]["created"] == 2
    assert second.counts["total"]["unchanged"] == 2
    assert snapshot() == before
    assert LeaveRecord.objects.get(kind="sick").days == 2


def test_service_scores_must_lie_on_their_scale(wei, tmp_path):
    scores = write(
        tmp_path / "service.csv",
        "record_id,rep,date,score,scale_max\nS-1,E-1001,2024-05-20,6,5\n"
        "S-2,wei.li@example.com,2024-05-21,4.5,5\n",
    )

    job = run_import(scores, skip_rejected=True)

    assert job.issues[0]["reason"] == "must be between 0 and 5"
    assert list(ServiceRecord.objects.values_list("external_id", "score")) == [
        ("S-2", Decimal("4.50"))
    ]


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2101-01-01"])
def test_a_date_off_the_calendar_relay_takes_is_refused_naming_the_column(wei, tmp_path, day):
    """A rep hired on 9999-12-31 (or a leave or an activity then) was stored, and the ramp-up
    and departure-cost pages then ran off the calendar (OverflowError) for everyone."""
    people = write(
        tmp_path / "people.csv",
        "employee_id,first_name,last_name,team,hire_date\n"
        f"E-2001,Ann,Far,North A,{day}\nE-2002,Bo,Near,North A,2100-12-31\n",
    )
    activities = write(
        tmp_path / "activities.csv",
        "activity_id,rep,kind,occurred_at,duration_minutes,subject\n"
        f"A-1,E-1001,visit,{day} 10:00,45,Far\nA-2,E-1001,visit,1900-01-01 10:00,45,Near\n",
    )
    leave = write(
        tmp_path / "leave.csv",
        f"employee_id,first_day,last_day,kind\nE-1001,{day},{day},sick\n",
    )

    jobs = [run_import(path, skip_rejected=True) for path in (people, activities, leave)]

    for job in jobs:
        [issue] = job.issues
        assert issue["value"].startswith(day), issue
        assert issue["reason"] == "not a date Relay takes: write one from 1900-01-01 to 2100-12-31"
    hired = SalesRep.objects.filter(hr_employee_id__startswith="E-2")
    assert list(hired.values_list("hr_employee_id", flat=True)) == ["E-2002"]
    assert list(Activity.objects.values_list("subject", flat=True)) == ["Near"]
    assert not LeaveRecord.objects.exists()


def test_hr_may_import_people_but_not_customers(hr_user, wei, tmp_path):
    people = write(
        tmp_path / "people.csv", "employee_id,first_name,last_name,title\nE-1001,Wei,Li,Senior AE\n"
    )
    customers = write(tmp_path / "customers.csv", "customer_id,name\nC-1,Acme\n")

    allowed = run_import(people, user=hr_user)
    refused = run_import(customers, user=hr_user)

    assert allowed.status == ImportJob.Status.APPLIED
    assert refused.status == ImportJob.Status.REFUSED
    assert "HR may import only the people and leave templates" in refused.message
    assert not Customer.objects.exists()


def test_person_sharing_an_email_never_takes_over_another_employee(wei, tmp_path, team_north_a):
    people = write(
        tmp_path / "people.csv",
        "employee_id,first_name,last_name,email,team,hire_date,crm_user_id\n"
        "E-2002,Wendy,Lin,wei.li@example.com,North A,2024-01-08,\n",
    )

    job = run_import(people)

    wei.refresh_from_db()
    assert job.counts["total"]["created"] == 1
    assert wei.hr_employee_id == "E-1001"


def test_crm_id_of_another_rep_is_rejected(wei, tmp_path, team_north_a):
    wei.crm_user_id = "005X"
    wei.save()
    people = write(
        tmp_path / "people.csv",
        "employee_id,first_name,last_name,team,hire_date,crm_user_id\n"
        "E-2002,Wendy,Lin,North A,2024-01-08,005X\n",
    )

    job = run_import(people)

    assert job.status == ImportJob.Status.REFUSED
    assert job.issues[0]["reason"] == "belongs to another rep"

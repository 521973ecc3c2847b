"""A production-style Salesforce export (hundreds of objects, a role hierarchy, users who do not
sell, mixed encodings, cases without scores) plus HR's people file, into an EMPTY Relay, in one
``import_data`` command: no --team, no hand-made teams, no --skip-rejected."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.dispatch import receiver

from accounts.models import Team, User
from retention.events import rep_departed
from retention.models import Customer, Deal, ImportJob, SalesRep, TeamMembership
from tests.fixtures.production_export import Expected, build

pytestmark = pytest.mark.django_db
FROZEN = dt.datetime(2024, 6, 3, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def production_export(tmp_path_factory) -> tuple[list, Expected]:
    target = tmp_path_factory.mktemp("production-export")
    expected = build(target)
    return sorted(target.glob("*.csv")), expected


@pytest.fixture
def departures_announced():
    seen: list[dict] = []

    @receiver(rep_departed, dispatch_uid="tests.production_export.departures")
    def listen(sender, **kwargs):
        seen.append(kwargs)

    yield seen
    rep_departed.disconnect(dispatch_uid="tests.production_export.departures")


def _path(team: Team, names: dict[int, Team]) -> str:
    chain = []
    current: Team | None = team
    while current is not None:
        chain.insert(0, current.name)
        current = names.get(current.parent_id) if current.parent_id else None
    return " / ".join(chain)


@time_machine.travel(FROZEN, tick=False)
def test_a_whole_production_export_imports_into_an_empty_relay_in_one_command(
    production_export, departures_announced, django_capture_on_commit_callbacks
):
    files, expected = production_export
    assert len(files) >= 250 and not Team.objects.exists() and not SalesRep.objects.exists()
    out = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        try:
            call_command("import_data", *map(str, files), stdout=out)
        finally:
            print(out.getvalue())

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.APPLIED, out.getvalue()
    assert job.counts["total"]["rejected"] == 0
    teams = {team.pk: team for team in Team.objects.all()}
    paths = {_path(team, teams): team for team in teams.values()}
    assert set(paths) == expected.teams
    for path, team in paths.items():
        assert {m.username for m in team.managers.all()} == expected.managers.get(path, set()), path
    assert set(SalesRep.objects.values_list("crm_user_id", flat=True)) == expected.reps
    assert not SalesRep.objects.filter(crm_user_id__in=expected.not_reps).exists()
    assert not User.objects.filter(username__icontains="integration").exists()
    for crm_id, last_day in expected.departed.items():
        rep = SalesRep.objects.get(crm_user_id=crm_id)
        assert (rep.status, rep.departure_date) == (SalesRep.Status.LEFT, last_day)
    assert Customer.objects.filter(is_deleted=False).count() == expected.customers_live
    assert not Customer.objects.filter(name__contains="\ufffd").exists()
    assert Customer.objects.filter(name__contains="é").exists()  # cp1252 read as cp1252
    assert Deal.objects.filter(is_deleted=False).count() == expected.opportunities
    # Every rep has a team history entry from the import; HR's old departure opens no vacancy.
    assert TeamMembership.objects.filter(valid_to__isnull=True).count() == len(expected.reps)
    opening = {
        SalesRep.objects.get(pk=event["rep_id"]).crm_user_id
        for event in departures_announced
        if event["opens_vacancy"]
    }
    assert opening == expected.vacancies
    # HR's "Region - Team" rows matched: everyone HR knows has their employee id now.
    assert not SalesRep.objects.filter(hr_employee_id="").exists()
    # The manager HR names for the team with none is said once, not once per row.
    notes = [issue for issue in job.issues if issue["column"] == "Manager Email"]
    assert len(notes) == 1 and "Inside Sales" in notes[0]["reason"]
    assert "teams from the CRM (roles)" in out.getvalue()

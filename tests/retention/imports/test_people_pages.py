"""Choosing who is a rep on the check page, through the API and from the command line."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from retention.models import CrmUserChoice, ImportJob, SalesRep
from tests.retention.imports.conftest import run_import, write
from tests.retention.imports.test_people_import import export  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db
FROZEN = dt.datetime(2024, 6, 3, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def checked(export, admin_user) -> ImportJob:  # noqa: F811
    with time_machine.travel(FROZEN, tick=False):
        job = run_import(*export.values(), apply=False, user=admin_user)
    assert job.status == ImportJob.Status.CHECKED, job.message
    return job


def test_check_page_shows_the_users_and_the_teams_before_anything_is_written(
    client, admin_user, checked
):
    client.force_login(admin_user)

    page = client.get(reverse("retention:imports:job", args=[checked.pk])).content.decode()

    assert 'id="job-people"' in page and 'id="job-org-tree"' in page
    assert 'data-team="VP Sales / East / East - Miami"' in page
    assert 'data-crm-id="005MGR" data-becomes="manager"' in page
    assert 'data-crm-id="005INT" data-becomes="skip"' in page
    assert 'name="becomes:005A"' in page
    assert not SalesRep.objects.exists()


def test_choosing_on_the_page_checks_again_with_the_choice(
    client, admin_user, checked, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    form = {f"becomes:{row['id']}": row["becomes"] for row in checked.counts["people"]["users"]}
    form["becomes:005MGR"] = "rep"

    with time_machine.travel(FROZEN, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("retention:imports:job_people", args=[checked.pk]), form)

    again = ImportJob.objects.exclude(pk=checked.pk).get()
    assert response.url == reverse("retention:imports:job", args=[again.pk])
    assert again.options["people"] == {"005MGR": "rep"}
    rows = {row["id"]: row for row in again.counts["people"]["users"]}
    assert (rows["005MGR"]["becomes"], rows["005MGR"]["chosen_by"]) == ("rep", "admin")
    assert not CrmUserChoice.objects.exists()  # kept only when the import is applied


def test_api_takes_choices_and_names_a_bad_one(client, admin_user, checked):
    client.force_login(admin_user)
    url = reverse("api-import-people", args=[checked.pk])

    bad = client.post(url, {"choices": {"005A": "boss"}}, content_type="application/json")
    unknown = client.post(url, {"choices": {"005ZZZ": "rep"}}, content_type="application/json")
    good = client.post(url, {"choices": {"005A": "skip"}}, content_type="application/json")

    assert bad.status_code == 400 and bad.json()["field"] == "choices"
    assert "boss is not one of rep, manager, skip" in bad.json()["detail"]
    assert unknown.status_code == 400 and "005ZZZ" in unknown.json()["detail"]
    assert good.status_code == 201
    assert ImportJob.objects.get(pk=good.json()["id"]).options["people"] == {"005A": "skip"}


def test_hr_and_managers_may_not_choose(client, hr_user, manager_a, checked):
    url = reverse("api-import-people", args=[checked.pk])
    for user in (hr_user, manager_a):
        client.force_login(user)
        response = client.post(url, {"choices": {"005A": "rep"}}, content_type="application/json")
        assert response.status_code in (403, 404)
    assert ImportJob.objects.count() == 1


@time_machine.travel(FROZEN, tick=False)
def test_command_takes_a_csv_of_choices_and_prints_the_org(export, tmp_path):  # noqa: F811
    choices = write(tmp_path / "people.csv", "Id,becomes\n005MGR,rep\n005ADM,skip\n")
    out = io.StringIO()

    call_command("import_data", *map(str, export.values()), "--people", str(choices), stdout=out)

    text = out.getvalue()
    assert "Salesforce users: 5 reps, 2 managers, 5 skipped; teams from the CRM (roles)" in text
    assert "East - Miami: 3 reps, managed by -" in text
    assert SalesRep.objects.filter(crm_user_id="005MGR").exists()
    assert CrmUserChoice.objects.get(crm_user_id="005MGR").by_admin


def test_command_names_the_row_of_a_bad_choice(export, tmp_path):  # noqa: F811
    choices = write(tmp_path / "people.csv", "Id,becomes\n005MGR,boss\n")

    with pytest.raises(CommandError, match="row 2: becomes='boss'"):
        call_command("import_data", str(export["users"]), "--people", str(choices))


def test_upload_page_and_api_ask_for_the_org_from_the_crm(client, admin_user, export):  # noqa: F811
    client.force_login(admin_user)
    content = export["users"].read_bytes()

    client.post(
        reverse("retention:imports:page"),
        {"files": SimpleUploadedFile("User.csv", content), "source": "auto", "org_from_crm": "on"},
    )
    response = client.post(
        reverse("api-import-create"),
        {"files": [SimpleUploadedFile("User.csv", content)], "org_from_crm": "true"},
    )

    assert response.status_code == 201, response.content
    assert [job.options["org_from_crm"] for job in ImportJob.objects.order_by("pk")] == [
        True,
        True,
    ]

"""The import page and API: who may use them, the dry run, apply, report, mapping, templates."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from retention.imports.services import import_job_run
from retention.imports.views import ImportForm
from retention.models import Customer, ImportJob, SalesRep, SavedColumnMapping
from tests.retention.imports.conftest import SALESFORCE

pytestmark = pytest.mark.django_db
PAGE = reverse("retention:imports:page")


def upload(client, name: str, content: bytes, **fields):
    data = {"files": SimpleUploadedFile(name, content), "source": "auto", **fields}
    return client.post(PAGE, data)


@pytest.mark.parametrize("who", ["manager_a", "manager_b"])
def test_managers_are_refused_the_import_page_and_api(client, request, who, admin_user):
    """A role that may never import gets 403 (its group lacks the right), page and API alike."""
    job = ImportJob.objects.create(created_by=admin_user, file_name="x.csv")
    client.force_login(request.getfixturevalue(who))

    assert client.get(PAGE).status_code == 403
    assert client.get(reverse("retention:imports:job", args=[job.pk])).status_code == 403
    assert client.get(reverse("api-import-list")).status_code == 403
    assert client.get(reverse("api-import-detail", args=[job.pk])).status_code == 403
    assert upload(client, "a.csv", b"customer_id,name\nC-1,A\n").status_code == 403
    assert not Customer.objects.exists()


def test_hr_imports_only_hr_templates_and_sees_the_organisations_imports(
    client, hr_user, admin_user
):
    others = ImportJob.objects.create(created_by=admin_user, file_name="accounts.csv")
    client.force_login(hr_user)

    page = client.get(PAGE)

    assert page.status_code == 200
    assert [kind.key for kind in page.context["templates"]] == ["relay.people", "relay.leave"]
    # No invitation to upload CRM exports, and none of their options.
    html = page.content.decode()
    assert "Upload the people list and leave records" in html and "Salesforce" not in html
    form = page.context["form"]
    assert not {"score_column", "score_scale", "default_team", "org_from_crm"} & set(form.fields)
    assert [value for value, _label in form.fields["source"].choices] == ["auto", "relay"]
    admin_form = ImportForm(user=admin_user)
    assert {"score_column", "default_team", "org_from_crm"} <= set(admin_form.fields)
    assert (
        client.get(reverse("retention:imports:template", args=["customers", "csv"])).status_code
        == 404
    )
    # Imports are the organisation's, not a team's: HR reads an admin's import, read-only.
    assert client.get(reverse("retention:imports:job", args=[others.pk])).status_code == 200
    assert (
        client.post(reverse("retention:imports:job_people", args=[others.pk])).status_code == 403
    )


def test_nav_shows_imports_to_admins_and_hr_only(client, admin_user, hr_user, manager_a):
    link = f'href="{PAGE}"'
    for user, shown in ((admin_user, True), (hr_user, True), (manager_a, False)):
        client.force_login(user)
        assert (link in client.get(reverse("retention:rep_list")).content.decode()) is shown


def test_upload_dry_run_then_apply(
    client, admin_user, team_north_a, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, "Account.csv", (SALESFORCE / "Account.csv").read_bytes())
    job = ImportJob.objects.get()
    assert response.url == reverse("retention:imports:job", args=[job.pk])
    assert job.status == ImportJob.Status.CHECKED
    assert not Customer.objects.exists()
    page = client.get(response.url).content.decode()
    assert "Apply the import" in page and "005Ec000004o8yHIAQ" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("retention:imports:job_apply", args=[job.pk]))

    job.refresh_from_db()
    assert (job.status, job.applied_by) == (ImportJob.Status.APPLIED, admin_user)
    assert Customer.objects.count() == 22
    status = client.get(reverse("retention:imports:job_status", args=[job.pk])).content.decode()
    assert 'data-status="applied"' in status and "hx-trigger" not in status

    # Applied again (a second click, the browser's back button): the page says why nothing
    # happened, and nothing is written twice.
    again = client.post(reverse("retention:imports:job_apply", args=[job.pk]), follow=True)
    assert f"Import {job.pk} is already applied." in again.content.decode()
    assert Customer.objects.count() == 22


def test_report_csv_lists_every_row_and_escapes_formulas(
    client, admin_user, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    content = (
        b"customer_id,name,annual_revenue\nC-1,Acme,=1+2\nC-2,Bento,@SUM(A1)\n"
        b"C-3,Cosmo,-5\n+C-4,Delta,+9x\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, "customers.csv", content)
    job = ImportJob.objects.get()

    response = client.get(reverse("retention:imports:job_report", args=[job.pk]))

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["file", "row", "column", "value", "outcome", "reason"]
    assert [(row[1], row[3]) for row in rows[1:]] == [
        ("2", "'=1+2"),
        ("3", "'@SUM(A1)"),
        ("4", "'-5"),
        ("5", "'+9x"),
    ]
    assert all(row[4] == "rejected" for row in rows[1:])


def test_corrected_mapping_is_checked_again_and_kept_for_next_time(
    client, admin_user, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    content = b"Customer number,Company,Turnover\nC-1,Acme,1000\n"
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, "crm.csv", content, kind="relay.customers")
    refused = ImportJob.objects.get()
    assert refused.status == ImportJob.Status.REFUSED
    assert "customer_id, name" in refused.message

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("retention:imports:job_remap", args=[refused.pk]),
            {
                "map:relay.customers:customer_id": "Customer number",
                "map:relay.customers:name": "Company",
                "map:relay.customers:annual_revenue": "Turnover",
                "save": "1",
            },
        )

    checked = ImportJob.objects.latest("pk")
    assert checked.status == ImportJob.Status.CHECKED, checked.message
    assert checked.counts["total"]["created"] == 1
    assert SavedColumnMapping.objects.get(kind="relay.customers").mapping["name"] == "Company"
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, "crm-next-week.csv", content, kind="relay.customers")
    assert ImportJob.objects.latest("pk").status == ImportJob.Status.CHECKED


def test_api_upload_check_apply_and_conflict(
    client, admin_user, team_north_a, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(
            reverse("api-import-create"),
            {
                "files": [SimpleUploadedFile("User.csv", (SALESFORCE / "User.csv").read_bytes())],
                "default_team": team_north_a.pk,
            },
        )
    assert created.status_code == 201, created.content
    job_id = created.json()["id"]
    detail = client.get(reverse("api-import-detail", args=[job_id])).json()
    assert (detail["status"], detail["counts"]["total"]["created"]) == ("checked", 2)

    with django_capture_on_commit_callbacks(execute=True):
        applied = client.post(
            reverse("api-import-apply", args=[job_id]), {}, content_type="application/json"
        )
    assert applied.status_code == 202
    assert SalesRep.objects.filter(team=team_north_a).count() == 2
    again = client.post(
        reverse("api-import-apply", args=[job_id]), {}, content_type="application/json"
    )
    assert again.status_code == 409
    assert again.json() == {"detail": f"Import {job_id} is already applied.", "status": "applied"}
    listed = client.get(reverse("api-import-list")).json()
    assert [job["id"] for job in listed] == [job_id]


def test_api_schema_lists_the_import_endpoints(client, admin_user):
    client.force_login(admin_user)

    schema = client.get(reverse("schema")).content.decode()

    assert "/api/imports/upload/" in schema and "/api/imports/{job_id}/apply/" in schema


def test_job_page_names_each_files_kind_in_the_readers_language(client, admin_user):
    """The kind of each file is stored with the job in the language of the check (English
    from the worker); the job page names it in the reader's language, in the counts table and
    above the columns."""
    entry = {
        "name": "customers.csv",
        "kind": "relay.customers",
        "label": "Customers (other systems)",
    }
    job = ImportJob.objects.create(
        created_by=admin_user,
        file_name="customers.csv",
        status=ImportJob.Status.CHECKED,
        detected=[{**entry, "mapping": {}, "values": {}, "header": ["customer_id", "name"]}],
        counts={"files": [{**entry, "rows": 1, "created": 1}], "total": {"rows": 1, "created": 1}},
    )
    admin_user.language = "zh-hans"
    admin_user.save(update_fields=["language"])
    client.force_login(admin_user)
    page = client.get(reverse("retention:imports:job", args=[job.pk])).content.decode()
    assert "Customers (other systems)" not in page
    assert page.count("客户（其他系统）") == 2


def test_the_report_is_written_in_the_language_the_uploader_used(client, admin_user):
    """The worker stores each rejected row's reason as text: in the uploader's language at the
    time of the upload (here their browser's), not the worker's (English here)."""
    client.force_login(admin_user)
    content = b"customer_id,name,annual_revenue\nC-1,Acme,lots\nC-2,Beta,1000\n"
    client.post(
        PAGE,
        {"files": SimpleUploadedFile("customers.csv", content), "source": "relay"},
        headers={"accept-language": "zh-hans"},
    )
    job = ImportJob.objects.get()
    assert job.options["language"] == "zh-hans"
    with translation.override("en"):
        import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED, job.message
    [issue] = job.issues
    assert issue["column"] == "annual_revenue"
    assert "not a number" not in issue["reason"] and "1234.50" in issue["reason"]

"""In Chromium: a whole production-style export into an empty Relay; the check page shows the
teams from the CRM and who becomes what before anything is written, an admin changes one user
and checks again, then applies."""

import zipfile

import pytest

from accounts.models import Team
from retention.models import CrmUserChoice, SalesRep
from tests.conftest import browser_login
from tests.fixtures.production_export import build


@pytest.mark.browser
@pytest.mark.celery_worker
def test_admin_sees_users_and_teams_changes_one_and_applies(
    page, celery_worker_process, admin_user, tmp_path
):
    expected = build(tmp_path / "export")
    archive = tmp_path / "WE_00D5e000000demo_1.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted((tmp_path / "export").glob("*.csv")):
            bundle.write(path, arcname=path.name)
    browser_login(page, "ada.admin", "pw-admin-1")
    page.goto("/imports/")
    page.set_input_files("input[name=files]", [str(archive)])
    page.click("#import-form button[type=submit]")

    page.wait_for_selector("#job-status[data-status=checked]", timeout=120_000)
    tree = page.locator("#job-org-tree tbody tr")
    assert "VP Sales / East / Miami" in [row.get_attribute("data-team") for row in tree.all()]
    users = page.locator("#job-users tbody tr")
    becomes = [row.get_attribute("data-becomes") for row in users.all()]
    assert becomes.count("rep") == len(expected.reps)
    assert not Team.objects.exists() and not SalesRep.objects.exists()

    manager_row = page.locator("#job-users tbody tr[data-becomes=manager]").first
    crm_id = manager_row.get_attribute("data-crm-id")
    page.select_option(f"select[name='becomes:{crm_id}']", "rep")
    page.click("#people-form button[type=submit]")
    page.wait_for_selector("#job-status[data-status=checked]", timeout=120_000)
    row = page.locator(f"#job-users tbody tr[data-crm-id='{crm_id}']")
    assert row.get_attribute("data-becomes") == "rep"
    assert "chosen for this import" in row.inner_text()

    page.click("#apply-form button[type=submit]")
    page.wait_for_selector("#job-status[data-status=applied]", timeout=120_000)

    assert SalesRep.objects.filter(crm_user_id=crm_id).exists()
    assert SalesRep.objects.count() == len(expected.reps) + 1
    assert CrmUserChoice.objects.get(crm_user_id=crm_id).by_admin
    assert Team.objects.count() == len(expected.teams)

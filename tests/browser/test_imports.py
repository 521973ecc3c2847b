"""In Chromium: upload an export, read the dry-run report, apply it, watch the job finish."""

import pytest

from retention.models import Customer
from tests.conftest import browser_login
from tests.retention.imports.conftest import SALESFORCE


@pytest.mark.browser
@pytest.mark.celery_worker
def test_admin_uploads_checks_and_applies_an_export(
    page, celery_worker_process, admin_user, team_north_a
):
    browser_login(page, "ada.admin", "pw-admin-1")
    page.goto("/imports/")
    page.set_input_files(
        "input[name=files]", [str(SALESFORCE / "User.csv"), str(SALESFORCE / "Account.csv")]
    )
    page.select_option("select[name=default_team]", label="North A")
    page.click("#import-form button[type=submit]")

    page.wait_for_selector("#job-status[data-status=checked]", timeout=60_000)
    assert "This was a dry run" in page.inner_text("#job-status")
    counts = page.inner_text("#job-counts")
    assert "Salesforce users (User.csv)" in counts and "Salesforce accounts" in counts
    # Both owners are known: no row note names one (the users table lists every CRM id).
    issues = page.locator("#job-issues")
    assert issues.count() == 0 or "005Ec000004o8yHIAQ" not in issues.inner_text()
    assert page.locator("#job-users tr[data-crm-id='005Ec000004o8yHIAQ']").count() == 1
    assert not Customer.objects.exists()

    page.click("#apply-form button[type=submit]")
    page.wait_for_selector("#job-status[data-status=applied]", timeout=60_000)

    assert page.inner_text("#job-status h2") == "Applied"
    assert Customer.objects.count() == 22

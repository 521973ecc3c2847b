"""A sales manager logs in with Chromium and sees only their own reps."""

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_login

pytestmark = pytest.mark.django_db(transaction=True)


def test_manager_logs_in_and_sees_only_their_reps(page, manager_b, rep_a, rep_b):
    browser_login(page, "manager.b", "pw-manager-b")
    page.goto("/reps/")
    rows = page.locator("#rep-table tbody tr")
    assert rows.count() == 1
    assert rows.first.inner_text().startswith("Bruno Silva")
    assert "Alice Anders" not in page.content()


def test_wrong_password_is_refused_with_a_message(page, manager_b):
    browser_login(page, "manager.b", "not-the-password")
    assert "do not match" in page.content()
    assert "/login/" in page.url


def test_rep_search_updates_the_table_without_reloading(page, manager_a, rep_a, rep_a2):
    browser_login(page, "manager.a", "pw-manager-a")
    page.goto("/reps/")
    page.fill("input[name=q]", "arne")
    # A locator wait, not wait_for_function: the CSP forbids the string eval that one needs.
    expect(page.locator("#rep-table tbody tr")).to_have_count(1, timeout=5000)
    assert "Arne Berg" in page.locator("#rep-table").inner_text()
    assert "q=arne" in page.url

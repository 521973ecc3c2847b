"""The product in Simplified Chinese, as a Chinese-speaking manager and an HR user see it.

The visible text of each page (``innerText``: what a person reads, not markup or scripts) may
hold no English word but names and codes: the names, e-mails and ids of the organisation's
people, customers and teams (read from the database), the languages' own names in the
switcher, and the small allowlist below. A failure lists every English word left, per page,
with the line it is on, so the missing translation is found at once.
"""

import datetime as dt
import re

import pytest
from django.utils import translation

from accounts.languages import language_choices
from accounts.models import Team, User
from accounts.services import user_language_set
from handover.models import Candidate, Vacancy
from handover.plans.services import handover_plan_create
from retention.demo import DemoSize, demo_seed
from retention.models import Customer, RiskModel, RiskScore, SalesRep
from retention.risk.services import risk_history_backfill
from retention.selectors import reps_visible, scoring_run_latest_complete
from tests.conftest import browser_login

pytestmark = pytest.mark.django_db(transaction=True)
END = dt.date(2026, 6, 30)
SMALL = DemoSize(reps=24, teams=6, regions=3, customers=100, months=9)
# Words that stay as they are in a Chinese sales organisation: the product's name and codes.
ALLOWED = {"Relay", "CSAT", "ROC", "AUC", "API", "CSV", "HR", "CRM", "CNY", "ID", "Excel", "XLSX"}
WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*")
HAN = re.compile(r"[\u4e00-\u9fff]")


def _names_and_codes() -> set[str]:
    """Every word of a name, e-mail or id in the organisation: these are data, not text."""
    values: list[str] = [name for _code, name in language_choices()]
    values += User.objects.values_list("username", flat=True)
    for row in User.objects.values_list("first_name", "last_name", "email"):
        values += row
    for row in SalesRep.objects.values_list(
        "first_name", "last_name", "email", "crm_user_id", "hr_employee_id"
    ):
        values += row
    for row in Candidate.objects.values_list("first_name", "last_name", "email"):
        values += row
    values += Customer.objects.values_list("name", flat=True)
    values += Customer.objects.values_list("external_id", flat=True)
    values += Team.objects.values_list("name", flat=True)
    values += RiskModel.objects.values_list("version", flat=True)
    return {word for value in values if value for word in WORD.findall(str(value))}


def english_left(page, allowed: set[str]) -> list[str]:
    """Each line of the page's visible text that still has an English word, with the words."""
    text = page.evaluate("() => document.title + '\\n' + document.body.innerText")
    found = []
    for line in text.splitlines():
        words = [
            w for w in WORD.findall(line) if w not in allowed and w.strip("-'’") not in allowed
        ]
        if words:
            found.append(f"{' '.join(sorted(set(words)))}    ← {line.strip()[:120]}")
    return found


def _assert_chinese(pages: dict[str, list[str]]) -> None:
    left = {name: lines for name, lines in pages.items() if lines}
    if left:
        report = "\n".join(
            f"{name} ({len(lines)} lines):\n  " + "\n  ".join(lines) for name, lines in left.items()
        )
        words = sorted(
            {w for lines in left.values() for line in lines for w in line.split("    ←")[0].split()}
        )
        pytest.fail(
            f"English words left on Chinese pages ({len(words)} distinct): "
            f"{', '.join(words)}\n{report}",
            pytrace=False,
        )


def test_chinese_demo_manager_sees_dashboard_rep_drivers_and_handover_plan_in_chinese(page):
    demo_seed(seed=2, size=SMALL, end_date=END, locale="zh-hans")
    risk_history_backfill(end=END, weeks=2)
    manager = User.objects.get(username="manager.east1")
    assert manager.language == "zh-hans"
    in_scope = reps_visible(user=manager)
    scored = (
        RiskScore.objects.filter(rep__in=in_scope, run=scoring_run_latest_complete())
        .exclude(drivers=[])
        .order_by("-probability")
        .select_related("rep")
        .first()
    )
    assert scored is not None, "no rep with drivers in the demo manager's scope"
    leaving = in_scope.filter(status=SalesRep.Status.NOTICE).order_by("id").first()
    assert leaving is not None
    # Drafted in English, as the departure receiver drafts it in the organisation's language:
    # its reasons are kept as data and read in the manager's language.
    with translation.override("en"):
        plan, _created = handover_plan_create(rep=leaving, created_by=manager, today=END)
    allowed = ALLOWED | _names_and_codes()

    browser_login(page, "manager.east1", "relay-demo")
    assert page.url.endswith("/dashboard/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    seen = {"dashboard": english_left(page, allowed)}
    assert HAN.search(page.inner_text("main"))

    page.goto(f"/reps/{scored.rep_id}/")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("data-plotly-locale") == "zh-CN"
    seen[f"rep page /reps/{scored.rep_id}/ (with drivers)"] = english_left(page, allowed)

    page.goto(f"/handover/plans/{plan.pk}/")
    page.wait_for_load_state("networkidle")
    seen[f"handover plan /handover/plans/{plan.pk}/"] = english_left(page, allowed)
    _assert_chinese(seen)


def test_hr_switches_language_in_the_header_and_the_vacancy_page_follows(page):
    demo_seed(seed=2, size=SMALL, end_date=END, locale="zh-hans")
    hr = User.objects.get(username="hr")
    user_language_set(user=hr, language="en")  # an HR user of the Chinese demo who chose English
    vacancy = Vacancy.objects.order_by("id").first()
    assert vacancy is not None
    allowed = ALLOWED | _names_and_codes()

    browser_login(page, "hr", "relay-demo")
    page.goto(f"/vacancies/{vacancy.pk}/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.select_option("#language-switcher-select", "zh-hans")
    page.click("#language-switcher [type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/vacancies/{vacancy.pk}/")  # back on the same page
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    hr.refresh_from_db()
    assert hr.language == "zh-hans"
    chinese = english_left(page, allowed)

    page.goto("/vacancies/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"  # it stays chosen
    listing = english_left(page, allowed)

    page.select_option("#language-switcher-select", "en")
    page.click("#language-switcher [type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/vacancies/")
    assert page.locator("html").get_attribute("lang") == "en"
    _assert_chinese(
        {f"vacancy /vacancies/{vacancy.pk}/": chinese, "vacancies /vacancies/": listing}
    )

"""Alert e-mails are written in each recipient's language (accounts.languages' rule): one
mail per language among an alert's managers, each rendered under that language."""

import html

from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import user_create, user_language_set
from retention.models import RiskAlert
from retention.risk import services
from tests.retention.risk.conftest import AS_OF
from tests.translation_catalog import zh_hans_catalog

ZH = {
    "Relay: %(rep)s – %(kind)s": "Relay 提醒：%(rep)s – %(kind)s",
    "%(rep)s is now at high risk of leaving (%(p)s).": (
        "%(rep)s 的离职风险已升为高（%(p)s）。"
    ),
}


@override_settings(RELAY_RISK_HIGH=0.0, RELAY_RISK_MEDIUM=0.0)
def test_each_manager_reads_the_alert_in_their_own_language(
    small_org, rep_a, team_north_a, manager_a, tmp_path
):
    manager_a.email = "mona@example.com"
    manager_a.save(update_fields=["email"])
    chinese = user_create(
        username="manager.zh",
        password=None,
        role=User.Role.SALES_MANAGER,
        email="li.wei@example.com",
        managed_teams=[team_north_a],
    )
    user_language_set(user=chinese, language="zh-hans")
    with zh_hans_catalog(tmp_path, ZH):
        services.risk_scores_refresh(as_of=AS_OF)
    alert = RiskAlert.objects.get(rep=rep_a)
    about_rep_a = [m for m in mail.outbox if rep_a.full_name in m.subject]
    by_recipient = {tuple(m.to): m for m in about_rep_a}
    assert set(by_recipient) == {("mona@example.com",), ("li.wei@example.com",)}
    english, chinese_mail = (
        by_recipient[("mona@example.com",)],
        by_recipient[("li.wei@example.com",)],
    )
    assert english.subject.startswith("Relay: ")
    assert "is now at high risk of leaving" in english.body
    assert chinese_mail.subject.startswith("Relay 提醒：")
    assert "的离职风险已升为高" in chinese_mail.body
    # The alert itself was claimed once, whatever the number of languages.
    assert alert.emailed_at is not None


@override_settings(RELAY_RISK_HIGH=0.0, RELAY_RISK_MEDIUM=0.0, LANGUAGE_CODE="zh-hans")
def test_a_manager_who_follows_the_browser_gets_the_organisation_language(
    small_org, rep_b, manager_b, tmp_path
):
    manager_b.email = "sam@example.com"
    manager_b.save(update_fields=["email"])
    with zh_hans_catalog(tmp_path, ZH):
        services.risk_scores_refresh(as_of=AS_OF)
    about_rep_b = [m for m in mail.outbox if rep_b.full_name in m.subject]
    assert len(about_rep_b) == 1
    assert about_rep_b[0].subject.startswith("Relay 提醒：")


@override_settings(RELAY_RISK_HIGH=0.0, RELAY_RISK_MEDIUM=0.0, LANGUAGE_CODE="en")
def test_an_alert_raised_in_english_reads_in_chinese_for_a_chinese_manager(
    small_org, rep_a, team_north_a, manager_a, tmp_path
):
    chinese = user_create(
        username="manager.zh",
        password=None,
        role=User.Role.SALES_MANAGER,
        managed_teams=[team_north_a],
    )
    user_language_set(user=chinese, language="zh-hans")
    with zh_hans_catalog(tmp_path, ZH):
        with translation.override("en"):
            services.risk_scores_refresh(as_of=AS_OF)
        alert = RiskAlert.objects.get(rep=rep_a)
        assert alert.message.startswith(f"{rep_a.full_name} is now at high risk of leaving (")

        client = Client()
        client.force_login(chinese)
        page = client.get(reverse("retention:alert_list")).content.decode()
        api = APIClient()
        api.force_login(chinese)
        rows = {row["id"]: row for row in api.get("/api/alerts/").json()["results"]}

        english = Client()
        english.force_login(manager_a)
        english_page = english.get(reverse("retention:alert_list")).content.decode()
        english_api = APIClient()
        english_api.force_login(manager_a)
        english_rows = {row["id"]: row for row in english_api.get("/api/alerts/").json()["results"]}
    assert f"{rep_a.full_name} 的离职风险已升为高（" in page
    assert html.escape(alert.message) not in page
    assert rows[alert.pk]["message"].startswith(f"{rep_a.full_name} 的离职风险已升为高（")
    # English is as it was stored, byte for byte.
    assert html.escape(alert.message) in english_page
    assert english_rows[alert.pk]["message"] == alert.message

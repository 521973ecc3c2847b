"""Language per user: the saved language, else the browser's, else the organisation's; the
header switcher (a form, no script, no open redirect), the preferences page and its API."""

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts.languages import (
    in_language_of,
    language_choices,
    user_language,
    user_saved_language,
    users_by_language,
)
from accounts.models import User
from accounts.names import person_name
from accounts.services import user_language_set
from accounts.tokens import api_token_create
from config.errors import ApplicationError
from tests.translation_catalog import zh_hans_catalog

pytestmark = pytest.mark.django_db

CHINESE = "zh-hans"


def _language_of(response) -> str:
    return response.headers["Content-Language"]


# --- the rule --------------------------------------------------------------------------------


def test_saved_language_wins_otherwise_the_organisation_default(manager_a):
    assert user_saved_language(manager_a) is None
    assert user_language(manager_a) == "en"
    with override_settings(LANGUAGE_CODE=CHINESE):
        assert user_language(manager_a) == CHINESE
    user_language_set(user=manager_a, language=CHINESE)
    assert user_language(manager_a) == CHINESE
    assert user_language(None) == settings.LANGUAGE_CODE


def test_a_saved_language_no_longer_offered_falls_back_to_the_default(manager_a):
    User.objects.filter(pk=manager_a.pk).update(language="fr")
    manager_a.refresh_from_db()
    assert user_saved_language(manager_a) is None
    assert user_language(manager_a) == "en"


def test_in_language_of_and_grouping_by_language(manager_a, manager_b):
    user_language_set(user=manager_b, language=CHINESE)
    with in_language_of(manager_b):
        assert translation.get_language() == CHINESE
    assert users_by_language([manager_a, manager_b]) == {"en": [manager_a], CHINESE: [manager_b]}


def test_only_offered_languages_can_be_saved_and_the_message_names_them(manager_a):
    with pytest.raises(ApplicationError) as refused:
        user_language_set(user=manager_a, language="klingon")
    assert refused.value.field == "language"
    assert "en, zh-hans" in refused.value.message
    user_language_set(user=manager_a, language=" ZH-Hans ")
    manager_a.refresh_from_db()
    assert manager_a.language == CHINESE


def test_languages_are_named_in_themselves():
    assert language_choices() == [("en", "English"), (CHINESE, "简体中文")]


def test_the_organisation_default_comes_from_the_environment(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from config.env import env_choice

    monkeypatch.setenv("LANGUAGE_CODE", "zh-Hans")
    assert env_choice("LANGUAGE_CODE", "en", ["en", CHINESE]) == CHINESE
    monkeypatch.setenv("LANGUAGE_CODE", "fr")
    with pytest.raises(ImproperlyConfigured, match="LANGUAGE_CODE='fr' is not one of: en"):
        env_choice("LANGUAGE_CODE", "en", ["en", CHINESE])
    monkeypatch.delenv("LANGUAGE_CODE")
    assert env_choice("LANGUAGE_CODE", "en", ["en", CHINESE]) == "en"


def test_chinese_names_are_written_family_name_first():
    assert person_name("伟", "王") == "王伟"
    assert person_name("Alice", "Anders") == "Alice Anders"
    assert person_name("", "Anders") == "Anders"


# --- pages: precedence -----------------------------------------------------------------------


def test_pages_follow_the_browser_until_the_user_saves_a_language(client, manager_a):
    client.force_login(manager_a)
    url = reverse("preferences")
    assert _language_of(client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")) == CHINESE
    assert _language_of(client.get(url, HTTP_ACCEPT_LANGUAGE="en-GB")) == "en"
    user_language_set(user=manager_a, language="en")
    assert _language_of(client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")) == "en"
    user_language_set(user=manager_a, language=CHINESE)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en-GB")
    assert _language_of(page) == CHINESE
    assert b'<html lang="zh-hans"' in page.content


def test_without_a_browser_preference_the_organisation_default_applies(client, manager_a):
    client.force_login(manager_a)
    assert _language_of(client.get(reverse("preferences"))) == "en"
    with override_settings(LANGUAGE_CODE=CHINESE):
        assert _language_of(client.get(reverse("preferences"))) == CHINESE


# --- the header switcher ---------------------------------------------------------------------


def test_the_switcher_is_a_form_in_the_header_of_every_page(client, manager_a):
    client.force_login(manager_a)
    page = client.get(reverse("token_list")).content.decode()
    assert 'id="language-switcher"' in page
    assert f'action="{reverse("language_switch")}"' in page
    assert '<option value="zh-hans" lang="zh-hans">简体中文</option>' in page
    assert 'name="next" value="/account/tokens/"' in page
    assert f'href="{reverse("preferences")}"' in page
    client.logout()
    assert 'id="language-switcher"' in client.get(reverse("login")).content.decode()


def test_switching_saves_the_users_language_and_goes_back(client, manager_a):
    client.force_login(manager_a)
    answer = client.post(reverse("language_switch"), {"language": CHINESE, "next": "/reps/?page=2"})
    assert answer.status_code == 302
    assert answer.url == "/reps/?page=2"
    manager_a.refresh_from_db()
    assert manager_a.language == CHINESE
    assert _language_of(client.get(reverse("preferences"), HTTP_ACCEPT_LANGUAGE="en")) == CHINESE
    # "" follows the browser again.
    client.post(reverse("language_switch"), {"language": "", "next": "/"})
    manager_a.refresh_from_db()
    assert manager_a.language == ""


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/x",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
    ],
)
def test_the_switcher_never_redirects_off_the_site(client, manager_a, next_url):
    client.force_login(manager_a)
    answer = client.post(
        reverse("language_switch"),
        {"language": CHINESE, "next": next_url},
        HTTP_REFERER="https://evil.example/from",
    )
    assert answer.status_code == 302
    assert answer.url == reverse("home")


def test_without_next_the_switcher_returns_to_the_referring_page_on_this_site(client, manager_a):
    client.force_login(manager_a)
    answer = client.post(
        reverse("language_switch"), {"language": CHINESE}, HTTP_REFERER="http://testserver/alerts/"
    )
    assert answer.url == "http://testserver/alerts/"


def test_an_unknown_language_changes_nothing(client, manager_a):
    client.force_login(manager_a)
    answer = client.post(reverse("language_switch"), {"language": "xx", "next": "/"}, follow=True)
    manager_a.refresh_from_db()
    assert manager_a.language == ""
    assert "nothing was changed" in answer.content.decode()


def test_the_switcher_takes_only_post(client, manager_a):
    client.force_login(manager_a)
    assert client.get(reverse("language_switch")).status_code == 405


def test_a_visitor_not_signed_in_switches_with_the_language_cookie(client):
    answer = client.post(reverse("language_switch"), {"language": CHINESE, "next": "/login/"})
    assert answer.url == "/login/"
    assert answer.cookies[settings.LANGUAGE_COOKIE_NAME].value == CHINESE
    assert _language_of(client.get("/login/", HTTP_ACCEPT_LANGUAGE="en")) == CHINESE


def test_signed_in_the_saved_language_wins_over_an_old_cookie(client, manager_a):
    client.post(reverse("language_switch"), {"language": CHINESE, "next": "/"})
    client.force_login(manager_a)
    user_language_set(user=manager_a, language="en")
    assert _language_of(client.get(reverse("preferences"))) == "en"
    answer = client.post(reverse("language_switch"), {"language": "", "next": "/"})
    assert answer.cookies[settings.LANGUAGE_COOKIE_NAME].value == ""  # deleted


# --- the preferences page --------------------------------------------------------------------


def test_preferences_page_saves_the_language_and_answers_in_it(client, manager_a, tmp_path):
    client.force_login(manager_a)
    page = client.get(reverse("preferences"))
    assert page.status_code == 200
    assert b'id="preferences-form"' in page.content
    with zh_hans_catalog(tmp_path, {"Preferences saved.": "偏好设置已保存。"}):
        saved = client.post(reverse("preferences"), {"language": CHINESE}, follow=True)
    manager_a.refresh_from_db()
    assert manager_a.language == CHINESE
    assert "偏好设置已保存。" in saved.content.decode()
    assert _language_of(saved) == CHINESE


def test_preferences_page_refuses_an_unknown_language_with_400(client, manager_a):
    client.force_login(manager_a)
    answer = client.post(reverse("preferences"), {"language": "xx"})
    assert answer.status_code == 400
    assert b"errorlist" in answer.content
    manager_a.refresh_from_db()
    assert manager_a.language == ""


def test_preferences_need_signing_in(client):
    answer = client.get(reverse("preferences"))
    assert answer.status_code == 302
    assert answer.url.startswith(reverse("login"))


# --- the API ---------------------------------------------------------------------------------


def test_api_reads_and_changes_ones_own_preferences(manager_a, manager_b):
    api = APIClient()
    api.force_authenticate(manager_a)
    assert api.get("/api/me/preferences/").json() == {
        "language": "",
        "effective_language": "en",
        "languages": [{"code": "en", "name": "English"}, {"code": CHINESE, "name": "简体中文"}],
    }
    changed = api.patch("/api/me/preferences/", {"language": CHINESE}, format="json")
    assert changed.status_code == 200
    assert changed.json()["language"] == CHINESE
    assert changed.json()["effective_language"] == CHINESE
    manager_a.refresh_from_db()
    manager_b.refresh_from_db()
    assert (manager_a.language, manager_b.language) == (CHINESE, "")
    assert api.patch("/api/me/preferences/", {}, format="json").json()["language"] == CHINESE


def test_api_refuses_an_unknown_language_naming_the_field(manager_a):
    api = APIClient()
    api.force_authenticate(manager_a)
    refused = api.patch("/api/me/preferences/", {"language": "xx"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["field"] == "language"


def test_api_preferences_need_a_signed_in_caller():
    assert APIClient().get("/api/me/preferences/").status_code in (401, 403)


def test_a_token_call_is_answered_in_the_token_users_language(manager_a):
    user_language_set(user=manager_a, language=CHINESE)
    _token, key = api_token_create(user=manager_a, name="script")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    answer = api.get("/api/me/preferences/", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 200
    assert _language_of(answer) == CHINESE


def test_preferences_endpoint_is_in_the_openapi_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = schema["paths"]["/api/me/preferences/"]
    assert set(operations) >= {"get", "patch"}

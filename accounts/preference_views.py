"""One's preferences page and the header's language switcher (a form; no script needed)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import page
from accounts.languages import language_choices, language_is_offered
from accounts.services import user_language_set


def _language_field_choices() -> list[tuple[str, str]]:
    return [("", gettext_lazy("Follow the browser")), *language_choices()]


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=_language_field_choices,
        required=False,
        help_text=gettext_lazy(
            "Pages and the e-mails Relay sends you. Following the browser, e-mails are in the "
            "organisation's language."
        ),
    )


@page()
def preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST or None, initial={"language": request.user.language})
    if request.method == "POST":
        if form.is_valid():
            user_language_set(user=request.user, language=form.cleaned_data["language"])
            # The answer is already in the new language.
            with translation.override(_page_language(request)):
                messages.success(request, _("Preferences saved."))
            return redirect("preferences")
        return render(request, "accounts/preferences.html", {"form": form}, status=400)
    return render(request, "accounts/preferences.html", {"form": form})


def _page_language(request: HttpRequest) -> str:
    """The language the next page will be in after a change of the saved language."""
    if request.user.is_authenticated and request.user.language:
        return request.user.language
    return translation.get_language_from_request(request)


def _safe_next(request: HttpRequest) -> str:
    """Where to go back to: ``next`` (or the page the form was on) when it is on this site,
    otherwise the home page. Never another host, scheme or protocol-relative URL."""
    for candidate in (request.POST.get("next", ""), request.META.get("HTTP_REFERER", "")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return reverse("home")


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """The header switcher: save the choice (on the user when signed in, in the language
    cookie otherwise) and go back to the page it was on. "" follows the browser again."""
    code = request.POST.get("language", "").strip().lower()
    response = HttpResponseRedirect(_safe_next(request))
    if code and not language_is_offered(code):
        messages.error(request, _("That language is not offered; nothing was changed."))
        return response
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=code)
        # The saved language is the user's from now on; a cookie would outlive a "follow the
        # browser" choice and is only for visitors who are not signed in.
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    elif code:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    return response

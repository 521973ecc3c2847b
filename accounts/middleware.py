"""Request-wide caches of the access layer, and the signed-in user's language."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from accounts.languages import user_saved_language
from accounts.org import org_tree_cached


class OrgTreeMiddleware:
    """Reads the org tree at most once per request, however many scoped queries ask for it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with org_tree_cached():
            return self.get_response(request)


class UserLanguageMiddleware:
    """A signed-in user's saved language, over what ``LocaleMiddleware`` read from the browser.

    It sits after ``AuthenticationMiddleware``; ``LocaleMiddleware`` (before it) then writes the
    active language into ``Content-Language`` and ``Vary: Accept-Language`` on the way out. API
    calls with a token are authenticated later, by DRF: ``ApiTokenAuthentication`` activates
    the token user's language the same way.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        code = user_saved_language(user) if user is not None and user.is_authenticated else None
        if code:
            translation.activate(code)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)

"""Response headers Relay adds in one place."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _

from config.error_pages import errors_page


def carries_personal_data(request: HttpRequest) -> bool:
    """Whether this request's view belongs to a namespace or path prefix that shows a person's
    risk, HR or salary data (``RELAY_NO_STORE_NAMESPACES``, ``RELAY_NO_STORE_PATH_PREFIXES``)."""
    if request.path.startswith(tuple(settings.RELAY_NO_STORE_PATH_PREFIXES)):
        return True
    match = getattr(request, "resolver_match", None)
    return bool(match and set(match.namespaces) & set(settings.RELAY_NO_STORE_NAMESPACES))


class NoStoreMiddleware:
    """``Cache-Control: no-store, private`` on every response that carries personal data, so a
    shared computer's browser cache or a proxy never keeps a risk page or API answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if carries_personal_data(request):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response


class RejectNulMiddleware:
    """A NUL character in a query or form parameter is a 400 naming the parameter, on pages and
    API alike: no database stores it in text (PostgreSQL refuses it outright), so letting it
    reach a query only turns a typo or a probe into a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = _parameter_with_nul(request)
        if name is None:
            return self.get_response(request)
        message = _("The parameter “%(name)s” contains a NUL character.") % {"name": name}
        if request.path.startswith("/api/"):
            # The shape of every other parameter refusal of the API (DRF's field errors).
            return JsonResponse({name: [message]}, status=400)
        return errors_page(request, {name: [message]})


def _parameter_with_nul(request: HttpRequest) -> str | None:
    sources = [request.GET]
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        sources.append(request.POST)
    for params in sources:
        for name, values in params.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return name.replace("\x00", "")
    return None

"""Response headers Relay adds in one place."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control


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

"""Request-wide caches of the access layer."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from accounts.org import org_tree_cached


class OrgTreeMiddleware:
    """Reads the org tree at most once per request, however many scoped queries ask for it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with org_tree_cached():
            return self.get_response(request)

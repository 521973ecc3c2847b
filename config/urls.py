from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.http import last_modified
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.permissions import BasePermission

from config.health import healthz


class SchemaPermission(BasePermission):
    """The OpenAPI schema is for signed-in callers (session or token) unless
    ``RELAY_API_DOCS_PUBLIC`` opens it."""

    def has_permission(self, request, view) -> bool:
        if settings.RELAY_API_DOCS_PUBLIC:
            return True
        user = request.user
        return bool(user and user.is_authenticated and user.is_active)


def docs_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The browsable docs: to the login page first unless ``RELAY_API_DOCS_PUBLIC``."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.RELAY_API_DOCS_PUBLIC and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


_docs_permissions = {"permission_classes": [SchemaPermission]}
# The browsable docs are pages to read: OPTIONS made Swagger UI's view render a template it
# names only in get() (TemplateDoesNotExist, a 500); anything but GET and HEAD is a 405.
_docs_page_options = {**_docs_permissions, "http_method_names": ["get", "head"]}
api_patterns = [
    path("", include("accounts.api_urls")),
    path("", include("retention.api_urls")),
    path("", include("handover.api_urls")),
    path("schema/", SpectacularAPIView.as_view(**_docs_permissions), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script for the CSP.
    path(
        "docs/",
        docs_page(SpectacularSwaggerSplitView.as_view(url_name="schema", **_docs_page_options)),
        name="api-docs",
    ),
    path(
        "redoc/",
        docs_page(SpectacularRedocView.as_view(url_name="schema", **_docs_page_options)),
        name="api-redoc",
    ),
]

# The djangojs catalog (gettext() in static/js) of Relay's own apps; it changes only with a
# deploy, so a browser revalidates it against the time this process started (a 304).
_STARTED = timezone.now()
javascript_catalog = last_modified(lambda request, **kwargs: _STARTED)(
    JavaScriptCatalog.as_view(domain="djangojs", packages=["accounts", "retention", "handover"])
)

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("jsi18n/", javascript_catalog, name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    path("", include("accounts.urls")),
    path("", include("retention.urls")),
    path("", include("handover.urls")),
]

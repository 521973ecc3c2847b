"""The one page for a refused request that is not an htmx request: the styled 400 page, naming
each parameter or field with its reasons, escaped like any template value (never the raw input
echoed back). List filters, form posts and the NUL-byte guard all answer through it."""

from collections.abc import Iterable, Mapping

from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def errors_page(
    request: HttpRequest, errors: Mapping[str, Iterable[str]], *, filters: bool = False
) -> HttpResponse:
    """400 naming each parameter. ``filters``: the request was a list's filters, so the page
    offers the list without them."""
    named = [(name, [str(message) for message in messages]) for name, messages in errors.items()]
    context = {"form_errors": named, "filters_path": request.path if filters else ""}
    return render(request, "400.html", context, status=400)


def form_errors_page(request: HttpRequest, form: Form, *, filters: bool = False) -> HttpResponse:
    return errors_page(request, form.errors, filters=filters)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A refused form post (an expired or missing CSRF token) on the styled page with the way
    on, instead of Django's bare one (settings ``CSRF_FAILURE_VIEW``)."""
    return render(request, "403_csrf.html", {"reason": reason}, status=403)

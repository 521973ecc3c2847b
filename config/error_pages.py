"""The one page for a refused request that is not an htmx request: the styled 400 page, naming
each parameter or field with its reasons, escaped like any template value (never the raw input
echoed back). List filters, form posts and the NUL-byte guard all answer through it.

And the two ways a refusal reaches a form shown again: a service's ``ApplicationError`` under
the field it names (``form_refusal_add``), and a form's errors in one line naming each field by
its label (``form_errors_text``), for a message or a list's row."""

from collections.abc import Iterable, Mapping

from django.core.exceptions import NON_FIELD_ERRORS
from django.forms import BaseForm, Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from config.errors import ApplicationError


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


def form_refusal_add(form: BaseForm, error: ApplicationError) -> None:
    """A service's refusal on the form: under the field it names when the form has that field
    (beside what was typed), else above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def form_errors_text(form: BaseForm) -> str:
    """A form's errors in one line for a message or a list's row, each after the label of the
    field it is about ("Start date: Enter a valid date.")."""
    parts = []
    for name, messages in form.errors.items():
        text = " ".join(str(message) for message in messages)
        label = form.fields[name].label if name in form.fields else None
        parts.append(f"{label or name}: {text}" if name != NON_FIELD_ERRORS else text)
    return "; ".join(parts)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A refused form post (an expired or missing CSRF token) on the styled page with the way
    on, instead of Django's bare one (settings ``CSRF_FAILURE_VIEW``)."""
    return render(request, "403_csrf.html", {"reason": reason}, status=403)

"""The page for a refused form post that is not an htmx request: the styled 400 page, with each
field's errors escaped like any template value (never the raw input echoed back)."""

from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def form_errors_page(request: HttpRequest, form: Form) -> HttpResponse:
    errors = [(field, list(messages)) for field, messages in form.errors.items()]
    return render(request, "400.html", {"form_errors": errors}, status=400)

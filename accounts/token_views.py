"""The personal API tokens page: create (the key is shown once), list, revoke."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import tokens
from accounts.access import page
from config.errors import ApplicationError


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)


@page()
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST or None)
    new_key = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = tokens.api_token_create(
                user=request.user, name=form.cleaned_data["name"]
            )
        except ApplicationError as exc:
            form.add_error("name", exc.message)
            status = 400
        else:
            form = TokenCreateForm()
    elif request.method == "POST":
        status = 400
    context = {
        "tokens": tokens.api_tokens_of(user=request.user),
        "form": form,
        "new_key": new_key,
    }
    return render(request, "accounts/tokens.html", context, status=status)


@page()
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = tokens.api_token_revoke(user=request.user, token_id=token_id)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("token_list")

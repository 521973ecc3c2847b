"""The answer of an action taken from a list's row (htmx): the row the page swaps in, saying what
was done (or why not) with the links on; without htmx, the message and a redirect back.

One shape for every list (coverage gaps, single-threaded key accounts, customers, the
dashboard's reps, alerts), rendered by ``templates/partials/row_result.html``. A refusal is a
422, which htmx swaps like a success (``responseHandling`` in ``templates/base.html``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

MAX_COLUMNS = 30
REFUSED = 422


@dataclass(frozen=True)
class RowResult:
    """What an action did, as the row shows it: ``level`` is success, info or error;
    ``title`` names the row's customer or rep; ``subject`` is their id (a data attribute)."""

    level: str
    message: str
    cols: int = 1
    title: str = ""
    subject: str = ""
    links: tuple[tuple[str, str], ...] = field(default=())


def _columns(raw: str) -> int:
    return min(int(raw), MAX_COLUMNS) if raw.isdigit() and 0 < len(raw) < 4 and int(raw) else 1


def columns(request: HttpRequest) -> int:
    """How many columns the row spans (its table's), from the form's ``cols``; 1 when absent
    or not a small whole number."""
    return _columns(request.POST.get("cols", ""))


def columns_get(request: HttpRequest) -> int:
    """The same, from the query string (a row's actions loaded on demand)."""
    return _columns(request.GET.get("cols", ""))


def back_to(request: HttpRequest, default: str) -> str:
    """The form's ``next`` when it is a path of this site, else ``default``: the one rule of
    every form that goes back where it came from.

    Only a path ("/…"): ``redirect()`` reads any other word as the name of a view to reverse,
    so ``next=abc`` would be a 500."""
    wanted = request.POST.get("next", "")
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return default


def row_answer(
    request: HttpRequest, result: RowResult, *, default_next: str, status: int = 200
) -> HttpResponse:
    """The row for htmx; otherwise the message, and back where the action came from."""
    if request.htmx:
        return render(request, "partials/row_result.html", {"result": result}, status=status)
    level = messages.ERROR if result.level == "error" else messages.SUCCESS
    messages.add_message(request, level, result.message)
    return redirect(back_to(request, default_next))

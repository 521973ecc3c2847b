"""Actions straight from a list's rows (coverage gaps, single-threaded key accounts, customers,
the dashboard's reps, alerts), for htmx: the row is replaced by what the action did, with links
on. Without htmx the same POST redirects back with the message.

Each view is the shape of the others: the role's right (``@page``, else 403), the customer and
the person chosen fetched in the user's scope (else 404), one service call, the answer
(``config.row_actions``). A refusal by the service (the person is not among those the ownership
policy offers) is a 422 row naming why.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.access import get_visible_or_404, page
from accounts.models import User
from config.errors import ApplicationError
from config.row_actions import REFUSED, RowResult, columns, columns_get, row_answer
from handover.models import HandoverPlan
from handover.plans import cover, selectors
from retention.models import Customer, SalesRep
from retention.ownership.selectors import customer_rep_holders
from retention.people import rep_in_scope
from retention.selectors import customer_get_visible, rep_get_visible

ADD_ASSIGNMENT = "retention.add_assignment"


def chosen_person(request: HttpRequest) -> tuple[SalesRep | None, User | None]:
    """The ``recipient`` field, ``rep:<id>`` or ``manager:<id>``, fetched in the user's scope
    (404 outside it); (None, None) when it names neither."""
    kind, _sep, raw_id = request.POST.get("recipient", "").partition(":")
    if not raw_id.isdigit() or len(raw_id) > 18:
        return None, None
    if kind == "rep":
        return rep_get_visible(user=request.user, rep_id=int(raw_id)), None
    if kind == "manager":
        manager = get_visible_or_404(selectors.managers_in_scope(user=request.user), pk=int(raw_id))
        return None, manager
    return None, None


def _customer_links(customer: Customer) -> tuple[tuple[str, str], ...]:
    return ((_("Open customer"), reverse("retention:customer_detail", args=[customer.pk])),)


def _assign(request: HttpRequest, customer_id: int, *, write, done: str) -> HttpResponse:
    customer = customer_get_visible(user=request.user, customer_id=customer_id)
    rep, manager = chosen_person(request)
    cols = columns(request)
    default_next = reverse("handover:coverage")
    try:
        write(customer=customer, user=request.user, rep=rep, manager=manager)
    except ApplicationError as exc:
        result = RowResult(
            "error", exc.message, cols=cols, title=customer.name, subject=str(customer.pk)
        )
        return row_answer(request, result, default_next=default_next, status=REFUSED)
    who = rep.full_name if rep is not None else str(manager)
    result = RowResult(
        "success",
        done % {"who": who, "customer": customer.name},
        cols=cols,
        title=customer.name,
        subject=str(customer.pk),
        links=_customer_links(customer),
    )
    return row_answer(request, result, default_next=default_next)


@page(ADD_ASSIGNMENT)
@require_POST
def customer_backup(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Add the backup chosen from the policy's offer (a manager: as manager cover)."""
    return _assign(
        request,
        customer_id,
        write=cover.customer_backup_add,
        done=_("%(who)s now backs up %(customer)s."),
    )


@page(ADD_ASSIGNMENT)
@require_POST
def customer_cover(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Cover a key customer nobody holds with the rep or manager chosen from the policy's
    offer."""
    return _assign(
        request,
        customer_id,
        write=cover.customer_cover_assign,
        done=_("%(who)s now covers %(customer)s."),
    )


def plan_started(request: HttpRequest, *, plan: HandoverPlan, created: bool) -> HttpResponse:
    """The row after "start a handover" (``views.plan_create`` asked by htmx): the draft drafted
    now, or the rep's draft already there, with the way to it."""
    rep, count = plan.rep, plan.items.count()
    if created:
        message = ngettext(
            "Handover plan drafted for %(rep)s: %(n)d customer to hand over.",
            "Handover plan drafted for %(rep)s: %(n)d customers to hand over.",
            count,
        )
    else:
        message = ngettext(
            "%(rep)s already has a draft handover plan: %(n)d customer.",
            "%(rep)s already has a draft handover plan: %(n)d customers.",
            count,
        )
    result = RowResult(
        "success" if created else "info",
        message % {"rep": rep.full_name, "n": count},
        cols=columns(request),
        title=rep.full_name,
        subject=str(rep.pk),
        links=((_("Open the plan"), reverse("handover:plan_detail", args=[plan.pk])),),
    )
    return row_answer(request, result, default_next=reverse("handover:plan_detail", args=[plan.pk]))


@page("retention.view_customer")
@require_GET
def customer_actions(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The actions of one customer's row, loaded into it on demand: a backup (or, nobody
    holding it, a cover) from the policy's offer, and a handover of its holder's customers."""
    customer = customer_get_visible(user=request.user, customer_id=customer_id)
    holder = customer_rep_holders(customer_ids=[customer.pk]).get(customer.pk)
    held = holder is not None and holder.valid_to is None
    shown = held and rep_in_scope(viewer=request.user, rep=holder.rep)
    context = {
        "customer": customer,
        "choices": cover.customer_choices(customer=customer, user=request.user),
        "held": held,
        "holder": holder.rep if shown else None,
        "cols": columns_get(request),
    }
    return render(request, "handover/plans/_customer_actions.html", context)

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.access import may, page, teams_visible_to
from config.error_pages import form_errors_page
from retention import selectors
from retention.dashboard.views import rep_risk_context
from retention.filters import CustomerFilterSet, RepFilterSet
from retention.knowledge import selectors as knowledge
from retention.models import SalesRep
from retention.ownership import selectors as ownership

PAGE_SIZE = 50


@page("retention.view_salesrep")
def rep_list(request: HttpRequest) -> HttpResponse:
    filterset = RepFilterSet(
        request.GET, queryset=selectors.reps_visible_to(request.user), request=request
    )
    if not filterset.is_valid():
        return form_errors_page(request, filterset.form, filters=True)
    context = {
        "page": Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page")),
        "teams": teams_visible_to(user=request.user),
        "statuses": SalesRep.Status.choices,
        "params": request.GET,
    }
    template = "retention/_rep_rows.html" if request.htmx else "retention/rep_list.html"
    return render(request, template, context)


@page("retention.view_salesrep")
def rep_detail(request: HttpRequest, rep_id: int) -> HttpResponse:
    """The rep's details and, for roles that may read risk, their risk (score and signal
    history, drivers), customers at stake and the intervention log: that read is audited."""
    rep = selectors.rep_get_visible(user=request.user, rep_id=rep_id)
    context = {
        "rep": rep,
        "recent_activity": selectors.rep_recent_activity(rep=rep),
        "activity_summary": selectors.rep_activity_summary(rep=rep, today=timezone.localdate()),
    }
    context["show_risk"] = may(request.user, "retention.view_riskscore")
    if context["show_risk"]:
        context.update(rep_risk_context(request, rep))
    return render(request, "retention/rep_detail.html", context)


@page("retention.view_customer")
def customer_list(request: HttpRequest) -> HttpResponse:
    filterset = CustomerFilterSet(
        request.GET, queryset=selectors.customers_visible_to(request.user), request=request
    )
    if not filterset.is_valid():
        return form_errors_page(request, filterset.form, filters=True)
    page_ = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page_.object_list = selectors.customer_list_with_owner(page_.object_list)
    context = {
        "page": page_,
        "params": request.GET,
        # Backups, covers and handovers from the row (the handover app's actions).
        "row_actions": may(request.user, "retention.add_assignment")
        or may(request.user, "handover.add_handoverplan"),
    }
    return render(request, "retention/customer_list.html", context)


@page("retention.view_customer")
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = selectors.customer_get_visible(user=request.user, customer_id=customer_id)
    deals = list(customer.deals.live().select_related("owner").order_by("-created_on")[:50])
    activity = list(customer.activities.live().select_related("rep").order_by("-occurred_at")[:20])
    context = {
        "customer": customer,
        **knowledge_context(request, customer),
        "assignments": ownership.customer_holder_history(user=request.user, customer=customer),
        "deals": deals,
        "recent_activity": activity,
        # Reps of other teams are not named beside the customer's deals and contacts.
        "named_rep_ids": selectors.rep_ids_visible(
            request.user, [d.owner_id for d in deals] + [a.rep_id for a in activity]
        ),
    }
    return render(request, "retention/customer_detail.html", context)


RECENT_VERSIONS = 5


def knowledge_context(request: HttpRequest, customer) -> dict:
    """The customer's current note and its latest versions, for roles that may read it."""
    if not may(request.user, "retention.view_customerknowledge"):
        return {"show_knowledge": False}
    history = knowledge.knowledge_history(customer=customer)
    rows = list(history[: RECENT_VERSIONS + 1])
    versions = knowledge.versions_for_viewer(
        viewer=request.user,
        rows=rows[:RECENT_VERSIONS],
        previous=rows[RECENT_VERSIONS] if len(rows) > RECENT_VERSIONS else None,
    )
    return {
        "show_knowledge": True,
        "may_edit_knowledge": may(request.user, "retention.add_customerknowledge"),
        "knowledge": versions[0] if versions else None,
        "knowledge_versions": versions,
        "knowledge_count": history.count() if len(rows) > RECENT_VERSIONS else len(rows),
        "knowledge_labels": knowledge.part_labels(),
    }

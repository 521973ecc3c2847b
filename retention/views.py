from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.access import teams_visible_to
from config.params import int_or_none
from retention import selectors
from retention.dashboard.views import rep_risk_context
from retention.models import SalesRep

PAGE_SIZE = 50


@login_required
def rep_list(request: HttpRequest) -> HttpResponse:
    params = request.GET
    reps = selectors.rep_list(
        user=request.user,
        search=params.get("q", "").strip(),
        team_id=int_or_none(params.get("team")),
        status=params.get("status", "") if params.get("status") in SalesRep.Status.values else "",
        ordering=params.get("sort", "name"),
    )
    page = Paginator(reps, PAGE_SIZE).get_page(params.get("page"))
    context = {
        "page": page,
        "teams": teams_visible_to(user=request.user),
        "statuses": SalesRep.Status.choices,
        "params": params,
    }
    template = "retention/_rep_rows.html" if request.htmx else "retention/rep_list.html"
    return render(request, template, context)


@login_required
def rep_detail(request: HttpRequest, rep_id: int) -> HttpResponse:
    """The rep's details, risk (score and signal history, drivers), customers at stake and the
    intervention log. Every view is written to the risk-page audit log."""
    rep = selectors.rep_get_visible(user=request.user, rep_id=rep_id)
    context = {
        "rep": rep,
        "recent_activity": selectors.rep_recent_activity(rep=rep),
        "activity_summary": selectors.rep_activity_summary(rep=rep, today=timezone.localdate()),
        **rep_risk_context(request, rep),
    }
    return render(request, "retention/rep_detail.html", context)


@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    params = request.GET
    customers = selectors.customer_list(
        user=request.user,
        search=params.get("q", "").strip(),
        key_only=params.get("key") == "1",
        ordering=params.get("sort", "name"),
    )
    page = Paginator(customers, PAGE_SIZE).get_page(params.get("page"))
    page.object_list = selectors.customer_list_with_owner(page.object_list)
    return render(request, "retention/customer_list.html", {"page": page, "params": params})


@login_required
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = selectors.customer_get_visible(user=request.user, customer_id=customer_id)
    context = {
        "customer": customer,
        "assignments": selectors.customer_assignments(customer=customer),
        "deals": customer.deals.select_related("owner").order_by("-created_on")[:50],
        "recent_activity": customer.activities.select_related("rep").order_by("-occurred_at")[:20],
    }
    return render(request, "retention/customer_detail.html", context)

"""Pages of handover plans, coverage and multi-threading. Short: the role's right (``@page``,
else 403), fetch in scope (else 404), call, render. Every person named beside a plan (its
creator, approver, a suggested or chosen recipient) passes the viewer's scope or is shown
without a name."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import may, page, teams_visible_to
from config.error_pages import form_errors_page, form_errors_text, form_refusal_add
from config.errors import ApplicationError
from handover import filters
from handover.models import HandoverItem, HandoverPlan
from handover.plans import coverage, row_views, selectors, services
from handover.plans.brief import brief_xlsx
from handover.plans.forms import ApplyForm, ItemForm, ReverseForm
from retention import people
from retention.filters import SingleThreadedFilterSet
from retention.knowledge import selectors as knowledge
from retention.knowledge.forms import KnowledgeForm
from retention.knowledge.services import KnowledgeConflict
from retention.knowledge.views import refresh_base_version
from retention.ownership import selectors as ownership
from retention.selectors import rep_get_visible, reps_visible

VIEW_PLAN = "handover.view_handoverplan"
VIEW_COVERAGE = "handover.view_coveragegap"
PAGE_SIZE = 50
# Writing a note in a plan's item writes the customer's knowledge: both rights.
EDIT_ITEM = ("handover.change_handoveritem", "retention.add_customerknowledge")
SINGLE_THREADED_PAGE_SIZE = 25


def label_plan_people(*, viewer, plans: list[HandoverPlan]) -> None:
    """``created_by_label``, ``approved_by_label`` and ``reversed_by_label`` on each plan."""
    names = people.user_labels(
        viewer=viewer,
        people=[p.created_by for p in plans]
        + [p.approved_by for p in plans]
        + [p.reversed_by for p in plans],
    )
    for plan in plans:
        plan.created_by_label = names.get(plan.created_by_id, "")
        plan.approved_by_label = names.get(plan.approved_by_id, "")
        plan.reversed_by_label = names.get(plan.reversed_by_id, "")


def label_item_people(*, viewer, items: list[HandoverItem]) -> None:
    """``suggested_label`` and ``recipient_label`` on each item: reps of other teams and
    managers the viewer may not name appear without their names."""
    managers = people.user_labels(
        viewer=viewer,
        people=[i.suggested_manager for i in items] + [i.chosen_manager for i in items],
    )
    for item in items:
        if item.suggested_rep_id:
            item.suggested_label = people.rep_label(viewer=viewer, rep=item.suggested_rep)
        else:
            item.suggested_label = managers.get(item.suggested_manager_id, "")
        if item.chosen_rep_id:
            item.recipient_label = people.rep_label(viewer=viewer, rep=item.chosen_rep)
        else:
            item.recipient_label = managers.get(item.chosen_manager_id, "")


def recipient_in_scope(*, viewer, kind: str, recipient_id: int) -> bool:
    """Whether the viewer may open a recipient's brief: a rep of their scope, or a manager
    they may name."""
    if kind == "rep":
        return reps_visible(user=viewer).filter(pk=recipient_id).exists()
    return selectors.managers_in_scope(user=viewer).filter(pk=recipient_id).exists()


@page("handover.add_handoverplan")
def plan_create(request: HttpRequest, rep_id: int) -> HttpResponse:
    """GET: confirm; POST: draft the plan (or find the rep's draft) and open it."""
    rep = rep_get_visible(user=request.user, rep_id=rep_id)
    if request.method == "POST":
        plan, created = services.handover_plan_create(rep=rep, created_by=request.user)
        if request.htmx:  # started from a list's row: the row says what happened
            return row_views.plan_started(request, plan=plan, created=created)
        if not created:
            messages.info(request, _("This rep already has a draft plan."))
        return redirect("handover:plan_detail", plan_id=plan.pk)
    context = {
        "rep": rep,
        "draft": selectors.plan_draft_for_rep(rep=rep),
        "customer_count": len(ownership.rep_current_assignments(rep=rep)),
    }
    return render(request, "handover/plans/plan_create.html", context)


@page(VIEW_PLAN)
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = selectors.plans_visible(user=request.user).annotate(item_count=Count("items"))
    found = filters.PlanFilter(request.GET, queryset=plans.order_by("-created_at", "-id"))
    if not found.is_valid():
        return form_errors_page(request, found.form, filters=True)
    listing = Paginator(found.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    label_plan_people(viewer=request.user, plans=listing.object_list)
    context = {
        "page": listing,
        "plans": listing.object_list,
        "params": request.GET,
        "status": request.GET.get("status", ""),
        "statuses": HandoverPlan.Status.choices,
        "filtered": any(value not in (None, "") for value in found.form.cleaned_data.values()),
        "may_start": may(request.user, "handover.add_handoverplan"),
    }
    return render(request, "handover/plans/plan_list.html", context)


@page(VIEW_PLAN)
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_get_visible(user=request.user, plan_id=plan_id)
    items = selectors.plan_items(plan=plan)
    label_plan_people(viewer=request.user, plans=[plan])
    label_item_people(viewer=request.user, items=items)
    recipients = selectors.plan_recipients(items=items)
    for recipient in recipients:
        recipient.in_scope = recipient_in_scope(
            viewer=request.user, kind=recipient.kind, recipient_id=recipient.id
        )
        if not recipient.in_scope:
            recipient.name = recipient.items[0].recipient_label
    today = timezone.localdate()
    context = {
        "plan": plan,
        "items": items,
        "missing_notes": selectors.plan_missing_notes(items=items),
        "waived_names": [i.customer.name for i in items if i.customer_id in plan.notes_waived],
        "may_edit_notes": may(request.user, *EDIT_ITEM),
        "days_left": selectors.days_until(day=plan.rep.departure_date, today=today),
        "recipients": recipients,
        "reverse_form": ReverseForm(),
    }
    return render(request, "handover/plans/plan_detail.html", context)


@page(EDIT_ITEM)
def item_edit(request: HttpRequest, plan_id: int, item_id: int) -> HttpResponse:
    """A draft's item: recipient, mode, what moves, and the customer's note. Once the plan is
    applied (or reversed) the note alone: it is the customer's knowledge, kept with history."""
    plan = selectors.plan_get_visible(user=request.user, plan_id=plan_id)
    item = selectors.item_get(plan=plan, item_id=item_id)
    is_draft = plan.status == HandoverPlan.Status.DRAFT
    today = timezone.localdate()
    suggested = knowledge.knowledge_suggestions(customer_ids=[item.customer_id], today=today)
    note_initial, suggested_parts = knowledge.knowledge_initial(
        current=item.knowledge, suggested=suggested.get(item.customer_id, {})
    )
    note_initial["base_version"] = item.knowledge.version if item.knowledge else 0
    data = request.POST if request.method == "POST" else None
    note_form = KnowledgeForm(
        data, initial=note_initial, suggested_parts=suggested_parts, prefix="note"
    )
    form = None
    if is_draft:
        reps = list(selectors.recipient_reps(user=request.user, plan=plan))
        managers = list(selectors.managers_in_scope(user=request.user))
        current = (
            f"rep:{item.chosen_rep_id}"
            if item.chosen_rep_id
            else f"manager:{item.chosen_manager_id}"
        )
        initial = {
            "recipient": current,
            "mode": item.mode,
            "cover_until": item.cover_until,
            "move_open_deals": item.move_open_deals,
            "move_open_activities": item.move_open_activities,
        }
        form = ItemForm(
            data, initial=initial, reps=reps, managers=managers, customer=item.customer.name
        )
    # Both forms checked, so each shows its own errors at once.
    valid = [f.is_valid() for f in (form, note_form) if f is not None]
    if data is not None and all(valid):
        parts = note_form.parts_to_save()
        note = None
        if parts is not None:
            base = note_form.cleaned_data["base_version"]
            note = services.NoteEdit(parts=parts, base_version=base)
        try:
            saved = services.handover_plan_item_update(
                item=item, user=request.user, note=note, **(form.changes() if form else {})
            )
        except KnowledgeConflict as exc:
            note_form.add_error(None, exc.message)
            refresh_base_version(
                note_form, current=knowledge.knowledge_current(customer=item.customer)
            )
        except ApplicationError as exc:
            if form is not None:
                form_refusal_add(form, exc)
            else:
                note_form.add_error(None, exc.message)
        else:
            messages.success(request, item_saved_message(plan=plan, saved=saved))
            return redirect("handover:plan_detail", plan_id=plan.pk)
    context = {
        "plan": plan,
        "item": item,
        "form": form,
        "note_form": note_form,
        "is_draft": is_draft,
        "current_version": (
            knowledge.versions_for_viewer(viewer=request.user, rows=[item.knowledge])[0]
            if item.knowledge
            else None
        ),
    }
    return render(request, "handover/plans/item_edit.html", context)


def item_saved_message(*, plan: HandoverPlan, saved: services.ItemSaved) -> str:
    customer = saved.item.customer.name
    if plan.status != HandoverPlan.Status.DRAFT:
        if not saved.note_written:
            return _("Nothing changed in %(customer)s's note.") % {"customer": customer}
        return _(
            "Saved %(customer)s's note as version %(version)s of what is known about the "
            "customer. The plan is %(status)s; the note is kept with the customer, with its "
            "history."
        ) % {
            "customer": customer,
            "version": saved.knowledge.version,
            "status": plan.get_status_display().lower(),
        }
    if saved.note_written:
        return _("Saved %(customer)s; its note is version %(version)s.") % {
            "customer": customer,
            "version": saved.knowledge.version,
        }
    return _("Saved %(customer)s.") % {"customer": customer}


@page({"GET": "handover.change_handoverplan", "POST": "handover.change_handoverplan"})
def plan_apply(request: HttpRequest, plan_id: int) -> HttpResponse:
    """GET: the confirmation, with what applying does and the key accounts without a note;
    POST: apply (a missing note needs the box ticked that it is not needed)."""
    plan = selectors.plan_get_visible(user=request.user, plan_id=plan_id)
    if plan.status != HandoverPlan.Status.DRAFT:
        messages.info(
            request,
            _("The plan is already %(status)s.") % {"status": plan.get_status_display().lower()},
        )
        return redirect("handover:plan_detail", plan_id=plan.pk)
    items = selectors.plan_items(plan=plan)
    impact = selectors.plan_apply_impact(plan=plan, items=items, now=timezone.now())
    form = ApplyForm(
        request.POST if request.method == "POST" else None, missing=bool(impact.missing_notes)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.handover_plan_apply(
                plan=plan,
                approved_by=request.user,
                confirm_missing_notes=form.cleaned_data["confirm_missing_notes"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The plan is applied."))
            return redirect("handover:plan_detail", plan_id=plan.pk)
    label_item_people(viewer=request.user, items=items)
    context = {"plan": plan, "items": items, "impact": impact, "form": form}
    return render(request, "handover/plans/plan_apply.html", context)


@page("handover.change_handoverplan")
@require_POST
def plan_reverse(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_get_visible(user=request.user, plan_id=plan_id)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("handover:plan_detail", plan_id=plan.pk)
    try:
        services.handover_plan_reverse(
            plan=plan, reversed_by=request.user, reason=form.cleaned_data["reason"]
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The plan is reversed."))
    return redirect("handover:plan_detail", plan_id=plan.pk)


@page(VIEW_PLAN)
def plan_brief(request: HttpRequest, plan_id: int, kind: str, recipient_id: int) -> HttpResponse:
    """The brief for one recipient: HTML to print, or ``?format=xlsx`` for a workbook. A
    recipient outside the viewer's scope has no brief for them (404)."""
    plan = selectors.plan_get_visible(user=request.user, plan_id=plan_id)
    if kind not in ("rep", "manager"):
        raise Http404
    if not recipient_in_scope(viewer=request.user, kind=kind, recipient_id=recipient_id):
        raise Http404
    items = selectors.recipient_items(
        items=selectors.plan_items(plan=plan), kind=kind, recipient_id=recipient_id
    )
    if not items:
        raise Http404
    recipient = items[0].recipient
    name = recipient.full_name if kind == "rep" else str(recipient)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            brief_xlsx(plan=plan, recipient_name=name, items=items),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        filename = f"handover-{plan.pk}-{kind}-{recipient_id}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    context = {
        "plan": plan,
        "recipient_name": name,
        "items": items,
        "kind": kind,
        "recipient_id": recipient_id,
        "missing_notes": selectors.plan_missing_notes(items=items),
    }
    return render(request, "handover/plans/brief.html", context)


@page(VIEW_COVERAGE)
def coverage_page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    gaps = coverage.coverage_gaps(user=request.user, today=today)
    counts = dict.fromkeys(coverage.Kind.values, 0)
    for gap in gaps:
        counts[gap.kind] += 1
    context = {
        "gaps": gaps,
        "counts": [(coverage.Kind(kind).label, kind, n) for kind, n in counts.items()],
        "alerts": coverage.coverage_alerts_open(user=request.user)[:100],
        "today": today,
        "acted_on": coverage.ACTED_ON,
    }
    return render(request, "handover/plans/coverage.html", context)


@page(VIEW_COVERAGE)
@require_GET
def single_threaded(request: HttpRequest) -> HttpResponse:
    """Key accounts that depend on one rep, filtered and page by page, each with the backups
    the ownership policy offers (added from the row: ``row_views.customer_backup``)."""
    found = SingleThreadedFilterSet(
        request.GET, queryset=coverage.single_threaded_queryset(user=request.user)
    )
    if not found.is_valid():
        return form_errors_page(request, found.form, filters=True)
    # Suggestions are spread over the whole list, so a filter does not change them.
    every = {c.pk: c for c in coverage.single_threaded_customers(user=request.user)}
    customers = [every[pk] for pk in found.qs.values_list("pk", flat=True) if pk in every]
    listing = Paginator(customers, SINGLE_THREADED_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": listing,
        "customers": listing.object_list,
        "count": len(customers),
        "total_revenue": sum((c.annual_revenue for c in customers), start=0),
        "teams": teams_visible_to(user=request.user),
        "params": request.GET,
    }
    return render(request, "handover/plans/single_threaded.html", context)

"""Pages of what is known about a customer: edit the note (a new version), read its history.
Short: the role's right (``@page``), the customer in scope (else 404), call, render."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import page
from config.error_pages import form_refusal_add
from config.errors import ApplicationError
from retention.knowledge import selectors
from retention.knowledge.forms import KnowledgeForm
from retention.knowledge.services import KnowledgeConflict, customer_knowledge_update
from retention.models import CustomerKnowledge
from retention.selectors import customer_get_visible

VIEW = ("retention.view_customer", "retention.view_customerknowledge")
EDIT = (*VIEW, "retention.add_customerknowledge")
HISTORY_PAGE_SIZE = 20


def saved_message(*, customer, row: CustomerKnowledge | None, written: bool) -> str:
    if not written:
        return _("Nothing changed in what is known about %(customer)s.") % {
            "customer": customer.name
        }
    return _("Saved what is known about %(customer)s as version %(version)s.") % {
        "customer": customer.name,
        "version": row.version,
    }


def refresh_base_version(form: KnowledgeForm, *, current: CustomerKnowledge | None) -> None:
    """After a conflict the editor's text stays in the form, now based on the newer version,
    so saving again (after reading it) is a deliberate choice."""
    form.data = form.data.copy()
    form.data["base_version"] = str(current.version if current else 0)


@page(EDIT)
def knowledge_edit(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = customer_get_visible(user=request.user, customer_id=customer_id)
    current = selectors.knowledge_current(customer=customer)
    suggested = selectors.knowledge_suggestions(
        customer_ids=[customer.pk], today=timezone.localdate()
    )
    initial, suggested_parts = selectors.knowledge_initial(
        current=current, suggested=suggested.get(customer.pk, {})
    )
    initial["base_version"] = current.version if current else 0
    form = KnowledgeForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        suggested_parts=suggested_parts,
    )
    if request.method == "POST" and form.is_valid():
        parts = form.parts_to_save()
        if parts is None:
            messages.info(request, saved_message(customer=customer, row=current, written=False))
            return redirect("retention:customer_detail", customer_id=customer.pk)
        try:
            row, written = customer_knowledge_update(
                customer=customer,
                author=request.user,
                parts=parts,
                source=CustomerKnowledge.Source.CUSTOMER_PAGE,
                base_version=form.cleaned_data["base_version"],
            )
        except KnowledgeConflict as exc:
            form.add_error(None, exc.message)
            current = selectors.knowledge_current(customer=customer)
            refresh_base_version(form, current=current)
        except ApplicationError as exc:
            form_refusal_add(form, exc)
        else:
            messages.success(request, saved_message(customer=customer, row=row, written=written))
            return redirect("retention:customer_detail", customer_id=customer.pk)
    context = {
        "customer": customer,
        "form": form,
        "current": current,
        "current_version": (
            selectors.versions_for_viewer(viewer=request.user, rows=[current])[0]
            if current
            else None
        ),
    }
    return render(request, "retention/knowledge/edit.html", context)


@page(VIEW)
def knowledge_history(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = customer_get_visible(user=request.user, customer_id=customer_id)
    listing = Paginator(selectors.knowledge_history(customer=customer), HISTORY_PAGE_SIZE)
    history_page = listing.get_page(request.GET.get("page"))
    rows = list(history_page.object_list)
    previous = selectors.version_before(row=rows[-1]) if rows else None
    context = {
        "customer": customer,
        "page": history_page,
        "params": request.GET,
        "versions": selectors.versions_for_viewer(
            viewer=request.user, rows=rows, previous=previous
        ),
        "labels": selectors.part_labels(),
    }
    return render(request, "retention/knowledge/history.html", context)

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from retention.models import (
    Activity,
    Assignment,
    Customer,
    CustomerKnowledge,
    Deal,
    LeaveRecord,
    ModelJob,
    RiskAlert,
    RiskModel,
    RiskScore,
    SalesRep,
    ScoringRun,
    ServiceRecord,
)
from retention.services import rep_record_departure

# Large tables use raw_id_fields (no 10,000-row dropdowns) and show_full_result_count=False
# (no COUNT(*) over millions of rows on every page).


class DepartureForm(forms.Form):
    departure_date = forms.DateField(
        label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=SalesRep.DepartureReason.choices)


@admin.register(SalesRep)
class SalesRepAdmin(admin.ModelAdmin):
    """Status, last day and reason are read-only here: a departure is recorded through
    ``rep_record_departure`` (the *Record departure* page), which announces ``rep_departed`` so
    that handover opens the vacancy and drafts the plan. Saving the fields directly would not."""

    list_display = ("__str__", "team", "title", "region", "hire_date", "status", "departure_date")
    list_filter = ("status", "departure_reason", "team", "region")
    search_fields = ("first_name", "last_name", "email", "crm_user_id", "hr_employee_id")
    raw_id_fields = ("user",)
    list_select_related = ("team",)
    date_hierarchy = "hire_date"
    readonly_fields = ("status", "departure_date", "departure_reason", "record_departure")

    @admin.display(description=_("Departure"))
    def record_departure(self, rep: SalesRep) -> str:
        if rep.pk is None:
            return "—"
        url = reverse("admin:retention_salesrep_departure", args=[rep.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Record departure…"))

    def get_urls(self):
        return [
            path(
                "<int:rep_id>/departure/",
                self.admin_site.admin_view(self.departure_view),
                name="retention_salesrep_departure",
            ),
            *super().get_urls(),
        ]

    def departure_view(self, request: HttpRequest, rep_id: int) -> HttpResponse:
        """Record (or move) the rep's last day through the departure service."""
        rep = get_object_or_404(SalesRep, pk=rep_id)
        if not self.has_change_permission(request, rep):
            raise PermissionDenied
        initial = {"departure_date": rep.departure_date, "reason": rep.departure_reason}
        form = DepartureForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            departure_date: dt.date = form.cleaned_data["departure_date"]
            try:
                rep_record_departure(
                    rep=rep,
                    departure_date=departure_date,
                    reason=form.cleaned_data["reason"],
                    recorded_by=request.user,
                    today=timezone.localdate(),
                )
            except ValueError as exc:
                form.add_error("departure_date", str(exc))
            else:
                self.message_user(
                    request,
                    _("Departure of %(rep)s recorded: last day %(day)s.")
                    % {"rep": rep, "day": departure_date.isoformat()},
                    messages.SUCCESS,
                )
                change_url = reverse("admin:retention_salesrep_change", args=[rep.pk])
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": rep,
            "title": _("Record the departure of %(rep)s") % {"rep": rep},
            "form": form,
        }
        return TemplateResponse(request, "admin/retention/salesrep/departure.html", context)


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "industry", "region", "annual_revenue", "is_key_account", "source")
    list_filter = ("is_key_account", "source", "region", "industry")
    search_fields = ("name", "external_id")


@admin.register(CustomerKnowledge)
class CustomerKnowledgeAdmin(admin.ModelAdmin):
    """Versions are history: read here, written only as new versions (customer page, API)."""

    list_display = ("customer", "version", "author", "created_at", "source")
    list_filter = ("source",)
    search_fields = ("customer__name",)
    raw_id_fields = ("customer", "author")
    list_select_related = ("customer", "author")

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("customer", "rep", "manager", "role", "valid_from", "valid_to", "source")
    list_filter = ("role", "source", ("valid_to", admin.EmptyFieldListFilter))
    search_fields = ("customer__name", "rep__first_name", "rep__last_name")
    raw_id_fields = ("customer", "rep", "manager", "created_by")
    list_select_related = ("customer", "rep", "manager")
    show_full_result_count = False


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "kind", "rep", "customer", "duration_minutes", "source")
    list_filter = ("kind", "source")
    search_fields = ("external_id", "subject")
    raw_id_fields = ("rep", "customer")
    list_select_related = ("rep", "customer")
    date_hierarchy = "occurred_at"
    show_full_result_count = False


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = ("name", "customer", "owner", "stage", "status", "amount", "close_date")
    list_filter = ("status", "stage", "source")
    search_fields = ("name", "external_id", "customer__name")
    raw_id_fields = ("customer", "owner")
    list_select_related = ("customer", "owner")
    show_full_result_count = False


@admin.register(LeaveRecord)
class LeaveRecordAdmin(admin.ModelAdmin):
    list_display = ("rep", "first_day", "last_day", "kind")
    list_filter = ("kind",)
    search_fields = ("rep__first_name", "rep__last_name", "external_id")
    raw_id_fields = ("rep",)
    list_select_related = ("rep",)
    date_hierarchy = "first_day"
    show_full_result_count = False


@admin.register(ServiceRecord)
class ServiceRecordAdmin(admin.ModelAdmin):
    list_display = ("rep", "customer", "date", "score", "scale_max", "source", "is_complaint")
    list_filter = ("source", "is_complaint")
    search_fields = ("rep__first_name", "rep__last_name", "external_id")
    raw_id_fields = ("rep", "customer")
    list_select_related = ("rep", "customer")
    date_hierarchy = "date"
    show_full_result_count = False


@admin.register(RiskModel)
class RiskModelAdmin(admin.ModelAdmin):
    list_display = ("version", "kind", "algorithm", "is_active", "training_end", "created_at")
    list_filter = ("kind", "is_active")


@admin.register(ScoringRun)
class ScoringRunAdmin(admin.ModelAdmin):
    list_display = ("as_of", "status", "model", "done", "total", "started_at", "finished_at")
    list_filter = ("status",)


@admin.register(ModelJob)
class ModelJobAdmin(admin.ModelAdmin):
    """Read-only: a job's status moves by its claims and the reaper, never by hand (a retry is
    the model page's, and makes a new job)."""

    list_display = ("__str__", "kind", "status", "model", "stage", "done", "total", "resumes")
    list_filter = ("kind", "status")
    raw_id_fields = ("model", "requested_by", "retry_of")

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(RiskScore)
class RiskScoreAdmin(admin.ModelAdmin):
    list_display = ("rep", "as_of", "probability", "band", "change", "run")
    list_filter = ("band",)
    search_fields = ("rep__first_name", "rep__last_name")
    raw_id_fields = ("rep", "run")
    list_select_related = ("rep", "run")
    show_full_result_count = False


@admin.register(RiskAlert)
class RiskAlertAdmin(admin.ModelAdmin):
    list_display = ("rep", "kind", "created_at", "emailed_at", "acknowledged_at")
    list_filter = ("kind", ("acknowledged_at", admin.EmptyFieldListFilter))
    raw_id_fields = ("rep", "score", "acknowledged_by")


# --- dashboard: interventions and the risk-page audit log ---------------------------------------

from retention.models import Intervention, RiskPageView  # noqa: E402


@admin.register(Intervention)
class InterventionAdmin(admin.ModelAdmin):
    list_display = ("rep", "kind", "owner", "follow_up_on", "outcome", "created_at")
    list_filter = ("kind", "outcome")
    search_fields = ("rep__first_name", "rep__last_name", "note")
    raw_id_fields = ("rep", "owner", "created_by")
    list_select_related = ("rep", "owner")
    date_hierarchy = "created_at"


@admin.register(RiskPageView)
class RiskPageViewAdmin(admin.ModelAdmin):
    """The audit of risk reads: one row per rep whose risk was shown to someone (rep page, risk
    API, dashboard list, routing page, export and API, alerts), written by the scoped risk
    reads themselves. Readable by admins, never edited."""

    list_display = ("viewed_at", "viewer", "rep")
    # Who read, whose risk, when: the questions an audit asks.
    list_filter = (
        ("viewer", admin.RelatedOnlyFieldListFilter),
        ("rep", admin.RelatedOnlyFieldListFilter),
        "viewed_at",
    )
    search_fields = ("viewer__username", "rep__first_name", "rep__last_name")
    list_select_related = ("viewer", "rep")
    date_hierarchy = "viewed_at"
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


from retention.models import ImportJob, SavedColumnMapping  # noqa: E402


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """The record of every import: who, when, which files, counts and outcome. Read-only."""

    list_display = ("created_at", "created_by", "file_name", "status", "rows_total")
    list_filter = ("status", "source", "origin")
    search_fields = ("file_name", "created_by__username")
    list_select_related = ("created_by",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SavedColumnMapping)
class SavedColumnMappingAdmin(admin.ModelAdmin):
    list_display = ("kind", "saved_by", "updated_at")

"""Admin for handover models."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from config.errors import ApplicationError

# --- handover plans and coverage -------------------------------------------------------------
from handover.models import CoverageGap, HandoverItem, HandoverPlan, TeamCapacity


class HandoverItemInline(admin.TabularInline):
    model = HandoverItem
    extra = 0
    fields = [
        "rank",
        "customer",
        "held_role",
        "chosen_rep",
        "chosen_manager",
        "mode",
        "cover_until",
    ]
    raw_id_fields = ["customer", "chosen_rep", "chosen_manager"]
    readonly_fields = ["rank", "held_role"]
    show_change_link = True


@admin.register(HandoverPlan)
class HandoverPlanAdmin(admin.ModelAdmin):
    list_display = ["rep", "status", "origin", "created_at", "approved_by", "applied_at"]
    list_filter = ["status", "origin"]
    search_fields = ["rep__first_name", "rep__last_name"]
    raw_id_fields = ["rep", "created_by", "approved_by", "reversed_by"]
    inlines = [HandoverItemInline]


@admin.register(HandoverItem)
class HandoverItemAdmin(admin.ModelAdmin):
    list_display = ["plan", "rank", "customer", "suggestion_kind", "chosen_rep", "mode"]
    list_filter = ["suggestion_kind", "mode"]
    search_fields = ["customer__name"]
    raw_id_fields = [
        "plan",
        "customer",
        "source_assignment",
        "suggested_rep",
        "suggested_manager",
        "chosen_rep",
        "chosen_manager",
        "opened_assignment",
        "closed_recipient_assignment",
    ]


@admin.register(TeamCapacity)
class TeamCapacityAdmin(admin.ModelAdmin):
    list_display = ["team", "max_accounts", "max_revenue"]


@admin.register(CoverageGap)
class CoverageGapAdmin(admin.ModelAdmin):
    list_display = ["customer", "kind", "status", "first_seen", "last_seen", "notified_at"]
    list_filter = ["kind", "status"]
    search_fields = ["customer__name"]
    raw_id_fields = ["customer"]


# --- hiring: vacancies, candidates, onboarding ------------------------------------------------
from handover.hiring.services import onboarding_template_validate  # noqa: E402
from handover.models import (  # noqa: E402
    Application,
    Candidate,
    InterviewFeedback,
    OnboardingPlan,
    OnboardingTask,
    OnboardingTemplate,
    StageChange,
    Vacancy,
)


@admin.register(Vacancy)
class VacancyAdmin(admin.ModelAdmin):
    list_display = ["role", "team", "leaving_rep", "status", "opened_on", "filled_on"]
    list_filter = ["status", "reason", "team"]
    search_fields = ["role", "territory", "leaving_rep__last_name"]
    raw_id_fields = ["leaving_rep", "successor", "hiring_manager"]
    list_select_related = ["team", "leaving_rep"]


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ["__str__", "source", "region", "bench_ready", "earliest_start", "status"]
    list_filter = ["source", "status", "bench_ready", "region"]
    search_fields = ["first_name", "last_name", "email"]
    raw_id_fields = ["referrer", "existing_rep"]


class StageChangeInline(admin.TabularInline):
    model = StageChange
    extra = 0
    readonly_fields = ["from_stage", "to_stage", "changed_at", "changed_by", "note"]
    can_delete = False


class InterviewFeedbackInline(admin.TabularInline):
    model = InterviewFeedback
    extra = 0
    raw_id_fields = ["author"]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["candidate", "vacancy", "stage", "stage_entered_at", "source"]
    list_filter = ["stage", "source"]
    search_fields = ["candidate__first_name", "candidate__last_name"]
    raw_id_fields = ["candidate", "vacancy"]
    list_select_related = ["candidate", "vacancy", "vacancy__team"]
    inlines = [StageChangeInline, InterviewFeedbackInline]


class OnboardingTemplateForm(forms.ModelForm):
    """The tasks are JSON typed by hand: checked by the rule the hire applies
    (``onboarding_template_validate``), so a template saved here can be copied into a plan."""

    class Meta:
        model = OnboardingTemplate
        fields = ["name", "is_default", "tasks"]

    def clean_tasks(self) -> object:
        tasks = self.cleaned_data["tasks"]
        try:
            onboarding_template_validate(tasks)
        except ApplicationError as refusal:
            raise ValidationError(refusal.message) from refusal
        return tasks


@admin.register(OnboardingTemplate)
class OnboardingTemplateAdmin(admin.ModelAdmin):
    form = OnboardingTemplateForm
    list_display = ["name", "is_default"]


class OnboardingTaskInline(admin.TabularInline):
    model = OnboardingTask
    extra = 0
    raw_id_fields = ["customer", "done_by"]


@admin.register(OnboardingPlan)
class OnboardingPlanAdmin(admin.ModelAdmin):
    list_display = ["rep", "start_date", "vacancy", "template"]
    raw_id_fields = ["rep", "vacancy", "application"]
    inlines = [OnboardingTaskInline]

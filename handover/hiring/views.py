"""Hiring pages. Each view: the role's right (``@page``, else 403), fetch in scope (else 404),
call a service, render. Lists filter through the same FilterSets as their APIs."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import get_visible_or_404, page, teams_visible_to
from config.error_pages import form_errors_page, form_errors_text, form_refusal_add
from config.errors import ApplicationError
from config.row_actions import back_to
from handover import filters
from handover.hiring import charts, costs, selectors, services
from handover.hiring.forms import (
    ApplicationAddForm,
    CandidateForm,
    FeedbackForm,
    MoveForm,
    VacancyEditForm,
    VacancyForm,
)
from handover.models import Application, Candidate, Vacancy
from retention import people

PAGE_SIZE = 50

VIEW_VACANCY = "handover.view_vacancy"
VIEW_APPLICATION = "handover.view_application"
VIEW_CANDIDATE = "handover.view_candidate"
VIEW_ONBOARDING = "handover.view_onboardingplan"
MANAGE = selectors.MANAGE_HIRING


def _target_share(form: forms.Form) -> float:
    """The validated ``target`` parameter (a percentage of the team median) as a share."""
    return selectors.ramp_target_share(form.cleaned_data.get("target"))


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    return redirect(back_to(request, fallback))


# --- vacancies ---------------------------------------------------------------------------------


@page(VIEW_VACANCY)
def vacancy_list(request: HttpRequest) -> HttpResponse:
    found = filters.VacancyFilter(
        request.GET, queryset=selectors.vacancy_rows_visible_to(user=request.user)
    )
    if not found.is_valid():
        return form_errors_page(request, found.form, filters=True)
    listing = Paginator(found.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for vacancy in listing.object_list:
        vacancy.days_open = selectors.vacancy_days_open(vacancy, today=today)
        vacancy.time_to_fill = selectors.vacancy_time_to_fill(vacancy)
        vacancy.overdue = (
            vacancy.status == Vacancy.Status.OPEN
            and vacancy.target_fill_date is not None
            and vacancy.target_fill_date < today
        )
    context = {
        "page": listing,
        "params": request.GET,
        "statuses": Vacancy.Status.choices,
        "teams": teams_visible_to(user=request.user),
        "can_manage": selectors.can_manage_hiring(request.user),
    }
    return render(request, "handover/hiring/vacancy_list.html", context)


@page(MANAGE)
def vacancy_create(request: HttpRequest) -> HttpResponse:
    form = VacancyForm(
        request.POST or None, user=request.user, initial={"opened_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            vacancy = services.vacancy_create(**form.cleaned_data)
        except ApplicationError as exc:
            form_refusal_add(form, exc)
        else:
            messages.success(request, _("Vacancy opened."))
            return redirect("handover:vacancy_detail", vacancy_id=vacancy.pk)
    return render(request, "handover/hiring/vacancy_form.html", {"form": form})


@page(VIEW_VACANCY)
def vacancy_detail(request: HttpRequest, vacancy_id: int) -> HttpResponse:
    vacancy = selectors.vacancy_get_visible(user=request.user, vacancy_id=vacancy_id)
    today = timezone.localdate()
    can_manage = selectors.can_manage_hiring(request.user)
    context = {
        "vacancy": vacancy,
        "hiring_manager": selectors.hiring_manager_label(viewer=request.user, vacancy=vacancy),
        "days_open": selectors.vacancy_days_open(vacancy, today=today),
        "time_to_fill": selectors.vacancy_time_to_fill(vacancy),
        "covers": selectors.vacancy_temporary_covers(
            viewer=request.user, vacancy=vacancy, today=today
        ),
        "at_stake": selectors.vacancy_sales_at_stake(vacancy=vacancy, today=today),
        "successor_plan": selectors.vacancy_successor_plan(vacancy=vacancy),
        "board": selectors.vacancy_board(vacancy=vacancy),
        "stages": Application.Stage.choices,
        "show_salary": selectors.sees_salary(request.user),
        "can_manage": can_manage,
        "pool": (
            selectors.vacancy_ranked_pool(vacancy=vacancy, today=today)
            if can_manage and vacancy.status in (Vacancy.Status.OPEN, Vacancy.Status.ON_HOLD)
            else []
        ),
        "status_choices": [
            (v, label) for v, label in Vacancy.Status.choices if v != Vacancy.Status.FILLED
        ],
    }
    return render(request, "handover/hiring/vacancy_detail.html", context)


@page(MANAGE)
def vacancy_edit(request: HttpRequest, vacancy_id: int) -> HttpResponse:
    vacancy = selectors.vacancy_get_visible(user=request.user, vacancy_id=vacancy_id)
    initial = {name: getattr(vacancy, name) for name in services.VACANCY_EDITABLE}
    form = VacancyEditForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.vacancy_update(vacancy=vacancy, **form.cleaned_data)
        except ApplicationError as exc:
            form_refusal_add(form, exc)
        else:
            messages.success(request, _("Vacancy updated."))
            return redirect("handover:vacancy_detail", vacancy_id=vacancy.pk)
    return render(request, "handover/hiring/vacancy_form.html", {"form": form, "vacancy": vacancy})


@page(MANAGE)
@require_POST
def vacancy_status(request: HttpRequest, vacancy_id: int) -> HttpResponse:
    vacancy = selectors.vacancy_get_visible(user=request.user, vacancy_id=vacancy_id)
    try:
        services.vacancy_set_status(vacancy=vacancy, status=request.POST.get("status", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("handover:vacancy_detail", vacancy_id=vacancy.pk)


@page(MANAGE)
@require_POST
def application_add(request: HttpRequest, vacancy_id: int) -> HttpResponse:
    vacancy = selectors.vacancy_get_visible(user=request.user, vacancy_id=vacancy_id)
    form = ApplicationAddForm(request.POST)
    if not form.is_valid():
        raise Http404
    candidate = get_visible_or_404(selectors.candidate_pool(), pk=form.cleaned_data["candidate"])
    try:
        services.application_create(vacancy=vacancy, candidate=candidate, by=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("%(name)s added to the pipeline.") % {"name": candidate.full_name}
        )
    return redirect("handover:vacancy_detail", vacancy_id=vacancy.pk)


# --- the pipeline ------------------------------------------------------------------------------


@page(VIEW_APPLICATION)
def application_list(request: HttpRequest) -> HttpResponse:
    found = filters.ApplicationFilter(
        request.GET, queryset=selectors.application_rows_visible_to(user=request.user)
    )
    if not found.is_valid():
        return form_errors_page(request, found.form, filters=True)
    context = {
        "page": Paginator(found.qs, PAGE_SIZE).get_page(request.GET.get("page")),
        "params": request.GET,
        "stages": Application.Stage.choices,
        "sources": Candidate.Source.choices,
        "teams": teams_visible_to(user=request.user),
        "vacancies": selectors.vacancies_visible_to(user=request.user).order_by("-opened_on")[:200],
    }
    return render(request, "handover/hiring/application_list.html", context)


@page(VIEW_APPLICATION)
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    application = selectors.application_get_visible(
        user=request.user, application_id=application_id
    )
    history = selectors.application_history(application=application)
    durations = selectors.stage_durations(
        [(c.to_stage, c.changed_at) for c in history], now=timezone.now()
    )
    feedback = list(application.feedback.select_related("author").order_by("-created_at"))
    names = people.user_labels(
        viewer=request.user,
        people=[c.changed_by for c in history] + [f.author for f in feedback],
    )
    for entry in history:
        entry.changed_by_label = names.get(entry.changed_by_id, "")
    for entry in feedback:
        entry.author_label = names.get(entry.author_id, "")
    labels = dict(Application.Stage.choices)
    context = {
        "application": application,
        "history": history,
        "durations": [(labels[stage], days) for stage, days in durations],
        "feedback": feedback,
        "feedback_form": FeedbackForm(),
        "stages": Application.Stage.choices,
        "next_stage": selectors.application_next_stage(application=application),
        "can_manage": selectors.can_manage_hiring(request.user),
    }
    return render(request, "handover/hiring/application_detail.html", context)


@page(MANAGE)
@require_POST
def application_move(request: HttpRequest, application_id: int) -> HttpResponse:
    application = selectors.application_get_visible(
        user=request.user, application_id=application_id
    )
    form = MoveForm(request.POST)
    fallback = reverse("handover:vacancy_detail", args=[application.vacancy_id])
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return _back(request, fallback)
    try:
        services.application_move(
            application=application,
            to_stage=form.cleaned_data["stage"],
            by=request.user,
            reason=form.cleaned_data["reason"],
            start_date=form.cleaned_data["start_date"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _back(request, fallback)
    application.refresh_from_db()
    if application.stage == Application.Stage.HIRED:
        message = _("Hired. The new rep and their onboarding plan are ready.")
        vacancy = Vacancy.objects.get(pk=application.vacancy_id)
        if selectors.vacancy_successor_plan(vacancy=vacancy) is not None:
            message = _(
                "Hired. The new rep and their onboarding plan are ready, and a handover of "
                "the leaving rep's customers to them is drafted (see the vacancy)."
            )
        messages.success(request, message)
        return redirect("handover:onboarding_detail", plan_id=application.onboarding_plan.pk)
    return _back(request, fallback)


@page("handover.add_interviewfeedback")
@require_POST
def feedback_add(request: HttpRequest, application_id: int) -> HttpResponse:
    application = selectors.application_get_visible(
        user=request.user, application_id=application_id
    )
    form = FeedbackForm(request.POST)
    if form.is_valid():
        services.interview_feedback_add(
            application=application,
            author=request.user,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        )
        messages.success(request, _("Feedback saved."))
    else:
        messages.error(request, form_errors_text(form))
    return redirect("handover:application_detail", application_id=application.pk)


@page(VIEW_APPLICATION)
def source_stats(request: HttpRequest) -> HttpResponse:
    stage_columns = [
        (v, label) for v, label in Application.Stage.choices if v in services.ACTIVE_STAGES
    ]
    rows = selectors.source_stats(user=request.user)
    for row in rows:
        row.stage_cells = [row.stage_days.get(v) for v, _label in stage_columns]
    return render(
        request,
        "handover/hiring/source_stats.html",
        {"rows": rows, "stage_columns": stage_columns},
    )


# --- candidates --------------------------------------------------------------------------------


@page(VIEW_CANDIDATE)
def candidate_list(request: HttpRequest) -> HttpResponse:
    found = filters.CandidateFilter(
        request.GET, queryset=selectors.candidate_rows_visible_to(user=request.user)
    )
    if not found.is_valid():
        return form_errors_page(request, found.form, filters=True)
    listing = Paginator(found.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.candidates_label_people(viewer=request.user, candidates=listing.object_list)
    context = {
        "page": listing,
        "params": request.GET,
        "sources": Candidate.Source.choices,
        "statuses": Candidate.Status.choices,
        "regions": selectors.candidate_regions(user=request.user),
        "can_manage": selectors.can_manage_hiring(request.user),
    }
    return render(request, "handover/hiring/candidate_list.html", context)


@page(MANAGE)
def candidate_create(request: HttpRequest) -> HttpResponse:
    form = CandidateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            candidate = services.candidate_create(**form.cleaned_data)
        except ApplicationError as exc:
            form_refusal_add(form, exc)
        else:
            messages.success(request, _("Candidate added to the pool."))
            return redirect("handover:candidate_detail", candidate_id=candidate.pk)
    return render(request, "handover/hiring/candidate_form.html", {"form": form})


@page(MANAGE)
def candidate_edit(request: HttpRequest, candidate_id: int) -> HttpResponse:
    candidate = selectors.candidate_get_visible(user=request.user, candidate_id=candidate_id)
    initial = {name: getattr(candidate, name) for name in services.CANDIDATE_EDITABLE}
    form = CandidateForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.candidate_update(candidate=candidate, **form.cleaned_data)
        except ApplicationError as exc:
            form_refusal_add(form, exc)
        else:
            messages.success(request, _("Candidate updated."))
            return redirect("handover:candidate_detail", candidate_id=candidate.pk)
    return render(
        request, "handover/hiring/candidate_form.html", {"form": form, "candidate": candidate}
    )


@page(VIEW_CANDIDATE)
def candidate_detail(request: HttpRequest, candidate_id: int) -> HttpResponse:
    candidate = selectors.candidate_get_visible(user=request.user, candidate_id=candidate_id)
    selectors.candidates_label_people(viewer=request.user, candidates=[candidate])
    applications = selectors.applications_visible_to(user=request.user).filter(candidate=candidate)
    context = {
        "candidate": candidate,
        "applications": applications.order_by("-created_at"),
        "can_manage": selectors.can_manage_hiring(request.user),
    }
    return render(request, "handover/hiring/candidate_detail.html", context)


@page(MANAGE)
def bench(request: HttpRequest) -> HttpResponse:
    """The reserve bench is pool-wide, so it is for those who run hiring (HR and admins)."""
    regions = selectors.bench_by_region(today=timezone.localdate())
    return render(request, "handover/hiring/bench.html", {"regions": regions})


# --- onboarding and ramp-up --------------------------------------------------------------------


@page(VIEW_ONBOARDING)
def onboarding_list(request: HttpRequest) -> HttpResponse:
    found = filters.OnboardingPlanFilter(
        request.GET,
        queryset=selectors.onboarding_plans_visible_to(user=request.user).order_by(
            "-start_date", "-id"
        ),
    )
    if not found.is_valid():
        return form_errors_page(request, found.form, filters=True)
    listing = Paginator(found.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "handover/hiring/onboarding_list.html", {"page": listing, "params": request.GET}
    )


@page(VIEW_ONBOARDING)
def onboarding_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.onboarding_plan_get_visible(user=request.user, plan_id=plan_id)
    params = filters.RampParams(request.GET)
    if not params.is_valid():
        return form_errors_page(request, params, filters=True)
    target = _target_share(params)
    ramp = selectors.rep_ramp_up(rep=plan.rep, as_of=timezone.localdate(), target_share=target)
    context = {
        "plan": plan,
        "tasks": plan.tasks.select_related("customer", "done_by").order_by("due_date", "id"),
        "ramp": ramp,
        "target_pct": round(target * 100),
        "ramp_chart": charts.ramp_figure(ramp) if ramp.months else None,
        "today": timezone.localdate(),
    }
    return render(request, "handover/hiring/onboarding_detail.html", context)


@page("handover.change_onboardingtask")
@require_POST
def onboarding_task_toggle(request: HttpRequest, task_id: int) -> HttpResponse:
    task = selectors.onboarding_task_get_visible(user=request.user, task_id=task_id)
    services.onboarding_task_set_done(task=task, done=not task.is_done, by=request.user)
    return redirect("handover:onboarding_detail", plan_id=task.plan_id)


@page(VIEW_ONBOARDING)
def ramp_cohorts(request: HttpRequest) -> HttpResponse:
    params = filters.RampParams(request.GET)
    if not params.is_valid():
        return form_errors_page(request, params, filters=True)
    target = _target_share(params)
    rows, cohorts = selectors.ramp_cohorts(
        user=request.user, as_of=timezone.localdate(), target_share=target
    )
    months = list(range(1, 13))
    chart = charts.cohort_figure(
        {c.label: [c.mean_share(m) for m in months] for c in cohorts if c.size}, months
    )
    for cohort in cohorts:
        cohort.first_months = [cohort.mean_share(m) for m in range(1, 7)]
    context = {
        "rows": rows,
        "cohorts": cohorts,
        "chart": chart if rows else None,
        "target_pct": round(target * 100),
        "target": target,
        "established_days": selectors.ESTABLISHED_AFTER_DAYS,
        "experienced_years": selectors.EXPERIENCED_YEARS,
        "month_headers": list(range(1, 7)),
    }
    return render(request, "handover/hiring/ramp_cohorts.html", context)


# --- the cost of departures --------------------------------------------------------------------


@page(VIEW_VACANCY)
def departure_costs(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    departures = selectors.departures_visible_to(user=request.user, as_of=today)
    found = filters.DepartureCostFilter(request.GET, queryset=departures)
    if not found.is_valid():
        return form_errors_page(request, found.form, filters=True)
    target = _target_share(found.form)
    pre_window = found.form.cleaned_data.get("window") or selectors.PRE_WINDOW_DAYS
    rows = selectors.departure_costs(
        reps=found.qs, as_of=today, pre_window_days=pre_window, target_share=target
    )
    by_team = selectors.departure_cost_totals(rows, by="team")
    by_year = selectors.departure_cost_totals(rows, by="year")
    chart = None
    if by_team:
        chart = charts.departure_cost_figure(
            [t.key for t in by_team],
            {part: [t.totals.parts[part] for t in by_team] for part in costs.PARTS},
        )
    compared_with, not_measured = charts.control_labels(), charts.not_measured_labels()
    for row in rows:
        row.parts = [row.cost.lost(part) for part in costs.PARTS]
        row.compared_with = compared_with.get(row.cost.controls, "")
        row.not_measured = not_measured.get(row.cost.not_measured, "")
        row.open_phase = next((p.key for p in row.cost.phases if p.is_open), "")
    everything = costs.totals([("", row.cost) for row in rows])
    context = {
        "rows": rows,
        "by_team": by_team,
        "by_year": by_year,
        "grand": everything[0] if everything else None,
        "chart": chart,
        "params": request.GET,
        "teams": teams_visible_to(user=request.user),
        # The years someone in scope left in, newest first: a year offered always has rows.
        "years": [day.year for day in departures.dates("departure_date", "year", order="DESC")],
        "pre_window": pre_window,
        "target_pct": round(target * 100),
        "baseline_days": costs.DEFAULT_BASELINE_DAYS,
        "min_baseline_days": costs.MIN_BASELINE_DAYS,
        "min_controls": costs.MIN_CONTROLS,
        "min_quiet_days": costs.MIN_QUIET_DAYS,
        "phase_labels": charts.phase_labels(),
        "part_labels": [charts.phase_labels()[part] for part in costs.PARTS],
        "today": today,
    }
    return render(request, "handover/hiring/departure_costs.html", context)

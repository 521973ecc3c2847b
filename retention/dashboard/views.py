"""Pages of the risk dashboard. Each view: check input, call selectors or services, render.

Rights are the role group's permissions (``@page``); what a page offers to do is shown only to
roles that may do it (``controls``), so HR reads risk but sees no manager's controls.
"""

import datetime as dt
import html

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import may, page, teams_visible_to
from config.error_pages import form_errors_page, form_errors_text, form_refusal_add
from config.errors import ApplicationError
from config.row_actions import REFUSED, RowResult, columns, row_answer
from retention import charts
from retention import selectors as retention_selectors
from retention.dashboard import exports, selectors, services
from retention.dashboard.forms import InterventionForm, InterventionOutcomeForm
from retention.filters import AlertFilterSet, DashboardRepFilterSet
from retention.interventions import selectors as intervention_selectors
from retention.models import Intervention, RiskScore, SalesRep
from retention.ownership import selectors as ownership
from retention.risk import selectors as risk_selectors
from retention.scoring.signals import FEATURES as SIGNAL_FEATURES

PAGE_SIZE = 50
OVERDUE_SHOWN = 10  # overdue follow-ups listed on the dashboard; the rest behind a link
SUGGESTION_FOLLOW_UP_DAYS = 30  # a suggestion logged in one click is followed up a month later
RISK_READ = "retention.view_riskscore"
ROUTING_READ = ("retention.view_riskscore", "retention.view_assignment")


def controls(user) -> dict[str, bool]:
    """Which of the risk pages' controls this user's role may use."""
    return {
        "can_log_intervention": may(user, "retention.add_intervention"),
        "can_record_outcome": may(user, "retention.change_intervention"),
        "can_acknowledge_alert": may(user, "retention.change_riskalert"),
        "can_score_now": may(user, "retention.add_scoringrun"),
        "can_retrain": may(user, "retention.add_riskmodel"),
        "can_run_backtest": may(user, "retention.change_riskmodel"),
        "can_start_handover": may(user, "handover.add_handoverplan"),
        "intervention_kinds": Intervention.Kind.choices,
    }


@page(RISK_READ)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    filterset = DashboardRepFilterSet(request.GET, request=request)
    if not filterset.is_valid():
        return form_errors_page(request, filterset.form, filters=True)
    run, query, reps = filterset.run, filterset.query, filterset.qs
    page_ = selectors.dashboard_page_ids(
        reps=reps, number=request.GET.get("page"), size=PAGE_SIZE, sort=query.sort
    )
    page_.object_list = risk_selectors.dashboard_rows_read(
        user=request.user, reps=reps, ids=list(page_.object_list), today=today
    )
    context = {
        **controls(request.user),
        "can_add_backup": may(request.user, "retention.add_assignment"),
        "page": page_,
        "query": query,
        "params": request.GET,
        "run": run,
    }
    if request.htmx and request.htmx.target == "dashboard-rows":
        return render(request, "retention/dashboard/_rows.html", context)
    org_wide = retention_selectors.sees_whole_organisation(request.user)
    history = selectors.band_history(user=request.user, latest=run)
    summary = selectors.dashboard_summary(user=request.user, run=run, today=today)
    sees_interventions = may(request.user, "retention.view_intervention")
    overdue = (
        list(
            selectors.interventions_overdue(user=request.user, today=today).select_related(
                "rep", "owner"
            )[:OVERDUE_SHOWN]
        )
        if sees_interventions
        else []
    )
    if may(request.user, "retention.view_riskalert"):
        # The navigation's count is the summary's: one COUNT, not two.
        context["nav_open_alerts"] = summary.open_alerts
    context.update(
        leaving=_with_handover_links(
            selectors.leaving_reps(user=request.user, run=run, today=today), user=request.user
        ),
        summary=summary,
        team_options=_team_options(request.user, selected=query.team_id),
        bands=RiskScore.Band.choices,
        overdue=overdue,
        # The card's count and the list share one rule; the rest are on the interventions page.
        overdue_more=(
            max(summary.overdue_follow_ups - len(overdue), 0) if sees_interventions else 0
        ),
        history_chart=charts.figure_json(charts.band_history_spec(history)) if history else "",
        heatmap_chart=selectors.team_heatmap_json(run) if org_wide and run else "",
        org_wide=org_wide,
        sorts=_sort_labels(),
    )
    return render(request, "retention/dashboard/dashboard.html", context)


def _team_options(user, *, selected: int | None) -> str:
    """The team filter's options, built here rather than in the template's loop: an admin's
    list holds every team (866 on the 10,000-rep bench), a third of the page's render time."""
    teams = teams_visible_to(user=user).values_list("id", "name")
    # The standard library's escape (what Django's wraps), without a lazy wrapper per option.
    return mark_safe(  # ids are integers, names escaped
        "".join(
            f'<option value="{pk}"{" selected" if pk == selected else ""}>'
            f"{html.escape(name)}</option>"
            for pk, name in teams
        )
    )


def _with_handover_links(rows: list[selectors.LeavingRep], *, user) -> list[selectors.LeavingRep]:
    """Link each leaving rep to their hand-over page (the handover app's, when installed and
    the user's role may start one)."""
    if not may(user, "handover.add_handoverplan"):
        return rows
    for row in rows:
        try:
            row.handover_url = reverse("handover:plan_create", args=[row.rep.pk])
        except NoReverseMatch:
            row.handover_url = ""
    return rows


def _sort_labels() -> list[tuple[str, str]]:
    return [
        ("-risk", _("Risk, highest first")),
        ("risk", _("Risk, lowest first")),
        ("-change", _("Biggest rise")),
        ("-revenue", _("Key-account revenue at stake")),
        ("-pipeline", _("Open pipeline at stake")),
        ("name", _("Name")),
        ("team", _("Team")),
        ("tenure", _("Longest serving")),
        ("-tenure", _("Newest hires")),
    ]


# --- rep risk page (rendered inside retention.views.rep_detail) -------------------------------


def rep_risk_context(request: HttpRequest, rep: SalesRep) -> dict:
    """Everything the rep page shows about risk, read through the audited risk selector."""
    today = timezone.localdate()
    risk = risk_selectors.rep_risk(user=request.user, rep_id=rep.pk)
    history, current = risk.history, risk.last
    if current is not None and risk.current is None:
        current.is_stale = True
    series = selectors.rep_signal_series(
        history, names=[name for name in SIGNAL_FEATURES if name in selectors.SIGNAL_DISPLAYS]
    )
    baselines = {
        name: selectors.signal_baseline([value for _day, value in points])
        for name, points in series.items()
    }
    series = selectors.signals_to_chart(
        series, baselines, drivers=current.drivers if current and not current.is_leaving else ()
    )
    thresholds = retention_selectors.risk_thresholds(current.run.model if current else None)
    customers = selectors.rep_customers_at_stake(rep=rep, today=today)
    key_accounts = ownership.rep_key_accounts(rep_id=rep.pk)
    try:
        handover_url = reverse("handover:plan_create", args=[rep.pk])
    except NoReverseMatch:
        handover_url = ""
    return {
        "score": current,
        "score_leaving_day": current.last_day if current and current.is_leaving else None,
        "score_days_left": (
            max((current.last_day - today).days, 0) if current and current.is_leaving else None
        ),
        "horizons": _horizons(current),
        "score_history": history,
        "drivers": [
            {
                "text": selectors.driver_text(driver),
                "signal": selectors.driver_signal(driver),
                "raw": driver,
            }
            for driver in (current.drivers if current else [])
        ],
        "risk_model": current.run.model if current else None,
        "score_chart": (
            charts.figure_json(
                charts.score_history_spec(
                    # Days serving notice are a fact, not a 100 % chance: left off the chart.
                    [(s.as_of, s.probability) for s in history if not s.is_leaving],
                    medium=thresholds["medium"],
                    high=thresholds["high"],
                )
            )
            if history
            else ""
        ),
        "signals_chart": (
            charts.figure_json(
                charts.signals_spec(series, baselines, displays=selectors.SIGNAL_DISPLAYS)
            )
            if series
            else ""
        ),
        "baselines": baselines,
        "customers_at_stake": customers,
        "suggestions": (
            intervention_selectors.rep_suggestions(
                rep=rep, score=current, key_accounts=key_accounts, today=today
            )
            if may(request.user, "retention.view_intervention")
            else []
        ),
        "follow_up_default": today + dt.timedelta(days=SUGGESTION_FOLLOW_UP_DAYS),
        "single_threaded_share": key_accounts.alone_share,
        **_intervention_context(request, rep, InterventionForm(user=request.user)),
        "handover_url": handover_url if may(request.user, "handover.add_handoverplan") else "",
    }


def _horizons(score: RiskScore | None) -> list[dict]:
    """The chance of leaving within 30, 90 and 180 days; the 90-day one sets the band."""
    if score is None or score.is_leaving:
        return []
    return [
        {"days": 30, "probability": score.probability_30, "drives_band": False},
        {"days": 90, "probability": score.probability, "drives_band": True},
        {"days": 180, "probability": score.probability_180, "drives_band": False},
    ]


def _intervention_context(request: HttpRequest, rep: SalesRep, form: InterventionForm) -> dict:
    show = may(request.user, "retention.view_intervention")
    return {
        **controls(request.user),
        "show_interventions": show,
        "interventions": list(selectors.rep_interventions(rep=rep)) if show else [],
        "intervention_form": form,
        "outcome_choices": InterventionOutcomeForm.base_fields["outcome"].choices,
        "today": timezone.localdate(),
    }


@page("retention.add_intervention")
@require_POST
def intervention_create(request: HttpRequest, rep_id: int) -> HttpResponse:
    rep = retention_selectors.rep_get_visible(user=request.user, rep_id=rep_id)
    form = InterventionForm(request.POST, user=request.user)
    logged = None
    logged_suggestion = ""
    if form.is_valid():
        try:
            logged = services.intervention_create(
                rep=rep,
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
                note_data=form.cleaned_data.get("note_data") or None,
                owner=form.cleaned_data["owner"],
                follow_up_on=form.cleaned_data["follow_up_on"],
                created_by=request.user,
            )
        except ApplicationError as error:
            form_refusal_add(form, error)
        else:
            form = InterventionForm(user=request.user)
            # Logged from a suggestion: its "logged" mark changes too (an htmx out-of-band swap).
            if request.POST.get("suggested") in Intervention.Kind.values:
                logged_suggestion = request.POST["suggested"]
    if form.errors and not request.htmx:
        return form_errors_page(request, form)
    if not request.htmx:
        return redirect("retention:rep_detail", rep_id=rep.pk)
    if request.htmx.target not in (None, "interventions"):  # from a list's row: a row says so
        return _intervention_logged_row(request, rep=rep, form=form, logged=logged)
    context = {
        "rep": rep,
        "logged_suggestion": logged_suggestion,
        **_intervention_context(request, rep, form),
    }
    return render(request, "retention/dashboard/_interventions.html", context)


def _intervention_logged_row(
    request: HttpRequest, *, rep: SalesRep, form: InterventionForm, logged: Intervention | None
) -> HttpResponse:
    """The row put under a list's row after logging an intervention from it (or why not)."""
    if logged is None:
        result = RowResult(
            "error",
            form_errors_text(form),
            cols=columns(request),
            title=rep.full_name,
            subject=str(rep.pk),
        )
        return row_answer(request, result, default_next="", status=REFUSED)
    result = RowResult(
        "success",
        _("Intervention logged: %(kind)s.") % {"kind": logged.get_kind_display()},
        cols=columns(request),
        title=rep.full_name,
        subject=str(rep.pk),
        links=((_("Open the rep page"), reverse("retention:rep_detail", args=[rep.pk])),),
    )
    return row_answer(request, result, default_next="")


@page("retention.change_intervention")
@require_POST
def intervention_outcome(request: HttpRequest, intervention_id: int) -> HttpResponse:
    intervention = retention_selectors.intervention_get_visible(
        user=request.user, intervention_id=intervention_id
    )
    form = InterventionOutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.intervention_record_outcome(
                intervention=intervention,
                outcome=form.cleaned_data["outcome"],
                follow_up_on=form.cleaned_data["follow_up_on"],
            )
        except ApplicationError as error:
            form_refusal_add(form, error)
    if form.errors and not request.htmx:
        return form_errors_page(request, form)
    if not request.htmx:
        return redirect("retention:rep_detail", rep_id=intervention.rep_id)
    context = {
        **controls(request.user),
        "item": intervention,
        "outcome_form": form if form.errors else None,
        "outcome_choices": InterventionOutcomeForm.base_fields["outcome"].choices,
        "today": timezone.localdate(),
    }
    return render(
        request,
        "retention/dashboard/_intervention_row.html",
        context,
        status=REFUSED if form.errors else 200,  # refused: htmx swaps the row with its reasons
    )


# --- alerts -----------------------------------------------------------------------------------


@page("retention.view_riskalert")
@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    filterset = AlertFilterSet(
        request.GET, queryset=retention_selectors.alerts_visible_to(request.user), request=request
    )
    if not filterset.is_valid():
        return form_errors_page(request, filterset.form, filters=True)
    page_ = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        **controls(request.user),
        "page": page_,
        "state": filterset.chosen_state,
        "params": request.GET,
    }
    return render(request, "retention/dashboard/alerts.html", context)


@page("retention.change_riskalert")
@require_POST
def alert_acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = retention_selectors.alert_get_visible(user=request.user, alert_id=alert_id)
    services.risk_alert_acknowledge(alert=alert, user=request.user)
    if not request.htmx:
        return redirect("retention:alert_list")
    context = {**controls(request.user), "alert": alert}
    return render(request, "retention/dashboard/_alert_acknowledged.html", context)


# --- routing ----------------------------------------------------------------------------------


@page(ROUTING_READ)
@require_GET
def routing(request: HttpRequest) -> HttpResponse:
    run = retention_selectors.scoring_run_latest_complete()
    rows = selectors.routing_rows(user=request.user, run=run)
    context = {**controls(request.user), "rows": rows, "run": run}
    return render(request, "retention/dashboard/routing.html", context)


@page(ROUTING_READ)
@require_GET
def routing_export(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("format", "csv")
    if kind not in ("csv", "xlsx"):
        return HttpResponseBadRequest(_("format: must be csv or xlsx"))
    run = retention_selectors.scoring_run_latest_complete()
    rows = selectors.routing_rows(user=request.user, run=run)
    stamp = run.as_of.isoformat() if run else timezone.localdate().isoformat()
    if kind == "csv":
        response = HttpResponse(exports.routing_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.routing_xlsx(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="relay-routing-{stamp}.{kind}"'
    return response

"""Pages of the risk dashboard. Each view: check input, call selectors or services, render."""

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import scope_team_ids, teams_visible_to
from config.error_pages import form_errors_page
from config.params import int_or_none
from retention import charts
from retention import selectors as retention_selectors
from retention.dashboard import exports, selectors, services
from retention.dashboard.forms import InterventionForm, InterventionOutcomeForm
from retention.models import RiskScore, SalesRep, ScoringRun
from retention.scoring.signals import FEATURES as SIGNAL_FEATURES

PAGE_SIZE = 50


def _dashboard_query(params) -> selectors.DashboardQuery:
    sort = params.get("sort", "-risk")
    return selectors.DashboardQuery(
        search=params.get("q", "").strip()[:100],
        team_id=int_or_none(params.get("team")),
        band=params.get("band", ""),
        sort=sort if sort in selectors.DASHBOARD_SORTS else "-risk",
    )


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    run = retention_selectors.scoring_run_latest_complete()
    query = _dashboard_query(request.GET)
    reps = selectors.dashboard_reps(user=request.user, run=run, query=query)
    page = selectors.dashboard_page(reps=reps, number=request.GET.get("page"), size=PAGE_SIZE)
    page.object_list = selectors.dashboard_rows_attach(reps=page.object_list, today=today)
    context = {"page": page, "query": query, "params": request.GET, "run": run}
    if request.htmx and request.htmx.target == "dashboard-rows":
        return render(request, "retention/dashboard/_rows.html", context)
    org_wide = scope_team_ids(user=request.user) is None
    history = selectors.band_history(user=request.user, latest=run)
    context.update(
        summary=selectors.dashboard_summary(user=request.user, run=run, today=today),
        teams=teams_visible_to(user=request.user),
        bands=RiskScore.Band.choices,
        overdue=list(
            selectors.interventions_overdue(user=request.user, today=today).select_related(
                "rep", "owner"
            )[:10]
        ),
        history_chart=charts.figure_json(charts.band_history_spec(history)) if history else "",
        heatmap_chart=_team_heatmap_json(run) if org_wide and run else "",
        org_wide=org_wide,
        sorts=_sort_labels(),
    )
    return render(request, "retention/dashboard/dashboard.html", context)


def _team_heatmap_json(run: ScoringRun) -> str:
    """The org-wide heat map only changes with a new run: its JSON is cached under the run id."""
    return cache.get_or_set(
        f"relay:dashboard:team-heatmap-json:{run.pk}:{get_language()}",
        lambda: charts.figure_json(
            charts.team_heatmap_spec(selectors.team_risk_heatmap(latest=run))
        ),
        selectors.HISTORY_CACHE_SECONDS,
    )


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
    """Everything the rep page shows about risk; records the view in the audit log."""
    services.risk_page_view_record(viewer=request.user, rep=rep)
    today = timezone.localdate()
    history = selectors.rep_score_history(rep=rep)
    current = history[-1] if history else None
    latest_run = retention_selectors.scoring_run_latest_complete()
    if current is not None and latest_run is not None and current.run_id != latest_run.pk:
        current.is_stale = True
    series = selectors.rep_signal_series(history, names=SIGNAL_FEATURES)
    baselines = {
        name: selectors.signal_baseline([value for _day, value in points])
        for name, points in series.items()
    }
    thresholds = selectors.risk_thresholds()
    customers = selectors.rep_customers_at_stake(rep=rep, today=today)
    try:
        handover_url = reverse("handover:plan_create", args=[rep.pk])
    except NoReverseMatch:
        handover_url = ""
    return {
        "score": current,
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
                charts.score_history_spec([(s.as_of, s.probability) for s in history], **thresholds)
            )
            if history
            else ""
        ),
        "signals_chart": (
            charts.figure_json(
                charts.signals_spec(series, baselines, labels=selectors.SIGNAL_LABELS)
            )
            if series
            else ""
        ),
        "baselines": baselines,
        "customers_at_stake": customers,
        "single_threaded_share": selectors.single_threaded_key_share(customers),
        "interventions": selectors.rep_interventions(rep=rep),
        "intervention_form": InterventionForm(),
        "outcome_choices": InterventionOutcomeForm.base_fields["outcome"].choices,
        "handover_url": handover_url,
        "today": today,
    }


@login_required
@require_POST
def intervention_create(request: HttpRequest, rep_id: int) -> HttpResponse:
    rep = retention_selectors.rep_get_visible(user=request.user, rep_id=rep_id)
    form = InterventionForm(request.POST)
    if form.is_valid():
        services.intervention_create(
            rep=rep,
            kind=form.cleaned_data["kind"],
            note=form.cleaned_data["note"],
            owner=form.cleaned_data["owner"],
            follow_up_on=form.cleaned_data["follow_up_on"],
            created_by=request.user,
        )
        form = InterventionForm()
    elif not request.htmx:
        return form_errors_page(request, form)
    if not request.htmx:
        return redirect("retention:rep_detail", rep_id=rep.pk)
    context = {
        "rep": rep,
        "interventions": selectors.rep_interventions(rep=rep),
        "intervention_form": form,
        "outcome_choices": InterventionOutcomeForm.base_fields["outcome"].choices,
        "today": timezone.localdate(),
    }
    return render(request, "retention/dashboard/_interventions.html", context)


@login_required
@require_POST
def intervention_outcome(request: HttpRequest, intervention_id: int) -> HttpResponse:
    intervention = selectors.intervention_get_visible(
        user=request.user, intervention_id=intervention_id
    )
    form = InterventionOutcomeForm(request.POST)
    if not form.is_valid():
        return form_errors_page(request, form)
    services.intervention_record_outcome(
        intervention=intervention,
        outcome=form.cleaned_data["outcome"],
        follow_up_on=form.cleaned_data["follow_up_on"],
    )
    if not request.htmx:
        return redirect("retention:rep_detail", rep_id=intervention.rep_id)
    context = {
        "item": intervention,
        "outcome_choices": InterventionOutcomeForm.base_fields["outcome"].choices,
        "today": timezone.localdate(),
    }
    return render(request, "retention/dashboard/_intervention_row.html", context)


# --- alerts -----------------------------------------------------------------------------------


ALERT_STATES = ("open", "acknowledged", "all")


@login_required
@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "open")
    state = state if state in ALERT_STATES else "open"
    alerts = selectors.alert_list(user=request.user, state=state)
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "state": state, "params": request.GET}
    return render(request, "retention/dashboard/alerts.html", context)


@login_required
@require_POST
def alert_acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = selectors.alert_get_visible(user=request.user, alert_id=alert_id)
    services.risk_alert_acknowledge(alert=alert, user=request.user)
    if not request.htmx:
        return redirect("retention:alert_list")
    return render(request, "retention/dashboard/_alert_row.html", {"alert": alert})


# --- routing ----------------------------------------------------------------------------------


@login_required
@require_GET
def routing(request: HttpRequest) -> HttpResponse:
    run = retention_selectors.scoring_run_latest_complete()
    rows = selectors.routing_rows(user=request.user, run=run)
    return render(request, "retention/dashboard/routing.html", {"rows": rows, "run": run})


@login_required
@require_GET
def routing_export(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("format", "csv")
    if kind not in ("csv", "xlsx"):
        return HttpResponseBadRequest(_("format must be csv or xlsx"))
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

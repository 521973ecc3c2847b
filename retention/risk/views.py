"""Pages for the departure-risk model: its runs and backtests. Only roles whose group holds the
model's permissions (admins) may open them; others get a 403, as in the API."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import page
from config.background import broker_available
from retention.dashboard.views import controls
from retention.models import RiskModel, ScoringRun
from retention.risk import selectors, services, tasks
from retention.selectors import scoring_run_latest_complete


@page("retention.view_riskmodel")
def risk_model_page(request: HttpRequest) -> HttpResponse:
    active = services.risk_model_ensure_active()
    validated = (
        active if active.kind == RiskModel.Kind.TRAINED else selectors.risk_model_latest_trained()
    )
    context = {
        **controls(request.user),
        "active": active,
        "validated": validated,
        "data_warning": services.risk_data_as_of()[1],
        "models": selectors.risk_models()[:20],
        "runs": selectors.scoring_runs_recent(limit=10),
        "in_flight": selectors.scoring_run_in_flight(),
        "latest": scoring_run_latest_complete(),
        "queue_paused": not broker_available(),
    }
    return render(request, "retention/risk/model.html", context)


@page("retention.add_scoringrun")
@require_POST
def risk_scoring_start(request: HttpRequest) -> HttpResponse:
    """Ask for a run (also the "retry" of a stalled one: a new run request). Recorded in the
    outbox, so with the queue down it is queued, and the page says so rather than "started"."""
    run = services.scoring_run_request(requested_by=request.user)
    if not broker_available():
        messages.warning(
            request,
            _("Scoring run queued: background work is paused, it starts when the queue is back."),
        )
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse("retention:risk_model")
            return response
        return redirect("retention:risk_model")
    if request.htmx:
        return render(request, "retention/risk/_run_progress.html", {"run": run})
    messages.success(request, _("Scoring run started."))
    return redirect("retention:risk_model")


@page("retention.add_riskmodel")
@require_POST
def risk_model_retrain(request: HttpRequest) -> HttpResponse:
    transaction.on_commit(tasks.model_retrain.delay)
    messages.success(
        request,
        _("Retraining started. The new model appears here when it is done (a few minutes)."),
    )
    return redirect("retention:risk_model")


@page("retention.view_scoringrun")
def risk_run_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_object_or_404(ScoringRun.objects.select_related("model"), pk=run_id)
    return render(request, "retention/risk/_run_progress.html", {"run": run})


@page("retention.view_riskmodel")
def risk_backtest_page(request: HttpRequest, model_id: int | None = None) -> HttpResponse:
    if model_id is None:
        model = services.risk_model_ensure_active()
    else:
        model = get_object_or_404(RiskModel.objects.defer("artifact"), pk=model_id)
    context = {**controls(request.user), "model": model, "report": model.backtest}
    return render(request, "retention/risk/backtest.html", context)


@page("retention.change_riskmodel")
@require_POST
def risk_backtest_start(request: HttpRequest, model_id: int) -> HttpResponse:
    model = get_object_or_404(RiskModel.objects.defer("artifact"), pk=model_id)
    transaction.on_commit(lambda: tasks.model_evaluate.delay(model.pk))
    messages.success(request, _("Backtest started; reload this page in a minute."))
    return redirect("retention:risk_backtest_model", model_id=model.pk)

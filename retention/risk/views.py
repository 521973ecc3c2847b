"""Pages for departure risk. The model and backtest pages are for admins; others get a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from retention.models import RiskModel, ScoringRun
from retention.risk import selectors, services, tasks
from retention.selectors import scoring_run_latest_complete


def _require_admin(request: HttpRequest) -> None:
    if not request.user.is_relay_admin:
        raise Http404


@login_required
def risk_model_page(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    active = services.risk_model_ensure_active()
    validated = (
        active if active.kind == RiskModel.Kind.TRAINED else selectors.risk_model_latest_trained()
    )
    context = {
        "active": active,
        "validated": validated,
        "data_warning": services.risk_data_as_of()[1],
        "models": selectors.risk_models()[:20],
        "runs": selectors.scoring_runs_recent(limit=10),
        "in_flight": selectors.scoring_run_in_flight(),
        "latest": scoring_run_latest_complete(),
    }
    return render(request, "retention/risk/model.html", context)


@login_required
@require_POST
def risk_scoring_start(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    run = services.scoring_run_request(requested_by=request.user)
    if request.htmx:
        return render(request, "retention/risk/_run_progress.html", {"run": run})
    messages.success(request, _("Scoring run started."))
    return redirect("retention:risk_model")


@login_required
@require_POST
def risk_model_retrain(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    transaction.on_commit(tasks.model_retrain.delay)
    messages.success(
        request,
        _("Retraining started. The new model appears here when it is done (a few minutes)."),
    )
    return redirect("retention:risk_model")


@login_required
def risk_run_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    _require_admin(request)
    run = get_object_or_404(ScoringRun.objects.select_related("model"), pk=run_id)
    return render(request, "retention/risk/_run_progress.html", {"run": run})


@login_required
def risk_backtest_page(request: HttpRequest, model_id: int | None = None) -> HttpResponse:
    _require_admin(request)
    if model_id is None:
        model = services.risk_model_ensure_active()
    else:
        model = get_object_or_404(RiskModel.objects.defer("artifact"), pk=model_id)
    return render(
        request, "retention/risk/backtest.html", {"model": model, "report": model.backtest}
    )


@login_required
@require_POST
def risk_backtest_start(request: HttpRequest, model_id: int) -> HttpResponse:
    _require_admin(request)
    model = get_object_or_404(RiskModel.objects.defer("artifact"), pk=model_id)
    transaction.on_commit(lambda: tasks.model_evaluate.delay(model.pk))
    messages.success(request, _("Backtest started; reload this page in a minute."))
    return redirect("retention:risk_backtest_model", model_id=model.pk)

"""Pages for the departure-risk model: its runs and backtests. Only roles whose group holds the
model's permissions (admins) may open them; others get a 403, as in the API."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import may, page, require
from config.background import broker_available
from config.errors import ApplicationError
from retention.dashboard.views import controls
from retention.models import ModelJob, RiskModel, ScoringRun
from retention.risk import model_jobs, selectors, services
from retention.risk.metrics_text import metrics_display
from retention.selectors import risk_thresholds, scoring_run_latest_complete


@page("retention.view_riskmodel")
def risk_model_page(request: HttpRequest) -> HttpResponse:
    active = services.risk_model_ensure_active()
    validated = (
        active if active.kind == RiskModel.Kind.TRAINED else selectors.risk_model_latest_trained()
    )
    # Their validation and reasons in the reader's language (scoring writes English); not saved.
    active.metrics = metrics_display(active.metrics)
    if validated is not None and validated is not active:
        validated.metrics = metrics_display(validated.metrics)
    training = selectors.model_job_latest(kind=ModelJob.Kind.TRAIN)
    context = {
        **controls(request.user),
        "active": active,
        "validated": validated,
        "thresholds": risk_thresholds(active),
        "data_warning": services.risk_data_as_of()[1],
        "models": selectors.risk_models()[:20],
        "runs": selectors.scoring_runs_recent(limit=10),
        "in_flight": selectors.scoring_run_in_flight(),
        "latest": scoring_run_latest_complete(),
        "queue_paused": not broker_available(),
        "training": training,
        "can_retry": training is not None and _retryable(request, training),
        "jobs": _with_retry(request, selectors.model_jobs_recent(limit=10)),
    }
    return render(request, "retention/risk/model.html", context)


def _retryable(request: HttpRequest, job: ModelJob) -> bool:
    """Whether the page offers this user a retry of ``job``: stalled or failed, a role that may
    start its kind, and nothing of its kind (and model) in flight."""
    return (
        job.status in (ModelJob.Status.STALLED, ModelJob.Status.FAILED)
        and may(request.user, model_jobs.START_PERMISSION[job.kind])
        and selectors.model_job_in_flight(
            kind=job.kind, model=job.model if job.kind == ModelJob.Kind.EVALUATE else None
        )
        is None
    )


def _with_retry(request: HttpRequest, jobs: list[ModelJob]) -> list[ModelJob]:
    """Mark the jobs of the table the user may retry: the latest of each kind (and model)."""
    seen: set[tuple[str, int | None]] = set()
    for job in jobs:
        key = (job.kind, job.model_id if job.kind == ModelJob.Kind.EVALUATE else None)
        job.retryable = key not in seen and _retryable(request, job)
        seen.add(key)
    return jobs


def _job_answer(request: HttpRequest, job: ModelJob, created: bool) -> None:
    """What the page says after a start or a retry: started, queued (the broker is down), or
    the job already in flight."""
    what = job.get_kind_display()
    if not created:
        messages.info(
            request,
            _("%(what)s is already %(status)s; here is its progress, not a second one.")
            % {"what": what, "status": job.get_status_display().lower()},
        )
    elif not broker_available():
        messages.warning(
            request,
            _("%(what)s queued: background work is paused, it starts when the queue is back.")
            % {"what": what},
        )
    else:
        messages.success(
            request,
            _("%(what)s started. Its progress shows here; it takes a few minutes.")
            % {"what": what},
        )


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
    """Ask for a training (then a backtest of the model in use): the one in flight, if any."""
    job, created = model_jobs.model_job_request(kind=ModelJob.Kind.TRAIN, requested_by=request.user)
    _job_answer(request, job, created)
    return redirect("retention:risk_model")


@page("retention.view_modeljob")
def risk_model_job_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(ModelJob.objects.select_related("model"), pk=job_id)
    context = {"job": job, "can_retry": _retryable(request, job)}
    return render(request, "retention/risk/_model_job.html", context)


@page("retention.view_modeljob")
@require_POST
def risk_model_job_retry(request: HttpRequest, job_id: int) -> HttpResponse:
    """Start a stalled or failed training or backtest again (a new job). Needs the right to
    start that kind of job."""
    job = get_object_or_404(ModelJob.objects.select_related("model"), pk=job_id)
    require(request.user, model_jobs.START_PERMISSION[job.kind])
    try:
        job, created = model_jobs.model_job_retry(job=job, user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        _job_answer(request, job, created)
    if job.kind == ModelJob.Kind.EVALUATE:
        return redirect("retention:risk_backtest_model", model_id=job.model_id)
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
    job = selectors.model_job_latest(kind=ModelJob.Kind.EVALUATE, model=model)
    context = {
        **controls(request.user),
        "model": model,
        "report": model.backtest,
        "job": job,
        "can_retry": job is not None and _retryable(request, job),
    }
    return render(request, "retention/risk/backtest.html", context)


@page("retention.change_riskmodel")
@require_POST
def risk_backtest_start(request: HttpRequest, model_id: int) -> HttpResponse:
    model = get_object_or_404(RiskModel.objects.defer("artifact"), pk=model_id)
    job, created = model_jobs.model_job_request(
        kind=ModelJob.Kind.EVALUATE, model=model, requested_by=request.user
    )
    _job_answer(request, job, created)
    return redirect("retention:risk_backtest_model", model_id=model.pk)

"""Training and backtests as jobs a person waits for (``ModelJob``): requested once, run by a
worker that writes its heartbeat and progress, taken over by the reaper when that stops.

- **One in flight**: one training at a time, one backtest per model (partial unique indexes);
  a start while one is in flight gets that one, from the page, the API or beat alike.
- **Queued through the outbox**: the job and its message are written in one transaction, so
  with the broker down the job waits, recorded, and is sent when the broker is back.
- **Claimed per attempt**: the message names the attempt it was sent for; a worker claims the
  job only if it is QUEUED for that attempt (compare-and-set). A late redelivery of an earlier
  attempt, or of a stalled or failed job, does nothing.
- **Reaped**: beat runs :func:`model_jobs_reap` every minute; a running job with no heartbeat
  for RELAY_JOB_STALL_SECONDS is resumed (queued again as a new attempt) at most
  RELAY_JOB_MAX_RESUMES times, then ends STALLED with the reason; a retry is a new job. A
  queued job whose message was lost is sent again. A training that already stored its model
  resumes at its backtest.
- **Nothing half-stored**: the model (or the backtest report) is stored in one transaction that
  first checks the job is still this attempt's, so work taken over elsewhere is dropped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from config.errors import ApplicationError
from retention.heartbeats import Heartbeat, as_read, stale, stall_minutes, stall_window
from retention.models import ModelJob, OutboxMessage, RiskModel
from retention.outbox import outbox_enqueue
from retention.risk import selectors, services

logger = logging.getLogger(__name__)

Kind = ModelJob.Kind
Status = ModelJob.Status
TASK = "retention.risk.model_job_run"
# The task's soft time limit (retention.risk.tasks.model_job_run).
TIME_LIMIT_SECONDS = 1800
IN_FLIGHT = (Status.QUEUED, Status.RUNNING)
# Who may start (and so retry) each kind: the same rights as the model page's buttons.
START_PERMISSION = {
    Kind.TRAIN: "retention.add_riskmodel",
    Kind.EVALUATE: "retention.change_riskmodel",
}


def _send(job: ModelJob) -> None:
    outbox_enqueue(task_name=TASK, args=[job.pk, job.resumes])


def model_job_request(
    *,
    kind: str,
    model: RiskModel | None = None,
    requested_by: User | None = None,
    retry_of: ModelJob | None = None,
) -> tuple[ModelJob, bool]:
    """The training (or ``model``'s backtest; the model in use's when none is given) in flight,
    or a new QUEUED one sent through the outbox: (job, created). Of concurrent requests exactly
    one creates (the partial unique indexes); the others get its job."""
    if kind == Kind.TRAIN:
        model = None
    elif model is None:
        model = services.risk_model_ensure_active()
    while True:
        existing = selectors.model_job_in_flight(kind=kind, model=model)
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                job = ModelJob.objects.create(
                    kind=kind,
                    model=model,
                    requested_by=requested_by,
                    retry_of=retry_of,
                    heartbeat_at=timezone.now(),
                )
                _send(job)
        except IntegrityError:
            continue  # another request created it first: that one is in flight (or just ended)
        return job, True


class JobNotRetryable(ApplicationError):
    def __init__(self, job: ModelJob) -> None:
        super().__init__(
            _("%(job)s is %(status)s: only a stalled or failed job is retried.")
            % {"job": job.get_kind_display(), "status": job.get_status_display().lower()}
        )


def model_job_retry(*, job: ModelJob, user: User | None) -> tuple[ModelJob, bool]:
    """Start a stalled or failed job again, as a new job (the old one stays as it ended). If
    one of its kind is already in flight, that one: (job, created)."""
    if job.status not in (Status.STALLED, Status.FAILED):
        raise JobNotRetryable(job)
    return model_job_request(kind=job.kind, model=job.model, requested_by=user, retry_of=job)


def _fail(*, job_id: int, attempt: int, reason: str) -> bool:
    now = timezone.now()
    return bool(
        ModelJob.objects.filter(pk=job_id, status=Status.RUNNING, resumes=attempt).update(
            status=Status.FAILED,
            reason=reason[:2000],
            finished_at=now,
            heartbeat_at=now,
            updated_at=now,
        )
    )


def model_job_run(*, job_id: int, attempt: int) -> ModelJob | None:
    """Claim the job for ``attempt`` and do it; the job as it ended. None when the claim is
    refused (another attempt's message, a job already running, stalled, failed or done) or the
    job was taken over while it ran. An error fails the job with the reason, and is raised."""
    now = timezone.now()
    claimed = ModelJob.objects.filter(pk=job_id, status=Status.QUEUED, resumes=attempt).update(
        status=Status.RUNNING, heartbeat_at=now, updated_at=now, done=0, total=0
    )
    if not claimed:
        logger.info(
            "model job %s attempt %s: not claimed (late or repeated delivery)", job_id, attempt
        )
        return None
    ModelJob.objects.filter(pk=job_id, started_at__isnull=True).update(started_at=now)
    job = ModelJob.objects.select_related("model").get(pk=job_id)
    mine = Q(status=Status.RUNNING, resumes=attempt)
    beat = Heartbeat(ModelJob, job_id, where=mine)

    def progress(stage: str) -> services.Progress:
        return lambda done, total: beat(done, total, stage=stage, done=done, total=total)

    def keep() -> bool:
        return ModelJob.objects.select_for_update().filter(mine, pk=job_id).exists()

    stored: list[RiskModel] = []

    def note_model(model: RiskModel) -> None:
        # In the transaction that stored it: a resume after this starts at the backtest.
        stored.append(model)
        ModelJob.objects.filter(mine, pk=job_id).update(model=model)

    try:
        model = job.model
        if job.kind == Kind.TRAIN and model is None:
            as_of = job.as_of or services.risk_data_as_of()[0]
            ModelJob.objects.filter(mine, pk=job_id).update(as_of=as_of)
            model = services.risk_model_train(
                as_of=as_of,
                progress=progress(ModelJob.Stage.SNAPSHOTS),
                fit_progress=progress(ModelJob.Stage.FITTING),
                keep=keep,
                stored=note_model,
            )
            if stored:
                # The model it trained, published or not (a trained model that does not beat
                # the best baseline is stored unpublished and the rules stay): the job's result
                # is what it built, and its backtest is that model's.
                model = stored[-1]
            else:
                note_model(model)  # it stayed on the rules: nothing was trained and stored
        services.risk_model_evaluate(
            model=model, progress=progress(ModelJob.Stage.BACKTEST), keep=keep
        )
    except services.Superseded:
        logger.warning("model job %s attempt %s was taken over; result dropped", job_id, attempt)
        return None
    except (OperationalError, InterfaceError):
        # The database went away: nothing can be written now. The heartbeat stops, so the
        # reaper resumes the job within the stall window.
        raise
    except SoftTimeLimitExceeded:
        _fail(
            job_id=job_id,
            attempt=attempt,
            reason=_("Stopped at its time limit (%(minutes)d minutes). Retry to start it again.")
            % {"minutes": TIME_LIMIT_SECONDS // 60},
        )
        raise
    except Exception as exc:
        _fail(job_id=job_id, attempt=attempt, reason=f"{type(exc).__name__}: {exc}")
        raise
    now = timezone.now()
    ModelJob.objects.filter(mine, pk=job_id).update(
        status=Status.SUCCEEDED, finished_at=now, heartbeat_at=now, updated_at=now, reason=""
    )
    job.refresh_from_db()
    return job


@dataclass
class Reaped:
    resumed: list[int] = field(default_factory=list)
    resent: list[int] = field(default_factory=list)
    stalled: list[int] = field(default_factory=list)


def _waiting_in_outbox(job: ModelJob) -> bool:
    return OutboxMessage.objects.filter(
        task_name=TASK, args=[job.pk, job.resumes], sent_at__isnull=True
    ).exists()


def model_jobs_reap(*, now=None) -> Reaped:
    """Every minute (beat): take every job with no sign of work for the stall window as stalled.

    A running job is queued again as a new attempt (its worker died: nothing was stored, or
    only the trained model, and the next attempt starts at the backtest), at most
    RELAY_JOB_MAX_RESUMES times; then it ends STALLED with the reason. A queued job's message
    is sent again, as a new attempt, once per stall window (it may have been lost with a
    broker, or be behind a long queue: the earlier attempt's message is then refused). A job
    whose message still waits in the outbox (the broker is down) is left alone. Each step is
    a compare-and-set on the row as read, so two reapers never act on the same job twice."""
    now = now or timezone.now()
    reaped = Reaped()
    candidates = ModelJob.objects.filter(status__in=IN_FLIGHT).filter(stale(now - stall_window()))
    for job in list(candidates):
        if job.status == Status.QUEUED and _waiting_in_outbox(job):
            continue
        if job.status == Status.RUNNING and job.resumes >= settings.RELAY_JOB_MAX_RESUMES:
            reason = ngettext(
                "Stalled: no sign of work for %(minutes)d minute after %(n)d attempts to "
                "resume it. Is a worker running? Retry to start it again.",
                "Stalled: no sign of work for %(minutes)d minutes after %(n)d attempts to "
                "resume it. Is a worker running? Retry to start it again.",
                stall_minutes(),
            ) % {"minutes": stall_minutes(), "n": job.resumes}
            if as_read(job).update(
                status=Status.STALLED,
                reason=reason,
                finished_at=now,
                heartbeat_at=now,
                updated_at=now,
            ):
                logger.warning("model job %s stalled: %s", job.pk, reason)
                reaped.stalled.append(job.pk)
            continue
        if job.status == Status.QUEUED:
            # Sent again for the same attempt: whichever copy a worker takes first claims it.
            with transaction.atomic():
                if as_read(job).update(heartbeat_at=now, updated_at=now):
                    _send(job)
                    reaped.resent.append(job.pk)
            continue
        note = ngettext(
            "Resumed: no sign of work for %(minutes)d minute (its worker stopped); attempt "
            "%(n)d of %(most)d.",
            "Resumed: no sign of work for %(minutes)d minutes (its worker stopped); attempt "
            "%(n)d of %(most)d.",
            stall_minutes(),
        ) % {
            "minutes": stall_minutes(),
            "n": job.resumes + 2,
            "most": settings.RELAY_JOB_MAX_RESUMES + 1,
        }
        with transaction.atomic():
            if not as_read(job).update(
                status=Status.QUEUED,
                resumes=job.resumes + 1,
                reason=note,
                heartbeat_at=now,
                updated_at=now,
            ):
                continue
            job.resumes += 1
            _send(job)
        logger.warning(
            "model job %s stalled while running; resumed (attempt %s)", job.pk, job.resumes
        )
        reaped.resumed.append(job.pk)
    return reaped

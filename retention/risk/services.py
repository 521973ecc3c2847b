"""Writes for departure risk: train and store models, run scorings, raise alerts, backtest.

A scoring run goes PENDING → RUNNING → SUCCEEDED (or FAILED). Each step is a compare-and-set
on the status column, so a task delivered twice does its work once. Scores are written per
chunk of reps, once per (run, rep) by a unique constraint, and only count once the whole run
has SUCCEEDED: until then dashboards keep reading the previous run.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache, partial

import pandas as pd
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.languages import users_by_language
from accounts.models import User
from config.chance import format_chance
from config.errors import ApplicationError
from config.limits import date_check
from retention.dashboard.tasks import dashboard_cache_warm_task
from retention.heartbeats import as_read, heartbeat, stale, stall_minutes, stall_window
from retention.models import (
    RiskAlert,
    RiskModel,
    RiskRollup,
    RiskScore,
    SalesRep,
    ScoringChunk,
    ScoringRun,
)
from retention.outbox import outbox_enqueue
from retention.risk import artifacts, selectors
from retention.risk.drivers import driver_text, drivers_with_text
from retention.risk.rollups import rollup_write
from retention.scoring import labels as scoring_labels
from retention.scoring import model as scoring_model
from retention.scoring.backtest import backtest_report
from retention.scoring.features import feature_frame, snapshot_dates, snapshot_frame
from retention.scoring.rules import RULE_FEATURES, RULES_VERSION
from retention.scoring.scorer import Scorer, score_frame
from retention.selectors import risk_thresholds, scoring_run_latest_complete

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
# Asked inside the transaction that stores a training's or a backtest's result: False when the
# job it was for has been taken over meanwhile (stalled and resumed elsewhere, or failed).
Keep = Callable[[], bool]
# Snapshots for training every two weeks; for the backtest every week (finer lead times).
TRAINING_EVERY_DAYS = 14
BACKTEST_EVERY_DAYS = 7
# The first snapshot needs some history behind it to mean anything.
WARM_UP_DAYS = 120
# Data ending this few days before today are current (a weekend, a quiet week between imports).
DATA_END_GRACE_DAYS = 7


def _today() -> dt.date:
    return timezone.localdate()


def risk_data_as_of() -> tuple[dt.date, str]:
    """The date scoring and training use when none is given, and a warning ("" if none): today,
    or the last day the data cover when they end more than a week before today (scoring a date
    the data do not reach would read every rep as idle)."""
    today = _today()
    end = selectors.risk_history_end()
    if end is None or end >= today - dt.timedelta(days=DATA_END_GRACE_DAYS):
        return today, ""
    return end, ngettext(
        "The data end on %(end)s, %(days)s day before today: scores are as of %(end)s. "
        "Import newer data to score as of today.",
        "The data end on %(end)s, %(days)s days before today: scores are as of %(end)s. "
        "Import newer data to score as of today.",
        (today - end).days,
    ) % {"end": end.isoformat(), "days": (today - end).days}


# --- models -----------------------------------------------------------------------------------


@transaction.atomic
def _activate(model: RiskModel) -> RiskModel:
    RiskModel.objects.filter(is_active=True).exclude(pk=model.pk).update(is_active=False)
    if not model.is_active:
        model.is_active = True
        model.save(update_fields=["is_active", "updated_at"])
    return model


def risk_model_rules_ensure(*, voluntary_departures: int | None = None) -> RiskModel:
    """The rule-based model row (created once). Records how many departures there were."""
    model, _created = RiskModel.objects.get_or_create(
        version=RULES_VERSION,
        defaults={
            "kind": RiskModel.Kind.RULES,
            "algorithm": "rules",
            "features": RULE_FEATURES,
            "horizon_days": scoring_labels.DEFAULT_HORIZON_DAYS,
        },
    )
    if voluntary_departures is not None:
        metrics = {
            "trained": False,
            "voluntary_departures": voluntary_departures,
            "departures_needed": settings.RELAY_RISK_MIN_DEPARTURES,
        }
        if model.metrics.get("voluntary_departures") != voluntary_departures:
            model.metrics = {**model.metrics, **metrics}
            model.save(update_fields=["metrics", "updated_at"])
    return model


def risk_model_ensure_active() -> RiskModel:
    """The model in use; the rule-based one when nothing has been trained yet."""
    return selectors.risk_model_active() or _activate(risk_model_rules_ensure())


def _history_frames(
    *,
    as_of: dt.date,
    every_days: int,
    first: dt.date | None = None,
    progress: Progress | None = None,
):
    start = selectors.risk_history_start()
    if start is None:
        return None, pd.DataFrame()
    history = selectors.risk_history(start=start, end=as_of)
    first_snapshot = max(first or start, start + dt.timedelta(days=WARM_UP_DAYS))
    dates = snapshot_dates(first_snapshot, as_of, every_days=every_days)
    return history, snapshot_frame(history, dates, progress=progress)


def _training_dataset(
    history, snapshots: pd.DataFrame, *, data_end: dt.date, horizon_days: int
) -> pd.DataFrame:
    """Snapshots with a label per horizon, less those of reps already serving notice (leaving,
    not at risk: never a positive past their notice date)."""
    labels = scoring_labels.horizon_labels(
        history.reps,
        snapshots,
        data_end=pd.Timestamp(data_end),
        horizons=tuple(sorted(set(scoring_model.HORIZONS) | {horizon_days})),
    )
    dataset = pd.concat([snapshots, labels], axis=1)
    return dataset[~scoring_labels.serving_notice(history.reps, dataset)]


class Superseded(Exception):
    """The job this work was for has been taken over: its result is not stored."""


def _keep_or_drop(keep: Keep | None) -> None:
    if keep is not None and not keep():
        raise Superseded


def risk_model_train(
    *,
    as_of: dt.date | None = None,
    horizon_days: int = scoring_labels.DEFAULT_HORIZON_DAYS,
    seed: int = 0,
    progress: Progress | None = None,
    fit_progress: Progress | None = None,
    keep: Keep | None = None,
    stored: Callable[[RiskModel], None] | None = None,
) -> RiskModel:
    """Train on every snapshot whose horizon has passed, store the model and make it active.

    ``as_of`` defaults to the last day the data cover (``risk_data_as_of``). With fewer than
    RELAY_RISK_MIN_DEPARTURES voluntary departures (or too little history to validate on later
    snapshots) the rule-based model stays or becomes active instead, and is returned. A trained
    model that does not beat the best simple baseline on the holdout is stored, inactive, with
    its figures, and the rule-based model stays, with the reason. Earlier models are kept.

    ``progress`` is told per snapshot date built, ``fit_progress`` as each fit begins; ``keep``
    is asked before the model is stored (:class:`Superseded` when it says no) and ``stored``
    told the model it stored (published or not), both inside the transaction that stores it.
    """
    as_of = as_of or risk_data_as_of()[0]
    departures = selectors.voluntary_departures_count(until=as_of)
    rules = risk_model_rules_ensure(voluntary_departures=departures)
    if departures < settings.RELAY_RISK_MIN_DEPARTURES:
        logger.info("risk model: %s voluntary departures, staying on rules", departures)
        return rules if selectors.risk_model_active() else _activate(rules)

    history, snapshots = _history_frames(
        as_of=as_of, every_days=TRAINING_EVERY_DAYS, progress=progress
    )
    if snapshots.empty:
        return rules if selectors.risk_model_active() else _activate(rules)
    dataset = _training_dataset(history, snapshots, data_end=as_of, horizon_days=horizon_days)
    try:
        result = scoring_model.train(
            dataset,
            departures=history.reps["departure_date"],
            horizon_days=horizon_days,
            seed=seed,
            min_departures=settings.RELAY_RISK_MIN_DEPARTURES,
            # Unset (the default), the model works out its own thresholds; set, they override.
            medium=settings.RELAY_RISK_MEDIUM,
            high=settings.RELAY_RISK_HIGH,
            progress=fit_progress,
        )
    except scoring_model.NotEnoughHistory as exc:
        logger.info("risk model: %s; staying on rules", exc)
        rules.metrics = {**rules.metrics, "not_trained_because": str(exc)}
        rules.save(update_fields=["metrics", "updated_at"])
        return rules if selectors.risk_model_active() else _activate(rules)

    number = RiskModel.objects.filter(kind=RiskModel.Kind.TRAINED).count() + 1
    artifact = {
        "estimator": result.estimator,
        "features": result.features,
        "reference": result.reference,
    }
    publishable = result.metrics.get("publishable", True)
    with transaction.atomic():
        _keep_or_drop(keep)
        model = RiskModel.objects.create(
            version=f"v{number}-{as_of:%Y%m%d}-{timezone.now():%H%M%S}",
            kind=RiskModel.Kind.TRAINED,
            algorithm=result.algorithm,
            training_start=result.training_start.date(),
            training_end=result.training_end.date(),
            horizon_days=horizon_days,
            features=result.features,
            metrics={
                **result.metrics,
                "trained": True,
                "voluntary_departures": departures,
                "as_of": as_of.isoformat(),
            },
            artifact=artifacts.sign(scoring_model.dumps(artifact)),
        )
        if publishable:
            ended_with = _activate(model)
        else:
            reason = _("Model %(version)s was not published: %(reason)s.") % {
                "version": model.version,
                "reason": result.metrics.get("not_published_because", ""),
            }
            rules.metrics = {**rules.metrics, "not_trained_because": reason}
            rules.save(update_fields=["metrics", "updated_at"])
            logger.info("risk model: %s", reason)
            ended_with = rules if selectors.risk_model_active() else _activate(rules)
        if stored is not None:
            stored(model)  # what was stored, published or not
        return ended_with


@lru_cache(maxsize=4)
def _trained_scorer(model_id: int, version: str) -> Scorer:
    artifact = scoring_model.loads(artifacts.verify(RiskModel.objects.get(pk=model_id).artifact))
    return Scorer(
        estimator=artifact["estimator"],
        features=artifact["features"],
        reference=artifact["reference"],
        kind="trained",
    )


def scorer_for(model: RiskModel) -> Scorer:
    if model.kind == RiskModel.Kind.RULES:
        return Scorer.rules()
    return _trained_scorer(model.pk, model.version)


def risk_model_evaluate(
    *,
    model: RiskModel | None = None,
    as_of: dt.date | None = None,
    progress: Progress | None = None,
    keep: Keep | None = None,
) -> RiskModel:
    """Backtest: score every week from the model's holdout start (for the rules, from the
    beginning) to ``as_of`` minus the horizon and store who was flagged, how early, and the
    false alarms on the model. ``progress`` is told per date scored; ``keep`` is asked before
    the report is stored (:class:`Superseded` when it says no)."""
    model = model or risk_model_ensure_active()
    as_of = as_of or risk_data_as_of()[0]
    first = None
    if model.kind == RiskModel.Kind.TRAINED and model.metrics.get("holdout_start"):
        first = dt.date.fromisoformat(model.metrics["holdout_start"])
    end = as_of - dt.timedelta(days=model.horizon_days)
    history, snapshots = _history_frames(
        as_of=end, every_days=BACKTEST_EVERY_DAYS, first=first, progress=progress
    )
    if snapshots.empty:
        report = {"summary": {"dates": 0, "departures": 0}, "departures": [], "dates": []}
    else:
        snapshots = snapshots[~scoring_labels.serving_notice(history.reps, snapshots)].copy()
        snapshots["label"] = scoring_labels.departure_labels(
            history.reps, snapshots, horizon_days=model.horizon_days
        )
        snapshots["probability"] = scorer_for(model).probabilities(snapshots)
        report = backtest_report(
            snapshots, departures=history.reps["departure_date"], horizon_days=model.horizon_days
        )
        full = {
            rep.pk: rep.full_name
            for rep in SalesRep.objects.filter(
                pk__in=[row["rep_id"] for row in report["departures"]]
            ).only("first_name", "last_name")
        }
        for row in report["departures"]:
            row["rep_name"] = full.get(row["rep_id"], "")
    model.backtest = report
    model.evaluated_at = timezone.now()
    with transaction.atomic():
        _keep_or_drop(keep)
        model.save(update_fields=["backtest", "evaluated_at", "updated_at"])
    return model


# --- scoring runs -----------------------------------------------------------------------------
#
# The database is the source of truth for a run: its status, its chunks (``ScoringChunk``) and
# which of them are done. Celery messages only carry ids and are an optimisation: the reaper
# (``scoring_runs_reap``, every minute) re-sends whatever a lost message or a killed worker
# left undone, and a run that stalls too often is failed with the reason.

IN_FLIGHT = (ScoringRun.Status.PENDING, ScoringRun.Status.RUNNING)


def _beat(run_id: int) -> None:
    heartbeat(ScoringRun, run_id)


def _run_in_flight_create(
    *, as_of: dt.date, requested_by: User | None, raise_alerts: bool
) -> tuple[ScoringRun, bool]:
    """The run in flight for ``as_of``, or a new PENDING one: (run, created). A partial unique
    index allows one run in flight per date, so of concurrent starts exactly one creates.

    A date after today is refused (``as_of``): the data cannot reach it, and the published run
    with the latest date is the current scores, so a run dated ahead would stay current over
    every run of today. So is one before the calendar Relay takes (``config.limits``)."""
    today = _today()
    if as_of > today:
        raise ApplicationError(
            _("A scoring run is as of today (%(today)s) or earlier, not %(as_of)s.")
            % {"today": today.isoformat(), "as_of": as_of.isoformat()},
            field="as_of",
        )
    date_check(as_of, field="as_of", label=_("as-of date"))
    existing = ScoringRun.objects.filter(as_of=as_of, status__in=IN_FLIGHT).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            run = ScoringRun.objects.create(
                as_of=as_of,
                requested_by=requested_by,
                raise_alerts=raise_alerts,
                heartbeat_at=timezone.now(),
            )
    except IntegrityError:
        return ScoringRun.objects.get(as_of=as_of, status__in=IN_FLIGHT), False
    return run, True


def scoring_run_request(
    *,
    requested_by: User | None = None,
    as_of: dt.date | None = None,
    raise_alerts: bool = True,
) -> ScoringRun:
    """Ask for a scoring of every rep (from the UI, after an import, or by beat).

    Returns the run already in flight for that date if there is one; otherwise a new PENDING
    run whose start is recorded in the outbox and sent once the transaction commits (or when
    the broker is back, if it is down).
    """
    run, created = _run_in_flight_create(
        as_of=as_of or risk_data_as_of()[0], requested_by=requested_by, raise_alerts=raise_alerts
    )
    if created:
        outbox_enqueue(task_name="retention.risk.scoring_run_execute", args=[run.pk])
    return run


def _chunks(reps: list[tuple[int, int]], size: int) -> list[list[int]]:
    """Whole teams per chunk (peer comparisons need the whole team), about ``size`` reps each."""
    chunks: list[list[int]] = []
    current: list[int] = []
    last_team = None
    for rep_id, team_id in reps:
        if team_id != last_team and len(current) >= size:
            chunks.append(current)
            current = []
        current.append(rep_id)
        last_team = team_id
    if current:
        chunks.append(current)
    return chunks


def _plan(run: ScoringRun) -> list[int]:
    """Split a RUNNING run into chunks once (idempotent: a second call finds them planned).
    Returns the numbers of the chunks not yet done."""
    if not ScoringChunk.objects.filter(run=run).exists():
        model = risk_model_ensure_active()
        reps = selectors.reps_to_score(as_of=run.as_of)
        chunks = _chunks(reps, settings.RELAY_RISK_CHUNK_SIZE)
        with transaction.atomic():
            ScoringChunk.objects.bulk_create(
                [ScoringChunk(run=run, index=i, rep_ids=ids) for i, ids in enumerate(chunks)],
                ignore_conflicts=True,
            )
            ScoringRun.objects.filter(pk=run.pk, model__isnull=True).update(
                model=model,
                previous_run=scoring_run_latest_complete(),
                total=len(reps),
                chunks=len(chunks),
                done=0,
            )
        _beat(run.pk)
    return list(
        ScoringChunk.objects.filter(run=run, done_at__isnull=True)
        .order_by("index")
        .values_list("index", flat=True)
    )


def scoring_run_start(*, run_id: int) -> list[int] | None:
    """Claim a PENDING run (compare-and-set) and plan its chunks; the numbers of the chunks
    to score. None when another delivery already claimed it, or it was failed meanwhile."""
    now = timezone.now()
    claimed = ScoringRun.objects.filter(pk=run_id, status=ScoringRun.Status.PENDING).update(
        status=ScoringRun.Status.RUNNING, started_at=now, heartbeat_at=now, updated_at=now
    )
    if not claimed:
        return None
    return _plan(ScoringRun.objects.get(pk=run_id))


def scoring_chunk_run(*, run_id: int, index: int) -> bool:
    """Score one planned chunk of a RUNNING run and record it done. True when this was the
    run's last chunk still to do (the caller then finishes the run). A chunk already done, or
    a run no longer running (failed, or published), is left alone."""
    chunk = ScoringChunk.objects.filter(run_id=run_id, index=index).first()
    if chunk is None or chunk.done_at is not None:
        return False
    _beat(run_id)
    written = scoring_chunk_score(run_id=run_id, rep_ids=chunk.rep_ids)
    if not ScoringRun.objects.filter(pk=run_id, status=ScoringRun.Status.RUNNING).exists():
        return False
    marked = ScoringChunk.objects.filter(pk=chunk.pk, done_at__isnull=True).update(
        done_at=timezone.now(), written=written
    )
    _beat(run_id)
    return (
        bool(marked)
        and not ScoringChunk.objects.filter(run_id=run_id, done_at__isnull=True).exists()
    )


def scoring_chunk_score(*, run_id: int, rep_ids: list[int]) -> int:
    """Score one chunk of a RUNNING run. Returns how many scores it wrote (0 when the chunk was
    already written by an earlier delivery, or the run is no longer running)."""
    run = ScoringRun.objects.select_related("model").get(pk=run_id)
    if run.status != ScoringRun.Status.RUNNING:
        return 0
    if RiskScore.objects.filter(run_id=run_id, rep_id__in=rep_ids).count() == len(rep_ids):
        return 0
    history = selectors.risk_history(end=run.as_of, rep_ids=rep_ids)
    frame = feature_frame(history, run.as_of)
    thresholds = risk_thresholds(run.model)
    scored = score_frame(
        frame,
        scorer=scorer_for(run.model),
        medium=thresholds["medium"],
        high=thresholds["high"],
    )
    rows = _score_rows(run_id=run_id, as_of=run.as_of, frame=frame, scored=scored)
    with transaction.atomic():
        written = RiskScore.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
        done = RiskScore.objects.filter(run_id=run_id).count()
        ScoringRun.objects.filter(pk=run_id).update(done=done, updated_at=timezone.now())
    return len(written)


def _previous_probabilities(*, run_id: int, rep_ids: list[int], as_of: dt.date) -> dict[int, float]:
    """Each rep's previous published probability, whatever its date: their latest score (as of
    ``as_of`` or before) from another succeeded run. One query."""
    earlier = (
        RiskScore.objects.filter(
            rep_id__in=rep_ids,
            status=RiskScore.Status.SCORED,
            run__status=ScoringRun.Status.SUCCEEDED,
            as_of__lte=as_of,
        )
        .exclude(run_id=run_id)
        .order_by("rep_id", "-as_of", "-run__finished_at", "-run_id")
    )
    if connection.features.can_distinct_on_fields:
        earlier = earlier.distinct("rep_id")
    previous: dict[int, float] = {}
    for rep_id, probability in earlier.values_list("rep_id", "probability"):
        previous.setdefault(rep_id, probability)
    return previous


def _score_rows(
    *, run_id: int, as_of: dt.date, frame: pd.DataFrame, scored: pd.DataFrame
) -> list[RiskScore]:
    """The scores of a run for the reps of ``frame`` (their features) and ``scored`` (their
    ``score_frame``), both indexed by rep id: a probability with its band, drivers and change
    since the rep's previous published score, or, for a rep serving notice, "leaving"."""
    rep_ids = [int(rep_id) for rep_id in frame.index]
    leaving = selectors.reps_on_notice(rep_ids=rep_ids, as_of=as_of)
    previous = _previous_probabilities(run_id=run_id, rep_ids=rep_ids, as_of=as_of)
    signals = frame.select_dtypes("number").drop(columns=["team_id"]).astype(float).round(4)
    # Row by row as plain lists (a row's known signals, each rep's scores): pandas' row
    # access took most of the time of writing 10,000 scores.
    names = list(signals.columns)
    known_signals = signals.loc[scored.index].to_numpy().tolist()
    columns = {name: scored[name].tolist() for name in scored.columns}
    rows = []
    for position, rep_id in enumerate(scored.index):
        row = {name: column[position] for name, column in columns.items()}
        values = {k: v for k, v in zip(names, known_signals[position], strict=True) if v == v}
        if rep_id in leaving:
            # Leaving is a fact, not a chance: shown as "Leaving — last day D", first on the
            # dashboards, never an alert, and no "change" against the last probability.
            last_day = leaving[rep_id]
            days_left = (last_day - as_of).days
            rows.append(
                RiskScore(
                    run_id=run_id,
                    rep_id=rep_id,
                    as_of=as_of,
                    status=RiskScore.Status.LEAVING,
                    last_day=last_day,
                    probability=1.0 if days_left <= 90 else float(row["probability"]),
                    probability_30=1.0 if days_left <= 30 else float(row["probability_30"]),
                    probability_180=1.0 if days_left <= 180 else float(row["probability_180"]),
                    band=RiskScore.Band.HIGH,
                    change=None,
                    drivers=[],
                    signals=values,
                )
            )
            continue
        probability = float(row["probability"])
        before = previous.get(rep_id)
        rows.append(
            RiskScore(
                run_id=run_id,
                rep_id=rep_id,
                as_of=as_of,
                probability=probability,
                probability_30=float(row["probability_30"]),
                probability_180=float(row["probability_180"]),
                band=row["band"],
                change=None if before is None else round(probability - before, 6),
                drivers=drivers_with_text(row["drivers"]),
                signals=values,
            )
        )
    return rows


def scoring_run_finish(*, run_id: int) -> bool:
    """Publish a run once every chunk is recorded done (compare-and-set RUNNING → SUCCEEDED),
    then raise alerts, unless the run is back-dated behind scores already published. A run
    missing scores fails instead, leaving the previous one in place. Safe to call again."""
    run = ScoringRun.objects.get(pk=run_id)
    if run.status != ScoringRun.Status.RUNNING:
        return False
    if ScoringChunk.objects.filter(run_id=run_id, done_at__isnull=True).exists():
        return False
    # The reps planned at the start who are still to be scored: a departure recorded during
    # the run must not fail it, and a rep hired meanwhile waits for the next run.
    planned = {
        rep_id
        for rep_ids in ScoringChunk.objects.filter(run_id=run_id).values_list("rep_ids", flat=True)
        for rep_id in rep_ids
    }
    expected = planned & {rep_id for rep_id, _team in selectors.reps_to_score(as_of=run.as_of)}
    scored = set(RiskScore.objects.filter(run_id=run_id).values_list("rep_id", flat=True))
    missing = expected - scored
    if missing:
        scoring_run_fail(
            run_id=run_id,
            error=_("%(missing)s of %(expected)s reps were not scored (e.g. rep %(example)s)")
            % {"missing": len(missing), "expected": len(expected), "example": min(missing)},
        )
        return False
    newer_published = ScoringRun.objects.filter(
        status=ScoringRun.Status.SUCCEEDED, as_of__gt=run.as_of
    ).exists()
    done = len(scored)
    with transaction.atomic():
        published = ScoringRun.objects.filter(pk=run_id, status=ScoringRun.Status.RUNNING).update(
            status=ScoringRun.Status.SUCCEEDED,
            done=done,
            total=done,
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        if published:
            scoring_run_rollup_write(run_id=run_id)
    if published:
        if run.raise_alerts and not newer_published:
            risk_alerts_raise(run_id=run_id)
        # The organisation-wide charts of the new run, computed before anyone asks for them.
        transaction.on_commit(partial(dashboard_cache_warm_task.delay, run_id))
    return bool(published)


def scoring_run_rollup_write(*, run_id: int) -> int:
    """Write the rollup of a run being published (``RiskRollup``: its scores counted per team,
    status and band), in the transaction that publishes it. Every path that publishes a run
    calls this: the dashboard's history reads the rollup, never the scores of past runs."""
    return rollup_write(run_id=run_id, score_model=RiskScore, rollup_model=RiskRollup)


def scoring_run_fail(*, run_id: int, error: str) -> bool:
    """Mark a waiting or running run failed and drop its partial scores (never shown). A
    failed run never comes back: every later step claims it by its status first."""
    with transaction.atomic():
        failed = ScoringRun.objects.filter(pk=run_id, status__in=IN_FLIGHT).update(
            status=ScoringRun.Status.FAILED,
            error=error[:2000],
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        if failed:
            RiskScore.objects.filter(run_id=run_id).delete()
    return bool(failed)


@dataclass
class Reaped:
    resumed: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def scoring_runs_reap(*, now: dt.datetime | None = None) -> Reaped:
    """Take every run with no sign of work for the stall window as stalled: resume it (re-send
    its start, the chunks not done, or its finish) up to RELAY_JOB_MAX_RESUMES times, then
    fail it with the reason. Each resume is claimed by a compare-and-set on the heartbeat, so
    two reapers never resume the same run twice."""

    now = now or timezone.now()
    reaped = Reaped()
    stalled = ScoringRun.objects.filter(status__in=IN_FLIGHT).filter(stale(now - stall_window()))
    for run in list(stalled):
        if run.resumes >= settings.RELAY_JOB_MAX_RESUMES:
            reason = _(
                "Stalled: no sign of work for %(minutes)d minutes after %(n)d attempts to "
                "resume it. Is a worker running?"
            ) % {"minutes": stall_minutes(), "n": run.resumes}
            if scoring_run_fail(run_id=run.pk, error=reason):
                reaped.failed.append(run.pk)
            continue
        claimed = as_read(run).update(resumes=run.resumes + 1, heartbeat_at=now, updated_at=now)
        if not claimed:
            continue
        logger.warning("scoring run %s stalled (%s); resuming", run.pk, run.status)
        if run.status == ScoringRun.Status.PENDING:
            outbox_enqueue(task_name="retention.risk.scoring_run_execute", args=[run.pk])
        else:
            todo = _plan(run)
            for index in todo:
                outbox_enqueue(task_name="retention.risk.scoring_chunk", args=[run.pk, index])
            if not todo:
                outbox_enqueue(task_name="retention.risk.scoring_run_finish", args=[run.pk])
        reaped.resumed.append(run.pk)
    return reaped


class RunInFlight(ApplicationError):
    """A scoring run for that date is already in flight."""

    def __init__(self, run: ScoringRun) -> None:
        super().__init__(
            _("Run %(id)s as of %(as_of)s is already %(status)s; not starting another.")
            % {"id": run.pk, "as_of": run.as_of, "status": run.get_status_display().lower()}
        )
        self.run = run


def risk_scores_refresh(
    *,
    as_of: dt.date | None = None,
    requested_by: User | None = None,
    progress: Progress | None = None,
    raise_alerts: bool = True,
) -> ScoringRun:
    """Score everyone in this process (the ``score_reps`` command): the same run, chunks and
    publication as the Celery path, without a worker. ``raise_alerts=False`` is for back-dated
    runs, whose news is old. Raises :class:`RunInFlight` when a run for that date is already
    in flight (a worker's, or another command's)."""
    run, created = _run_in_flight_create(
        as_of=as_of or risk_data_as_of()[0], requested_by=requested_by, raise_alerts=raise_alerts
    )
    if not created:
        raise RunInFlight(run)
    try:
        todo = scoring_run_start(run_id=run.pk) or []
        total = len(todo)
        for done, index in enumerate(todo, start=1):
            scoring_chunk_run(run_id=run.pk, index=index)
            if progress:
                progress(done, total)
        scoring_run_finish(run_id=run.pk)
    except BaseException as exc:
        # The connection may be what died: mark the run failed on a fresh one.
        if connection.connection is not None and not connection.is_usable():
            connection.close()
        scoring_run_fail(run_id=run.pk, error=repr(exc))
        raise
    run.refresh_from_db()
    return run


def risk_history_backfill(
    *,
    end: dt.date,
    weeks: int,
    months: int = 0,
    progress: Progress | None = None,
) -> list[ScoringRun]:
    """Train (or fall back to rules) as of ``end``, then score everyone once a week for the
    ``weeks`` weeks up to ``end``, oldest first, so charts of risk over time have a history;
    ``months``: before those, once every four weeks ``months`` times more (what worked needs
    the risk of reps months back, when their interventions began). Only the newest run raises
    alerts: the earlier ones are history, not news.

    In bulk: the history is read once for all the dates, each date's features are computed
    from it point in time (``feature_frame`` sees nothing after its date, and a read that
    starts earlier gives the same features: see ``selectors.risk_history``), every date is
    scored in one batch, and each run is written whole, published, before the next, so its
    "change since last run" compares with the run before exactly as weekly runs would. The
    scores are those run-by-run scoring would write (tests compare the two).

    For a first import of past data or the demo organisation; the nightly run takes over after.
    """
    risk_model_train(as_of=end)
    monthly = [end - dt.timedelta(weeks=weeks - 1 + 4 * back) for back in range(months, 0, -1)]
    dates = monthly + [end - dt.timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]
    if not dates:
        return []
    model = risk_model_ensure_active()
    history = selectors.risk_history(
        start=dates[0] - dt.timedelta(days=selectors.LOOKBACK_DAYS), end=end
    )
    frames = {as_of: feature_frame(history, as_of) for as_of in dates}
    thresholds = risk_thresholds(model)
    scored = score_frame(
        pd.concat(frames.values(), keys=list(frames)),
        scorer=scorer_for(model),
        medium=thresholds["medium"],
        high=thresholds["high"],
    )
    runs = []
    for done, (as_of, frame) in enumerate(frames.items(), start=1):
        runs.append(
            _scoring_run_write(
                as_of=as_of,
                model=model,
                frame=frame,
                scored=scored.xs(as_of, level=0) if len(frame) else scored.iloc[:0],
            )
        )
        if progress:
            progress(done, len(dates))
    # Nobody has been told of anything yet: every rep high in the newest run is news.
    risk_alerts_raise(run_id=runs[-1].pk, first_import=True)
    transaction.on_commit(partial(dashboard_cache_warm_task.delay, runs[-1].pk))
    return runs


@transaction.atomic
def _scoring_run_write(
    *, as_of: dt.date, model: RiskModel, frame: pd.DataFrame, scored: pd.DataFrame
) -> ScoringRun:
    """A succeeded run (one chunk, done) holding the given scores, back-dated (no alerts)."""
    now = timezone.now()
    run = ScoringRun.objects.create(
        as_of=as_of,
        status=ScoringRun.Status.SUCCEEDED,
        model=model,
        previous_run=scoring_run_latest_complete(),
        raise_alerts=False,
        started_at=now,
        heartbeat_at=now,
    )
    rows = _score_rows(run_id=run.pk, as_of=as_of, frame=frame, scored=scored)
    RiskScore.objects.bulk_create(rows, batch_size=2000)
    scoring_run_rollup_write(run_id=run.pk)
    ScoringChunk.objects.create(
        run=run,
        index=0,
        rep_ids=[int(rep_id) for rep_id in frame.index],
        done_at=timezone.now(),
        written=len(rows),
    )
    run.chunks, run.total, run.done, run.finished_at = 1, len(rows), len(rows), timezone.now()
    run.save(update_fields=["chunks", "total", "done", "finished_at", "updated_at"])
    return run


# --- alerts -----------------------------------------------------------------------------------


def risk_alerts_raise(*, run_id: int, first_import: bool = False) -> int:
    """One alert per score that crossed into high or jumped by RELAY_RISK_JUMP or more since
    the previous run; then e-mail each new alert once. Returns how many alerts were new.

    ``first_import``: the run closes a backfill of history nobody was alerted about, so every
    high score is news (as if there were no previous run). Reps serving notice never alert;
    a rep whose notice was withdrawn and who is high now is news (their previous "leaving"
    score was a fact, not a chance above the line).

    "Became high" is news about the rep, not about the line: a rep was already high when the
    previous run put them in the high band, or when their previous probability was already at
    or above this run's high threshold. So a retrained model (each draws its own line) or a
    changed RELAY_RISK_HIGH that moves the line under reps whose chance did not rise raises no
    alert for them; a rep whose chance rose across the line does."""
    run = ScoringRun.objects.select_related("model").get(pk=run_id)
    if run.status != ScoringRun.Status.SUCCEEDED:
        return 0
    high = RiskScore.Band.HIGH
    line = risk_thresholds(run.model)["high"]
    already_high: set[int] = set()
    if run.previous_run_id and not first_import:
        already_high = set(
            RiskScore.objects.filter(run_id=run.previous_run_id, status=RiskScore.Status.SCORED)
            .filter(Q(band=high) | Q(probability__gte=line))
            .values_list("rep_id", flat=True)
        )
    candidates = RiskScore.objects.filter(run_id=run_id, status=RiskScore.Status.SCORED).filter(
        Q(band=high) | Q(change__gte=settings.RELAY_RISK_JUMP)
    )
    alerts = []
    for score in candidates.select_related("rep"):
        if score.band == high and score.rep_id not in already_high:
            kind = RiskAlert.Kind.BECAME_HIGH
        elif score.change is not None and score.change >= settings.RELAY_RISK_JUMP:
            kind = RiskAlert.Kind.JUMP
        else:
            continue
        message = risk_alert_message(kind=kind, score=score)
        alerts.append(RiskAlert(rep_id=score.rep_id, score=score, kind=kind, message=message))
    before = RiskAlert.objects.filter(score__run_id=run_id).count()
    RiskAlert.objects.bulk_create(alerts, ignore_conflicts=True)
    created = RiskAlert.objects.filter(score__run_id=run_id).count() - before
    risk_alerts_email(run_id=run_id)
    return created


def risk_alert_message(*, kind: str, score: RiskScore) -> str:
    """What an alert says, in the active language (stored in that of the run; an e-mail
    writes it again in each recipient's)."""
    if kind == RiskAlert.Kind.BECAME_HIGH:
        return _("%(rep)s is now at high risk of leaving (%(p)s).") % {
            "rep": score.rep.full_name,
            "p": format_chance(score.probability),
        }
    return _("%(rep)s's risk of leaving rose by %(d).0f points to %(p)s.") % {
        "rep": score.rep.full_name,
        "d": (score.change or 0) * 100,
        "p": format_chance(score.probability),
    }


def risk_alerts_email(*, run_id: int) -> int:
    """E-mail the managers of each alert's rep (their team's and every team above) once: each
    alert is claimed by setting ``emailed_at`` before its mail goes, so a retry skips it."""
    alerts = list(
        RiskAlert.objects.filter(score__run_id=run_id, emailed_at__isnull=True).select_related(
            "rep", "score__rep"
        )
    )
    if not alerts:
        return 0
    recipients = selectors.team_alert_recipients(team_ids={alert.rep.team_id for alert in alerts})
    sent = 0
    for alert in alerts:
        claimed = RiskAlert.objects.filter(pk=alert.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        to = recipients.get(alert.rep.team_id, [])
        if not claimed or not to:
            continue
        # One mail per language, each written in its recipients' language (accounts' rule).
        for language, managers in users_by_language(to).items():
            with translation.override(language):
                message = risk_alert_message(kind=alert.kind, score=alert.score)
                drivers = "\n".join(f"- {driver_text(d)}" for d in alert.score.drivers)
                send_mail(
                    subject=_("Relay: %(rep)s – %(kind)s")
                    % {"rep": alert.rep.full_name, "kind": alert.get_kind_display()},
                    message=f"{message}\n\n{drivers}\n",
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    recipient_list=[m.email for m in managers],
                )
        sent += 1
    return sent

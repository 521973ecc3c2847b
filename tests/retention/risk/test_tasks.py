"""Beat schedules name real tasks; the tasks carry bounded retries and time limits."""

from django.conf import settings

from config.celery import app
from retention.risk import tasks


def test_beat_scores_nightly_and_retrains_weekly_with_registered_tasks():
    scoring = settings.CELERY_BEAT_SCHEDULE["risk-scoring-nightly"]
    retrain = settings.CELERY_BEAT_SCHEDULE["risk-model-retrain-weekly"]
    assert scoring["task"] == tasks.scoring_nightly.name
    assert retrain["task"] == tasks.model_retrain.name
    assert scoring["task"] in app.tasks and retrain["task"] in app.tasks
    assert scoring["schedule"].hour == {3}
    assert retrain["schedule"].day_of_week == {1}


def test_beat_reaps_trainings_and_backtests_every_minute():
    reap = settings.CELERY_BEAT_SCHEDULE["model-jobs-reap"]
    assert reap["task"] == tasks.model_jobs_reap.name and reap["task"] in app.tasks
    assert reap["schedule"] == 60


def test_risk_tasks_have_time_limits_and_bounded_retries():
    for task in (
        tasks.scoring_run_execute,
        tasks.scoring_chunk,
        tasks.scoring_run_finish,
        tasks.scoring_runs_reap,
        tasks.scoring_nightly,
        tasks.model_retrain,
        tasks.model_evaluate,
        tasks.model_job_run,
        tasks.model_jobs_reap,
    ):
        assert task.soft_time_limit and task.time_limit > task.soft_time_limit, task.name
        assert task.max_retries is not None and task.max_retries <= 3, task.name

"""Risk pages (included under ``retention:``) and API routes (included under ``/api/risk/``)."""

from django.urls import path

from retention.risk import apis, views

urlpatterns = [
    path("risk/model/", views.risk_model_page, name="risk_model"),
    path("risk/model/retrain/", views.risk_model_retrain, name="risk_model_retrain"),
    path("risk/model/jobs/<int:job_id>/", views.risk_model_job_progress, name="risk_model_job"),
    path(
        "risk/model/jobs/<int:job_id>/retry/",
        views.risk_model_job_retry,
        name="risk_model_job_retry",
    ),
    path("risk/runs/start/", views.risk_scoring_start, name="risk_scoring_start"),
    path("risk/runs/<int:run_id>/progress/", views.risk_run_progress, name="risk_run_progress"),
    path("risk/backtest/", views.risk_backtest_page, name="risk_backtest"),
    path("risk/backtest/<int:model_id>/", views.risk_backtest_page, name="risk_backtest_model"),
    path(
        "risk/backtest/<int:model_id>/run/",
        views.risk_backtest_start,
        name="risk_backtest_start",
    ),
]

api_urlpatterns = [
    path("scores/", apis.RiskScoreListApi.as_view(), name="api-risk-score-list"),
    path("reps/<int:rep_id>/", apis.RepRiskDetailApi.as_view(), name="api-risk-rep-detail"),
    path("runs/", apis.ScoringRunListApi.as_view(), name="api-risk-run-list"),
    path("runs/start/", apis.ScoringRunStartApi.as_view(), name="api-risk-run-start"),
    path("runs/<int:run_id>/", apis.ScoringRunDetailApi.as_view(), name="api-risk-run-detail"),
    path("models/", apis.RiskModelListApi.as_view(), name="api-risk-model-list"),
    path("models/train/", apis.RiskModelTrainApi.as_view(), name="api-risk-model-train"),
    path(
        "models/<int:model_id>/backtest/",
        apis.RiskBacktestApi.as_view(),
        name="api-risk-model-backtest",
    ),
    path(
        "models/<int:model_id>/backtest/run/",
        apis.RiskBacktestStartApi.as_view(),
        name="api-risk-model-backtest-start",
    ),
    path("model-jobs/", apis.ModelJobListApi.as_view(), name="api-risk-model-job-list"),
    path("model-jobs/<int:job_id>/", apis.ModelJobDetailApi.as_view(), name="api-risk-model-job"),
    path(
        "model-jobs/<int:job_id>/retry/",
        apis.ModelJobRetryApi.as_view(),
        name="api-risk-model-job-retry",
    ),
]

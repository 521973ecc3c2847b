"""Hiring API routes, included by handover/api_urls.py under /api/."""

from django.urls import path

from handover.hiring import apis

urlpatterns = [
    path("vacancies/", apis.VacancyListApi.as_view(), name="api-vacancy-list"),
    path("vacancies/create/", apis.VacancyCreateApi.as_view(), name="api-vacancy-create"),
    path("vacancies/<int:vacancy_id>/", apis.VacancyDetailApi.as_view(), name="api-vacancy-detail"),
    path(
        "vacancies/<int:vacancy_id>/update/",
        apis.VacancyUpdateApi.as_view(),
        name="api-vacancy-update",
    ),
    path(
        "vacancies/<int:vacancy_id>/matches/",
        apis.VacancyMatchesApi.as_view(),
        name="api-vacancy-matches",
    ),
    path("candidates/", apis.CandidateListApi.as_view(), name="api-candidate-list"),
    path("candidates/create/", apis.CandidateCreateApi.as_view(), name="api-candidate-create"),
    path(
        "candidates/<int:candidate_id>/",
        apis.CandidateDetailApi.as_view(),
        name="api-candidate-detail",
    ),
    path(
        "candidates/<int:candidate_id>/update/",
        apis.CandidateUpdateApi.as_view(),
        name="api-candidate-update",
    ),
    path("applications/", apis.ApplicationListApi.as_view(), name="api-application-list"),
    path(
        "applications/create/", apis.ApplicationCreateApi.as_view(), name="api-application-create"
    ),
    path(
        "applications/<int:application_id>/stage/",
        apis.ApplicationStageMoveApi.as_view(),
        name="api-application-stage-move",
    ),
    path(
        "applications/<int:application_id>/stages/",
        apis.ApplicationStageHistoryApi.as_view(),
        name="api-application-stage-history",
    ),
    path(
        "applications/<int:application_id>/feedback/",
        apis.InterviewFeedbackCreateApi.as_view(),
        name="api-application-feedback",
    ),
    path(
        "onboarding/plans/", apis.OnboardingPlanListApi.as_view(), name="api-onboarding-plan-list"
    ),
    path(
        "onboarding/plans/<int:plan_id>/",
        apis.OnboardingPlanDetailApi.as_view(),
        name="api-onboarding-plan-detail",
    ),
    path(
        "onboarding/tasks/<int:task_id>/done/",
        apis.OnboardingTaskDoneApi.as_view(),
        name="api-onboarding-task-done",
    ),
    path("departure-costs/", apis.DepartureCostListApi.as_view(), name="api-departure-cost-list"),
]

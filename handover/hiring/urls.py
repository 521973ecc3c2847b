"""Hiring pages, included by handover/urls.py under the "handover" namespace."""

from django.urls import path

from handover.hiring import views

urlpatterns = [
    path("vacancies/", views.vacancy_list, name="vacancy_list"),
    path("vacancies/new/", views.vacancy_create, name="vacancy_create"),
    path("vacancies/sources/", views.source_stats, name="source_stats"),
    path("vacancies/pipeline/", views.application_list, name="application_list"),
    path("vacancies/<int:vacancy_id>/", views.vacancy_detail, name="vacancy_detail"),
    path("vacancies/<int:vacancy_id>/edit/", views.vacancy_edit, name="vacancy_edit"),
    path("vacancies/<int:vacancy_id>/status/", views.vacancy_status, name="vacancy_status"),
    path(
        "vacancies/<int:vacancy_id>/applications/",
        views.application_add,
        name="application_add",
    ),
    path(
        "applications/<int:application_id>/",
        views.application_detail,
        name="application_detail",
    ),
    path(
        "applications/<int:application_id>/move/",
        views.application_move,
        name="application_move",
    ),
    path(
        "applications/<int:application_id>/feedback/",
        views.feedback_add,
        name="feedback_add",
    ),
    path("candidates/", views.candidate_list, name="candidate_list"),
    path("candidates/new/", views.candidate_create, name="candidate_create"),
    path("candidates/bench/", views.bench, name="bench"),
    path("candidates/<int:candidate_id>/", views.candidate_detail, name="candidate_detail"),
    path("candidates/<int:candidate_id>/edit/", views.candidate_edit, name="candidate_edit"),
    path("onboarding/", views.onboarding_list, name="onboarding_list"),
    path("onboarding/ramp-up/", views.ramp_cohorts, name="ramp_cohorts"),
    path("onboarding/<int:plan_id>/", views.onboarding_detail, name="onboarding_detail"),
    path(
        "onboarding/tasks/<int:task_id>/toggle/",
        views.onboarding_task_toggle,
        name="onboarding_task_toggle",
    ),
    path("departure-costs/", views.departure_costs, name="departure_costs"),
]

"""Dashboard pages, included from ``retention.urls``: names live in the ``retention`` namespace."""

from django.urls import path

from retention.dashboard import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:alert_id>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("routing/", views.routing, name="routing"),
    path("routing/export/", views.routing_export, name="routing_export"),
    path(
        "reps/<int:rep_id>/interventions/",
        views.intervention_create,
        name="intervention_create",
    ),
    path(
        "interventions/<int:intervention_id>/outcome/",
        views.intervention_outcome,
        name="intervention_outcome",
    ),
]

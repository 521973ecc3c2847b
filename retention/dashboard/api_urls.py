from django.urls import path

from retention.dashboard import apis

urlpatterns = [
    path("dashboard/reps/", apis.DashboardRepsApi.as_view(), name="api-dashboard-reps"),
    path("dashboard/summary/", apis.DashboardSummaryApi.as_view(), name="api-dashboard-summary"),
    path("routing/", apis.RoutingApi.as_view(), name="api-routing"),
    path("alerts/", apis.AlertListApi.as_view(), name="api-alert-list"),
    path(
        "alerts/<int:alert_id>/acknowledge/",
        apis.AlertAcknowledgeApi.as_view(),
        name="api-alert-acknowledge",
    ),
    path("interventions/", apis.InterventionListApi.as_view(), name="api-interventions"),
    path(
        "reps/<int:rep_id>/interventions/",
        apis.InterventionListApi.as_view(),
        name="api-intervention-list",
    ),
    path(
        "reps/<int:rep_id>/interventions/create/",
        apis.InterventionCreateApi.as_view(),
        name="api-intervention-create",
    ),
    path(
        "interventions/<int:intervention_id>/outcome/",
        apis.InterventionOutcomeApi.as_view(),
        name="api-intervention-outcome",
    ),
]

"""The interventions list and the what-worked page, included from ``retention.urls`` (names in
the ``retention`` namespace)."""

from django.urls import path

from retention.interventions import views

urlpatterns = [
    path("interventions/", views.intervention_list, name="intervention_list"),
    path("interventions/what-worked/", views.intervention_effects, name="intervention_effects"),
]

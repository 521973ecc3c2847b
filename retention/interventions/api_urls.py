from django.urls import path

from retention.interventions import apis

urlpatterns = [
    path(
        "reps/<int:rep_id>/interventions/suggestions/",
        apis.InterventionSuggestionsApi.as_view(),
        name="api-intervention-suggestions",
    ),
    path(
        "interventions/what-worked/",
        apis.InterventionEffectsApi.as_view(),
        name="api-intervention-effects",
    ),
    path(
        "interventions/what-worked/units/",
        apis.InterventionEffectUnitsApi.as_view(),
        name="api-intervention-effect-units",
    ),
]

from django.urls import include, path

from retention import apis
from retention.knowledge.urls import api_urlpatterns as knowledge_api_urlpatterns
from retention.risk.urls import api_urlpatterns as risk_api_urlpatterns

urlpatterns = [
    path("reps/", apis.RepListApi.as_view(), name="api-rep-list"),
    path("reps/<int:rep_id>/", apis.RepDetailApi.as_view(), name="api-rep-detail"),
    path("customers/", apis.CustomerListApi.as_view(), name="api-customer-list"),
    path(
        "customers/<int:customer_id>/",
        apis.CustomerDetailApi.as_view(),
        name="api-customer-detail",
    ),
    path("", include(knowledge_api_urlpatterns)),
    path("", include("retention.dashboard.api_urls")),
    path("imports/", include("retention.imports.api_urls")),
    path("risk/", include(risk_api_urlpatterns)),
    path("", include("retention.interventions.api_urls")),
]

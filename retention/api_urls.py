from django.urls import path

from retention import apis

urlpatterns = [
    path("reps/", apis.RepListApi.as_view(), name="api-rep-list"),
    path("reps/<int:rep_id>/", apis.RepDetailApi.as_view(), name="api-rep-detail"),
    path("customers/", apis.CustomerListApi.as_view(), name="api-customer-list"),
    path(
        "customers/<int:customer_id>/",
        apis.CustomerDetailApi.as_view(),
        name="api-customer-detail",
    ),
]

from django.urls import include, path

from retention import views

app_name = "retention"
urlpatterns = [
    path("reps/", views.rep_list, name="rep_list"),
    path("reps/<int:rep_id>/", views.rep_detail, name="rep_detail"),
    path("customers/", views.customer_list, name="customer_list"),
    path("customers/<int:customer_id>/", views.customer_detail, name="customer_detail"),
    path("", include("retention.knowledge.urls")),
    path("", include("retention.dashboard.urls")),
    path("imports/", include("retention.imports.urls")),
    path("", include("retention.risk.urls")),
    path("", include("retention.interventions.urls")),
]

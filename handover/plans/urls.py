from django.urls import path

from handover.plans import row_views, views

# Included by handover/urls.py (app_name "handover").
urlpatterns = [
    path("reps/<int:rep_id>/handover/", views.plan_create, name="plan_create"),
    path("handover/plans/", views.plan_list, name="plan_list"),
    path("handover/plans/<int:plan_id>/", views.plan_detail, name="plan_detail"),
    path(
        "handover/plans/<int:plan_id>/items/<int:item_id>/",
        views.item_edit,
        name="item_edit",
    ),
    path("handover/plans/<int:plan_id>/apply/", views.plan_apply, name="plan_apply"),
    path("handover/plans/<int:plan_id>/reverse/", views.plan_reverse, name="plan_reverse"),
    path(
        "handover/plans/<int:plan_id>/brief/<str:kind>/<int:recipient_id>/",
        views.plan_brief,
        name="plan_brief",
    ),
    path("coverage/", views.coverage_page, name="coverage"),
    path("single-threaded/", views.single_threaded, name="single_threaded"),
    # Row actions of the coverage, single-threaded and customer lists (htmx).
    path(
        "customers/<int:customer_id>/backup/",
        row_views.customer_backup,
        name="customer_backup",
    ),
    path("customers/<int:customer_id>/cover/", row_views.customer_cover, name="customer_cover"),
    path(
        "customers/<int:customer_id>/actions/",
        row_views.customer_actions,
        name="customer_actions",
    ),
]

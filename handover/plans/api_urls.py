from django.urls import path

from handover.plans import apis

# Included by handover/api_urls.py under /api/.
urlpatterns = [
    path("handover/plans/", apis.PlanListApi.as_view(), name="api-handover-plan-list"),
    path("handover/plans/create/", apis.PlanCreateApi.as_view(), name="api-handover-plan-create"),
    path(
        "handover/plans/<int:plan_id>/",
        apis.PlanDetailApi.as_view(),
        name="api-handover-plan-detail",
    ),
    path(
        "handover/plans/<int:plan_id>/items/<int:item_id>/update/",
        apis.PlanItemUpdateApi.as_view(),
        name="api-handover-item-update",
    ),
    path(
        "handover/plans/<int:plan_id>/apply/",
        apis.PlanApplyApi.as_view(),
        name="api-handover-plan-apply",
    ),
    path(
        "handover/plans/<int:plan_id>/reverse/",
        apis.PlanReverseApi.as_view(),
        name="api-handover-plan-reverse",
    ),
    path("handover/coverage/", apis.CoverageApi.as_view(), name="api-handover-coverage"),
    path(
        "handover/single-threaded/",
        apis.SingleThreadedApi.as_view(),
        name="api-handover-single-threaded",
    ),
    path(
        "handover/assignments/",
        apis.AssignmentListApi.as_view(),
        name="api-handover-assignment-list",
    ),
    path(
        "handover/assignments/backup/",
        apis.AssignmentBackupAddApi.as_view(),
        name="api-handover-assignment-backup",
    ),
    path(
        "handover/assignments/cover/",
        apis.AssignmentCoverApi.as_view(),
        name="api-handover-assignment-cover",
    ),
    path(
        "handover/customers/<int:customer_id>/recipients/",
        apis.CustomerRecipientsApi.as_view(),
        name="api-handover-customer-recipients",
    ),
]

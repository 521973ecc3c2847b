from django.urls import path

from retention.imports import apis

urlpatterns = [
    path("", apis.ImportJobListApi.as_view(), name="api-import-list"),
    path("upload/", apis.ImportJobCreateApi.as_view(), name="api-import-create"),
    path("<int:job_id>/", apis.ImportJobDetailApi.as_view(), name="api-import-detail"),
    path("<int:job_id>/apply/", apis.ImportJobApplyApi.as_view(), name="api-import-apply"),
    path("<int:job_id>/people/", apis.ImportJobPeopleApi.as_view(), name="api-import-people"),
    path("<int:job_id>/report.csv", apis.ImportJobReportApi.as_view(), name="api-import-report"),
]

from django.urls import path, re_path

from retention.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.import_page, name="page"),
    path("<int:job_id>/", views.import_job, name="job"),
    path("<int:job_id>/status/", views.import_job_status, name="job_status"),
    path("<int:job_id>/apply/", views.import_job_apply, name="job_apply"),
    path("<int:job_id>/retry/", views.import_job_retry, name="job_retry"),
    path("<int:job_id>/remap/", views.import_job_remap, name="job_remap"),
    path("<int:job_id>/people/", views.import_job_people, name="job_people"),
    path("<int:job_id>/report.csv", views.import_job_report, name="job_report"),
    re_path(
        r"^templates/(?P<key>[a-z]+)\.(?P<fmt>csv|xlsx)$", views.import_template, name="template"
    ),
]

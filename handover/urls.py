app_name = "handover"
urlpatterns: list = []

# Hiring: vacancies, candidates, onboarding and the cost of departures (handover/hiring/urls.py).
from handover.hiring.urls import urlpatterns as hiring_urlpatterns  # noqa: E402

urlpatterns += hiring_urlpatterns

# Handover plans, coverage and multi-threading (handover/plans/urls.py).
from handover.plans.urls import urlpatterns as plans_urlpatterns  # noqa: E402

urlpatterns += plans_urlpatterns

urlpatterns: list = []

# Handover plans, coverage, multi-threading and assignments (handover/plans/api_urls.py).
from handover.plans.api_urls import urlpatterns as plans_api_urlpatterns  # noqa: E402

urlpatterns += plans_api_urlpatterns

# Hiring: vacancies, candidates, stages, onboarding, departure costs (handover/hiring/api_urls.py).
from handover.hiring.api_urls import urlpatterns as hiring_api_urlpatterns  # noqa: E402

urlpatterns += hiring_api_urlpatterns

from django.urls import path

from retention.knowledge import apis, views

# Included by retention/urls.py (app_name "retention") and retention/api_urls.py.
urlpatterns = [
    path(
        "customers/<int:customer_id>/knowledge/",
        views.knowledge_edit,
        name="customer_knowledge_edit",
    ),
    path(
        "customers/<int:customer_id>/knowledge/history/",
        views.knowledge_history,
        name="customer_knowledge_history",
    ),
]

api_urlpatterns = [
    path(
        "customers/<int:customer_id>/knowledge/",
        apis.KnowledgeDetailApi.as_view(),
        name="api-customer-knowledge",
    ),
    path(
        "customers/<int:customer_id>/knowledge/update/",
        apis.KnowledgeUpdateApi.as_view(),
        name="api-customer-knowledge-update",
    ),
    path(
        "customers/<int:customer_id>/knowledge/history/",
        apis.KnowledgeHistoryApi.as_view(),
        name="api-customer-knowledge-history",
    ),
]

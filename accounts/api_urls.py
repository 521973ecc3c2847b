from django.urls import path

from accounts import apis, token_apis

urlpatterns = [
    path("me/", apis.MeApi.as_view(), name="api-me"),
    path("me/preferences/", apis.PreferencesApi.as_view(), name="api-preferences"),
    path("tokens/", token_apis.TokenListApi.as_view(), name="api-token-list"),
    path("tokens/create/", token_apis.TokenCreateApi.as_view(), name="api-token-create"),
    path(
        "tokens/<int:token_id>/revoke/",
        token_apis.TokenRevokeApi.as_view(),
        name="api-token-revoke",
    ),
]

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import preference_views, token_views, views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("account/preferences/", preference_views.preferences, name="preferences"),
    path("account/language/", preference_views.language_switch, name="language_switch"),
    path("account/tokens/", token_views.token_list, name="token_list"),
    path("account/tokens/<int:token_id>/revoke/", token_views.token_revoke, name="token_revoke"),
]

"""FranceConnect URLs, mounted by allauth under /accounts/ (404 while FranceConnect is not configured)."""

from django.urls import path

from citypocket.accounts.franceconnect import views

urlpatterns = [
    path("franceconnect/login/", views.login, name="franceconnect_login"),
    path("franceconnect/login/callback/", views.callback, name="franceconnect_callback"),
    path("franceconnect/logout/callback/", views.logout_callback, name="franceconnect_logout_callback"),
]

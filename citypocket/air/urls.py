"""Air pages, mounted under /<city>/ with the namespace "air"."""

from django.urls import path

from citypocket.air import views

urlpatterns = [
    path("air/", views.page, name="page"),
    path("air/alerts/email/", views.email_alerts, name="email_alerts"),
]

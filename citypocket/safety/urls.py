"""Safety pages under /<city>/: overview, help now (`safety:help`, linked from every page), report,
follow-up, awareness articles and the video-protection register."""

from django.urls import path

from citypocket.safety import views

urlpatterns = [
    path("safety/", views.page, name="page"),
    path("safety/help/", views.help_now, name="help"),
    path("safety/report/", views.report, name="report"),
    path("safety/follow/", views.follow, name="follow"),
    path("safety/learn/<slug:slug>/", views.article, name="article"),
    path("safety/video-protection/", views.filmed_zones, name="filmed_zones"),
]

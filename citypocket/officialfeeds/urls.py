"""Official-feeds pages, mounted under /<city>/ with the namespace "officialfeeds"."""

from django.urls import path

from citypocket.officialfeeds import views

urlpatterns = [
    path("water/", views.water, name="water"),
]

"""Open-data pages under /<city>/: the city's datasets, and one dataset with its schema.org description."""

from django.urls import path

from citypocket.opendata import views

urlpatterns = [
    path("data/", views.portal, name="portal"),
    path("data/<slug:dataset>/", views.dataset_page, name="dataset"),
]

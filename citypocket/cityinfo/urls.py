from django.urls import path

from citypocket.cityinfo import views
from citypocket.cityinfo.articles import CityNewsFeed

urlpatterns = [
    path("places/", views.places, name="places"),
    path("places/<slug:slug>/", views.place, name="place"),
    path("agenda/", views.agenda, name="agenda"),
    path("agenda/feed.ics", views.agenda_ics, name="agenda_ics"),
    path("agenda/categories/<slug:category>.ics", views.agenda_ics, name="category_ics"),
    path("agenda/<slug:slug>/", views.event, name="event"),
    path("agenda/<slug:slug>.ics", views.event_ics, name="event_ics"),
    path("news/", views.news, name="news"),
    path("news/feed/", CityNewsFeed(), name="news_feed"),
    path("news/<slug:slug>/", views.article, name="article"),
    path("images/<uuid:key>/<int:width>.<str:extension>", views.image, name="image"),
    path("search/", views.search, name="search"),
]

# Waste collection and the sorting guide (cityinfo/waste_views.py).
from citypocket.cityinfo.waste_views import urlpatterns as waste_urlpatterns  # noqa: E402

urlpatterns += waste_urlpatterns

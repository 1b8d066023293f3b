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
    path("search/", views.search, name="search"),
]

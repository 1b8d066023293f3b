from django.urls import path

from citypocket.cityinfo import views

urlpatterns = [
    path("places/", views.places, name="places"),
    path("places/<slug:slug>/", views.place, name="place"),
    path("agenda/", views.agenda, name="agenda"),
    path("agenda/feed.ics", views.agenda_ics, name="agenda_ics"),
    path("agenda/categories/<slug:category>.ics", views.agenda_ics, name="category_ics"),
    path("agenda/<slug:slug>/", views.event, name="event"),
    path("agenda/<slug:slug>.ics", views.event_ics, name="event_ics"),
]

from django.urls import path

from citypocket.mobility import views

urlpatterns = [path("parking/", views.page, name="page")]

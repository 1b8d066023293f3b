"""Pages under /<city>/notifications/ and /<city>/alerts/ (the staff desk at /<city>/alerts/manage/)."""

from django.urls import path

from citypocket.notifications import views, waste_views

urlpatterns = [
    path("alerts/", views.alerts_page, name="alerts"),
    path("alerts/manage/", views.manage, name="manage"),
    path("alerts/manage/<uuid:identifier>/", views.manage_alert, name="manage_alert"),
    path("alerts/<uuid:identifier>/", views.alert_detail, name="alert"),
    path("notifications/", views.centre, name="centre"),
    path("notifications/device/<uuid:token>/", views.device, name="device"),
    path("notifications/device/<uuid:token>/stop/", views.stop_device, name="stop_device"),
    path("notifications/unsubscribe/<str:signed>/", views.unsubscribe, name="unsubscribe"),
    path("notifications/waste-reminder/", waste_views.waste_reminder, name="waste_reminder"),
]

from django.contrib import admin

from citypocket.cities.admin import CityScopedAdmin
from citypocket.cities.models import Role
from citypocket.mobility.models import CarPark


@admin.register(CarPark)
class CarParkAdmin(CityScopedAdmin):
    """Car parks of the staff's cities; the sensor (a raw id) must be one of the same city's sensors."""

    staff_roles = (Role.EDITOR, Role.DATA_PUBLISHER)
    list_display = ("name", "city", "capacity", "park_and_ride", "approximate_location", "is_active")
    list_filter = ("city", "park_and_ride", "structure_type", "approximate_location", "is_active")
    search_fields = ("name", "slug", "operator")
    raw_id_fields = ("sensor",)

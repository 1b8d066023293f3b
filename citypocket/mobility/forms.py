"""The destination form of the parking page (works without JavaScript: a plain GET form)."""

from datetime import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from citypocket.mobility import places


class SearchForm(forms.Form):
    place = forms.ChoiceField(label=_("Destination"), required=False)
    # The app's one address search (cityinfo.addresses): addok when configured, else the embedded one.
    address = forms.CharField(label=_("Or an address"), required=False, max_length=200)
    lat = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    lon = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    arrive_at = forms.CharField(
        label=_("Arrival (local time)"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    max_walk_m = forms.IntegerField(
        label=_("Longest walk (metres)"), required=False, min_value=50, max_value=5000, initial=1000
    )
    height_cm = forms.IntegerField(label=_("Vehicle height (cm)"), required=False, min_value=100, max_value=500)
    disabled = forms.BooleanField(label=_("Disabled-badge place"), required=False)
    ev = forms.BooleanField(label=_("EV charging"), required=False)

    def __init__(self, *args, city_slug: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.city_slug = city_slug
        self.fields["place"].choices = [("", _("Point on the map or my location"))] + [
            (key, name) for key, name, _lat, _lon in places.landmarks(city_slug)
        ]

    def _address(self, text: str):
        """The best match of the city's address search, or None with the field's error."""
        # The address search belongs to city information: read only when a destination is typed as an
        # address, so that mobility does not load city information's models to build its forms.
        from citypocket.cities.models import City
        from citypocket.cityinfo.addresses import AddressSearchUnavailable, search_addresses

        city = City.objects.filter(slug=self.city_slug).first()
        try:
            hits = search_addresses(text, city=city, limit=1) if city else []
        except AddressSearchUnavailable:
            self.add_error("address", _("The address search is not available right now; choose a destination."))
            return None
        if not hits:
            self.add_error("address", _("No address of the city matches; check the spelling."))
            return None
        return hits[0]

    def clean_arrive_at(self):
        """A naive local date-time (the city's time zone is applied by the search), or None."""
        text = (self.cleaned_data.get("arrive_at") or "").strip()
        if not text:
            return None
        for pattern in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"):
            try:
                return datetime.strptime(text, pattern)
            except ValueError:
                continue
        raise forms.ValidationError(_("Enter a date and time such as 2026-11-25 14:30."))

    def clean(self):
        data = super().clean()
        place = places.find(self.city_slug, data.get("place") or "")
        address = (data.get("address") or "").strip()
        if place:
            data["lat"], data["lon"] = place[2], place[3]
        elif address:
            found = self._address(address)
            if found is None:
                return data
            data["lat"], data["lon"] = found.lat, found.lon
        elif data.get("lat") is None or data.get("lon") is None:
            raise forms.ValidationError(_("Choose a destination from the list, or give its position."))
        return data

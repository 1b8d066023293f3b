"""The destination form of the parking page (works without JavaScript: a plain GET form).

A person types where they are going in one field, an address or a place of the city; the position
(latitude, longitude) is never asked for: it is filled in by "use my position" or a tap on the map,
in hidden fields.
"""

from datetime import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from citypocket.mobility import places


class SearchForm(forms.Form):
    # The landmark keys of older links (`?place=rotonde`) still work; the page offers their names as suggestions.
    place = forms.CharField(required=False, widget=forms.HiddenInput)
    # The app's one address search (cityinfo.addresses): addok when configured, else the embedded one.
    q = forms.CharField(
        label=_("Where are you going?"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"list": "destinations", "autocomplete": "off", "aria-describedby": "q-hint",
                                      "enterkeyhint": "search"}),
    )
    address = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)  # older links
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
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
        self.destination_label = ""
        self.other_matches: list[tuple[str, float, float]] = []

    def _address(self, text: str):
        """The best matches of the city's address search, or None with the field's error."""
        # The address search belongs to city information: read only when a destination is typed as an
        # address, so that mobility does not load city information's models to build its forms.
        from citypocket.cities.models import City
        from citypocket.cityinfo.addresses import AddressSearchUnavailable, search_addresses

        city = City.objects.filter(slug=self.city_slug).first()
        try:
            hits = search_addresses(text, city=city, limit=6) if city else []
        except AddressSearchUnavailable:
            self.add_error("q", _("The address search is not available right now; choose a place of the list."))
            return None
        if not hits:
            self.add_error("q", _("No address or place of the city matches; check the spelling or choose a "
                                  "suggestion."))
            return None
        return hits

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
        text = (data.get("q") or data.get("address") or "").strip()
        landmark = places.find(self.city_slug, data.get("place") or "") or (
            places.match(self.city_slug, text) if text else None
        )
        if landmark:
            data["lat"], data["lon"] = landmark[2], landmark[3]
            self.destination_label = landmark[1]
        elif text:
            hits = self._address(text)
            if not hits:
                return data
            data["lat"], data["lon"] = hits[0].lat, hits[0].lon
            self.destination_label = hits[0].label
            self.other_matches = [(hit.label, hit.lat, hit.lon) for hit in hits[1:]]
        elif data.get("lat") is not None and data.get("lon") is not None:
            self.destination_label = str(_("your position"))
        else:
            raise forms.ValidationError(_("Type an address or a place, or use your position."))
        return data

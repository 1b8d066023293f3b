"""The filters of the places page: a plain GET form that works without JavaScript."""

from django import forms
from django.utils.translation import gettext_lazy as _

from citypocket.cityinfo.models import PlaceKind


class PlaceFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of place"), required=False,
                             choices=[("", _("All kinds")), *PlaceKind.choices])
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    accessible = forms.BooleanField(label=_("Wheelchair accessible"), required=False)
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90,
                           widget=forms.NumberInput(attrs={"step": "any"}))
    lon = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180,
                           widget=forms.NumberInput(attrs={"step": "any"}))

    def clean(self):
        data = super().clean()
        if (data.get("lat") is None) != (data.get("lon") is None):
            raise forms.ValidationError(_("Give both the latitude and the longitude, or neither."))
        return data

    @property
    def near(self) -> tuple[float, float] | None:
        data = self.cleaned_data
        return (data["lat"], data["lon"]) if data.get("lat") is not None else None


class AgendaFilterForm(forms.Form):
    when = forms.ChoiceField(label=_("When"), required=False, initial="upcoming", choices=[
        ("upcoming", _("Next 30 days")), ("today", _("Today")), ("weekend", _("This weekend"))])
    category = forms.ChoiceField(label=_("Category"), required=False)
    free = forms.BooleanField(label=_("Free"), required=False)
    accessible = forms.BooleanField(label=_("Wheelchair accessible"), required=False)
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90,
                           widget=forms.NumberInput(attrs={"step": "any"}))
    lon = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180,
                           widget=forms.NumberInput(attrs={"step": "any"}))

    def __init__(self, *args, categories, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories"))] + [
            (category.slug, category.name(language)) for category in categories]

    def clean(self):
        data = super().clean()
        if (data.get("lat") is None) != (data.get("lon") is None):
            raise forms.ValidationError(_("Give both the latitude and the longitude, or neither."))
        data["when"] = data.get("when") or "upcoming"
        return data

    @property
    def near(self) -> tuple[float, float] | None:
        data = self.cleaned_data
        return (data["lat"], data["lon"]) if data.get("lat") is not None else None

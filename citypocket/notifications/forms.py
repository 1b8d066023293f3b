"""The notification centre's form: what a person (or a device) wants to receive, and how."""


from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from citypocket.cityinfo.selectors import list_categories
from citypocket.cityinfo.waste_models import WasteZone
from citypocket.notifications.cityalerts import parse_polygon
from citypocket.notifications.models import AlertKind, Digest, Severity, Theme
from citypocket.officialfeeds.selectors import list_communes

# The themes the centre offers: every theme a capability sends.
OFFERED_THEMES = list(Theme.choices)


def commune_choices(city) -> list[tuple[str, str]]:
    """The city's communes by name and INSEE code ("Rouen (76540)"); by code when no name is known."""
    return [(commune.code, f"{commune.name} ({commune.code})" if commune.name != commune.code
             else _("Commune %(code)s") % {"code": commune.code}) for commune in list_communes(city=city)]


class PreferencesForm(forms.Form):
    themes = forms.MultipleChoiceField(label=_("What to hear about"), choices=OFFERED_THEMES,
                                       widget=forms.CheckboxSelectMultiple, required=False)
    communes = forms.MultipleChoiceField(
        label=_("Where"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick none to hear about the whole city. Alerts for the whole city always reach you."))
    event_categories = forms.MultipleChoiceField(
        label=_("Which events"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("With the Events theme: tick none to hear about every new event of the agenda."))
    waste_zones = forms.MultipleChoiceField(
        label=_("Waste reminders for"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("The collection areas saved from the waste page (never your address). Untick one to stop "
                    "its reminders."))
    language = forms.ChoiceField(label=_("Language of the messages"),
                                 choices=[("fr", "Français"), ("en", "English")])
    quiet_start = forms.TimeField(label=_("Quiet hours from"), required=False,
                                  widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    quiet_end = forms.TimeField(label=_("until"), required=False,
                                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    digest = forms.ChoiceField(label=_("E-mails"), choices=Digest.choices, widget=forms.RadioSelect,
                               required=False)

    def __init__(self, *args, city, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communes"].choices = commune_choices(city)
        language = "en" if (get_language() or "fr").startswith("en") else "fr"
        self.fields["event_categories"].choices = [(category.slug, category.name(language))
                                                   for category in list_categories(city=city)]
        # Only the zones already saved (from the waste page), by their names.
        saved = (kwargs.get("initial") or {}).get("waste_zones") or []
        self.fields["waste_zones"].choices = [
            (zone.slug, zone.name(language))
            for zone in WasteZone.objects.filter(city=city, slug__in=saved).order_by("name_fr")] if saved else []

    def clean(self):
        data = super().clean()
        if (data.get("quiet_start") is None) != (data.get("quiet_end") is None):
            raise forms.ValidationError(_("Give both ends of the quiet hours, or neither."))
        data["digest"] = data.get("digest") or Digest.NONE
        return data


class AlertForm(forms.Form):
    """A city alert as its staff write it (the staff desk, `/<city>/alerts/manage/`). The rules (roles,
    the second confirmation, the checks of the area and validity) are `cityalerts`'; this form only
    collects and parses the fields. Times are read in the city's time zone (the view activates it)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=AlertKind.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.MODERATE)
    headline_fr = forms.CharField(label=_("Headline in French"), max_length=160)
    headline_en = forms.CharField(label=_("Headline in English"), max_length=160)
    description_fr = forms.CharField(label=_("What is happening, in French"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    description_en = forms.CharField(label=_("What is happening, in English"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    instruction_fr = forms.CharField(label=_("What to do, in French"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}),
                                     help_text=_("For example: stay indoors, close the windows."))
    instruction_en = forms.CharField(label=_("What to do, in English"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    communes = forms.MultipleChoiceField(
        label=_("Communes concerned"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick none for the whole city."))
    area_name = forms.CharField(label=_("Name of the area, as people say it"), max_length=200, required=False,
                                help_text=_("For example: the left bank, around the port."))
    polygon = forms.CharField(
        label=_("Drawn area (GeoJSON Polygon, WGS 84)"), required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocapitalize": "off"}),
        help_text=_('Draw it on the map, or type or paste the geometry: {"type": "Polygon", "coordinates": '
                    '[[[lon, lat], …, the first point again]]}. Empty: no drawn area.'))
    onset = forms.DateTimeField(label=_("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                              format="%Y-%m-%dT%H:%M"))
    expires = forms.DateTimeField(label=_("Ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                              format="%Y-%m-%dT%H:%M"))

    def __init__(self, *args, communes: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communes"].choices = communes
        if len(communes) <= 1:  # a city of one commune: the whole city or a drawn area
            del self.fields["communes"]

    def clean_polygon(self):
        try:
            return parse_polygon(self.cleaned_data["polygon"])
        except ValueError as error:
            raise forms.ValidationError(
                _("This is not a GeoJSON Polygon with closed rings: draw it again or clear it.")) from error

    def clean(self):
        data = super().clean()
        if data.get("onset") and data.get("expires") and data["expires"] <= data["onset"]:
            self.add_error("expires", _("An alert must end after it starts."))
        data.setdefault("communes", [])
        return data


class AlertUpdateForm(AlertForm):
    """A change to a published alert: every field again, and what changed in both languages."""

    change_note_fr = forms.CharField(label=_("What changed, in French"), max_length=300,
                                     help_text=_("Subscribers receive this note."))
    change_note_en = forms.CharField(label=_("What changed, in English"), max_length=300)

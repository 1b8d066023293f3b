"""The no-JavaScript report and follow-up forms of the citizen pages."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citypocket.safety.models import Category, ReporterRole


class ReportForm(forms.Form):
    category = forms.ChoiceField(label=_("What happened?"), choices=Category.choices, widget=forms.RadioSelect)
    role = forms.ChoiceField(label=_("You were"), choices=ReporterRole.choices, initial=ReporterRole.VICTIM,
                             widget=forms.RadioSelect)
    occurred_on = forms.DateField(label=_("Day (approximately)"), widget=forms.DateInput(attrs={"type": "date"}))
    occurred_time = forms.TimeField(label=_("Time (approximately)"), required=False,
                                    widget=forms.TimeInput(attrs={"type": "time"}))
    place_name = forms.CharField(label=_("Street or place"), max_length=300, required=False,
                                 help_text=_("A street, a square or a landmark, near the bus stop for example."))
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(label=_("What happened, in your words (optional)"), max_length=4000,
                                  required=False, widget=forms.Textarea(attrs={"rows": 5}))
    contact = forms.CharField(label=_("A way to reply to you (optional)"), max_length=300, required=False,
                              help_text=_("E-mail or phone. Erased two months after the case is closed."))

    # An example street of the city itself (a Rouen street on Aix's form would puzzle the person).
    EXAMPLES = {"rouen": "rue du Gros-Horloge", "aix-en-provence": "cours Mirabeau"}

    def __init__(self, *args, city_slug: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        street = self.EXAMPLES.get(city_slug)
        self.fields["place_name"].help_text = (
            _("For example: %(street)s, near the bus stop.") % {"street": street} if street
            else _("A street, a square or a landmark, near the bus stop for example.")
        )

    def occurred_at(self, zone) -> dt.datetime:
        day = self.cleaned_data["occurred_on"]
        time = self.cleaned_data.get("occurred_time") or dt.time(12, 0)
        return timezone.make_aware(dt.datetime.combine(day, time), zone)


class FollowForm(forms.Form):
    receipt_code = forms.CharField(label=_("Receipt code"), max_length=40,
                                   widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    text = forms.CharField(label=_("Add information (optional)"), max_length=4000, required=False,
                           widget=forms.Textarea(attrs={"rows": 4}))

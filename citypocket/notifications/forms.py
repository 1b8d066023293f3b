"""The notification centre's form: what a person (or a device) wants to receive, and how."""

from django import forms
from django.utils.translation import gettext_lazy as _

from citypocket.notifications.models import Digest, Theme


class PreferencesForm(forms.Form):
    themes = forms.MultipleChoiceField(label=_("What to hear about"), choices=Theme.choices,
                                       widget=forms.CheckboxSelectMultiple, required=False)
    communes = forms.MultipleChoiceField(
        label=_("Where"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick none to hear about the whole city. Alerts for the whole city always reach you."))
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
        self.fields["communes"].choices = [(code, code) for code in city.insee_codes or []]

    def clean(self):
        data = super().clean()
        if (data.get("quiet_start") is None) != (data.get("quiet_end") is None):
            raise forms.ValidationError(_("Give both ends of the quiet hours, or neither."))
        data["digest"] = data.get("digest") or Digest.NONE
        return data

"""Account self-service pages: my data (summary, readable page, JSON download) and delete my account."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from citypocket.accounts.services import delete_account, export_personal_data
from citypocket.core.privacy import Content


class DeleteAccountForm(forms.Form):
    # Not required: without an answer, what the person wrote is deleted (the choice checked on the page).
    content = forms.ChoiceField(
        label=gettext_lazy("What you wrote (proposals, comments, survey answers)"), choices=Content.choices,
        initial=Content.REMOVE, widget=forms.RadioSelect, required=False,
    )
    password = forms.CharField(label=gettext_lazy("Your password, to confirm"), widget=forms.PasswordInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.has_usable_password():  # signed up with FranceConnect: no password yet
            raise forms.ValidationError(
                format_html(_('Your account has no password yet: <a href="{}">choose one</a>, then confirm with it.'),
                            reverse("account_set_password")))
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This password is not correct."))
        return password


def _display(value) -> str:
    """A stored value as a person reads it."""
    if value is None or value == "":
        return "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _present(export: dict) -> list[dict]:
    """The export as the page shows it: per app, the models with rows (label, value) and the others."""
    sections = []
    for section in export["sections"].values():
        kept, empty = [], []
        for entry in section["models"].values():
            if not entry["rows"]:
                empty.append(entry)
                continue
            rows = [[(entry["fields"].get(name, name), _display(value)) for name, value in row.items()
                     if name != "id"] for row in entry["rows"]]
            kept.append({**entry, "rows": rows, "count": len(rows)})
        sections.append({"title": section["title"], "kept": kept, "empty": empty})
    return sections


@login_required
@require_http_methods(["GET", "POST"])
def my_data(request):
    """What we keep about you (a summary), the full page and the download, and deleting your account."""
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        delete_account(user=user, content=form.cleaned_data["content"] or Content.REMOVE)
        messages.success(request, _("Your account and your data have been deleted."))
        return redirect("choose_city")
    sections = _present(export_personal_data(user=request.user))
    return render(request, "accounts/my_data.html", {"form": form, "sections": sections},
                  status=400 if form.errors else 200)


@login_required
def my_data_page(request):
    """Everything we keep about you, readable: every row, and why, for how long, who sees it."""
    export = export_personal_data(user=request.user)
    return render(request, "accounts/my_data_page.html",
                  {"sections": _present(export), "generated_at": export["generated_at"]})


@login_required
def my_data_export(request):
    """The same, machine-readable (GDPR art. 20): one JSON document."""
    body = json.dumps(export_personal_data(user=request.user), ensure_ascii=False, indent=2, cls=DjangoJSONEncoder)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="citypocket-my-data.json"'
    response["Cache-Control"] = "no-store, private"
    return response

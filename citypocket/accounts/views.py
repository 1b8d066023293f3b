"""Account self-service pages: my data (download) and delete my account."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from citypocket.accounts.services import delete_account, export_personal_data
from citypocket.core.privacy import list_personal_data


class DeleteAccountForm(forms.Form):
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


@login_required
@require_http_methods(["GET", "POST"])
def my_data(request):
    """What we keep about you, a download of it, and the button to delete your account."""
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        delete_account(user=user)
        messages.success(request, _("Your account and your data have been deleted."))
        return redirect("choose_city")
    return render(
        request,
        "accounts/my_data.html",
        {"form": form, "sections": [entry.name for entry in list_personal_data()]},
        status=400 if form.errors else 200,
    )


@login_required
def my_data_export(request):
    body = json.dumps(export_personal_data(user=request.user), ensure_ascii=False, indent=2, default=str)
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="citypocket-my-data.json"'
    response["Cache-Control"] = "no-store, private"
    return response

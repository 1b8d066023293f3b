"""URL map: admin, accounts, API, app shell, then each capability under /<city>/<capability>/."""

from importlib import import_module

from django.apps import apps
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from citypocket.accounts import views as account_views
from citypocket.accounts.franceconnect import views as franceconnect_views
from citypocket.core import views
from citypocket.core.api import api

handler404 = "citypocket.core.views.not_found"
handler500 = "citypocket.core.views.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/my-data/", account_views.my_data, name="account_my_data"),
    path("accounts/my-data/all/", account_views.my_data_page, name="account_my_data_page"),
    path("accounts/my-data/export.json", account_views.my_data_export, name="account_my_data_export"),
    path("accounts/logout/", franceconnect_views.logout, name="account_logout"),  # then at FranceConnect
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", api.urls),
    path("api/", views.api_guide, name="api_guide"),
    path("healthz", views.healthz, name="healthz"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("offline/", views.offline, name="offline"),
    path("", views.choose_city, name="choose_city"),
]


def _capability_urls() -> list:
    """Each CityPocket app with a `urls` module is mounted under /<city>/ (its patterns add the rest)."""
    patterns = []
    for config in apps.get_app_configs():
        if not config.name.startswith("citypocket.") or config.label == "core":
            continue
        try:
            module = import_module(f"{config.name}.urls")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.urls":
                raise
            continue
        patterns.append(path("<slug:city>/", include((module.urlpatterns, config.label))))
    return patterns


# The city home before the apps' patterns: it is the most asked page, and no app answers `/<city>/`
# itself (core/tests/test_kept_fragments.py checks it), so the order changes no answer.
urlpatterns += [
    path("<slug:city>/", views.city_home, name="city_home"),
    path("<slug:city>/manifest.webmanifest", views.manifest, name="city_manifest"),
]
urlpatterns += _capability_urls()

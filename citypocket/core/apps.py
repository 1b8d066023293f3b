from django.apps import AppConfig, apps
from django.core import checks
from django.core.management import call_command
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def create_cache_table(*, app_config, using: str, **kwargs) -> None:
    """After every `migrate` (so `citypocket run` and the test databases too): the database cache's
    table, which holds the limits and one-time codes every process shares (see settings.CACHES).

    Django's own command, idempotent, and a no-op when the cache is Redis. It runs once, with the
    last app that has models."""
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if app_config is with_models[-1]:
        call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "citypocket.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        # Here, not at the top: apps.py is imported while the app registry loads, and the registry
        # of personal data reads models, which cannot be imported before it is ready.
        from citypocket.core.privacy import registry

        post_migrate.connect(create_cache_table, dispatch_uid="citypocket.core.create_cache_table")
        # Every app's privacy.py, once all models are loaded: each declares its models' personal data.
        registry.discover()
        checks.register(registry.check_personal_data)

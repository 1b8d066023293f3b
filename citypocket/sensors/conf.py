"""The sensor engine's settings, for the modules that read them by name (sensors.mqtt).

Every variable is read, typed and validated in citypocket/settings.py and documented in
docs/configuration.md; this only looks the value up in Django's settings.
"""

from django.conf import settings


def get(name: str):
    return getattr(settings, name)


def mqtt_client_id() -> str:
    return settings.MQTT_CLIENT_ID

import pytest
from py_vapid import Vapid02

from citypocket.notifications.pushserver import LocalPushService


@pytest.fixture
def vapid(settings):
    key = Vapid02()
    key.generate_keys()
    settings.WEBPUSH_VAPID_PRIVATE_KEY = key.private_pem().decode()
    settings.WEBPUSH_VAPID_SUBJECT = "mailto:alerts@citypocket.example"
    settings.AIR_PUSH_ALLOW_LOCAL = True
    return key


@pytest.fixture
def push_service():
    service = LocalPushService()
    yield service
    service.close()

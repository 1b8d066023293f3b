import pytest

from citypocket.notifications.pushserver import LocalPushService


@pytest.fixture
def push_service():
    service = LocalPushService()
    yield service
    service.close()

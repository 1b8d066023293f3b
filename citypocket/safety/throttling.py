"""Rate limits on anonymous report writes, keyed on core's salted daily hash of the client address.

The hash lives only in the cache for the length of the window (never in the database); the salt
includes the day, so yesterday's keys cannot be linked to today's. Rates come from
SAFETY_REPORT_RATE (default "5/h") and SAFETY_FOLLOW_RATE (default "30/h").
"""

import os

from django.conf import settings
from ninja.throttling import SimpleRateThrottle

from citypocket.core.throttling import client_fingerprint

DEFAULTS = {"SAFETY_REPORT_RATE": "5/h", "SAFETY_FOLLOW_RATE": "30/h"}


def configured_rate(name: str) -> str:
    return getattr(settings, name, "") or os.environ.get(name, "") or DEFAULTS[name]


class SafetyRateThrottle(SimpleRateThrottle):
    def __init__(self, setting: str, scope: str):
        self.setting = setting
        self.scope = scope
        super().__init__(rate=configured_rate(setting))

    def get_cache_key(self, request) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_fingerprint(request, purpose=self.scope)}

    def allow_request(self, request) -> bool:
        self.rate = configured_rate(self.setting)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)


def report_throttle() -> list[SafetyRateThrottle]:
    return [SafetyRateThrottle("SAFETY_REPORT_RATE", "safety-report")]


def follow_throttle() -> list[SafetyRateThrottle]:
    return [SafetyRateThrottle("SAFETY_FOLLOW_RATE", "safety-follow")]

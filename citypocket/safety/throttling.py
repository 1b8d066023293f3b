"""Rate limits on anonymous report writes, keyed on core's salted daily hash of the client address.

The hash lives only in the cache for the length of the window (never in the database); the salt
includes the day, so yesterday's keys cannot be linked to today's. Rates come from
SAFETY_REPORT_RATE (default "5/h") and SAFETY_FOLLOW_RATE (default "30/h").
"""

from citypocket.core.throttling import ClientRateThrottle


def report_throttle() -> list[ClientRateThrottle]:
    return [ClientRateThrottle("SAFETY_REPORT_RATE", "safety-report", default="5/h")]


def follow_throttle() -> list[ClientRateThrottle]:
    return [ClientRateThrottle("SAFETY_FOLLOW_RATE", "safety-follow", default="30/h")]

"""Personal data of the air app (docs/privacy.md): none of its own.

Air-alert subscriptions and what was sent to them live in the notification centre
(`citypocket.notifications`, theme "air"), which declares them.
"""

PERSONAL_DATA = []

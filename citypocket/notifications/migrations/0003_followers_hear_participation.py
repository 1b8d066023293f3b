"""Participation followers keep hearing of what they follow now that its e-mails go through the
notification centre: each person following an item in a city gets the "participation" theme on
their e-mail subscription there (made, in the language of their latest follow, if they had none)."""

import uuid

from django.db import migrations


def add_participation_theme(apps, schema_editor):
    Follow = apps.get_model("participation", "Follow")
    Subscription = apps.get_model("notifications", "Subscription")
    latest = {}
    for city_id, user_id, language in Follow.objects.order_by("created_at", "pk").values_list(
            "city_id", "user_id", "language"):
        latest[(city_id, user_id)] = language
    for (city_id, user_id), language in latest.items():
        subscription = Subscription.objects.filter(city_id=city_id, user_id=user_id, channel="email").first()
        if subscription is None:
            Subscription.objects.create(city_id=city_id, user_id=user_id, channel="email", token=uuid.uuid4(),
                                        themes=["participation"], language=language if language in ("fr", "en")
                                        else "fr")
        elif "participation" not in subscription.themes:
            subscription.themes = [*subscription.themes, "participation"]
            subscription.is_active = True
            subscription.save(update_fields=["themes", "is_active"])


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_move_air_subscriptions"),
        ("participation", "0006_ballot_voter_kept_anonymous"),
    ]

    operations = [migrations.RunPython(add_participation_theme, migrations.RunPython.noop)]

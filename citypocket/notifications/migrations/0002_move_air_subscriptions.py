"""Air-alert subscribers move to the notification centre: each air subscription becomes a
notification subscription to the "air" theme with the same token (its unsubscribe links keep
working), address, language and state; the alerts already sent become notifications with their
deliveries, so that nobody gets an episode twice across the move."""

from django.db import migrations

BATCH = 2000


def move_air_subscriptions(apps, schema_editor):
    AlertSubscription = apps.get_model("air", "AlertSubscription")
    AlertDelivery = apps.get_model("air", "AlertDelivery")
    Subscription = apps.get_model("notifications", "Subscription")
    Notification = apps.get_model("notifications", "Notification")
    Delivery = apps.get_model("notifications", "Delivery")

    old_to_new = {}
    rows = list(AlertSubscription.objects.order_by("pk"))
    for start in range(0, len(rows), BATCH):
        chunk = rows[start:start + BATCH]
        Subscription.objects.bulk_create([
            Subscription(city_id=old.city_id, token=old.token, channel=old.channel, user_id=old.user_id,
                         endpoint=old.endpoint, p256dh=old.p256dh, auth=old.auth, language=old.language,
                         themes=["air"], is_active=old.is_active)
            for old in chunk
        ])
        created = dict(Subscription.objects.filter(token__in=[old.token for old in chunk]).values_list("token", "pk"))
        for old in chunk:
            old_to_new[old.pk] = created[old.token]
            Subscription.objects.filter(pk=created[old.token]).update(created_at=old.created_at)

    notifications = {}
    for delivery in AlertDelivery.objects.select_related("alert").order_by("pk"):
        alert = delivery.alert
        if alert.pk not in notifications:
            title = {"fr": "Épisode de pollution de l'air", "en": "Air pollution episode"}
            notifications[alert.pk], _created = Notification.objects.get_or_create(
                city_id=alert.city_id, key=f"air:{alert.date.isoformat()}",
                defaults={"theme": "air", "severity": "Moderate",
                          "messages": {lang: {"title": title[lang], "body": f"{alert.date}: {alert.level}/6",
                                              "url": ""} for lang in ("fr", "en")}},
            )
        Delivery.objects.get_or_create(
            notification=notifications[alert.pk], subscription_id=old_to_new[delivery.subscription_id],
            defaults={"channel": delivery.subscription.channel, "status": delivery.status, "error": delivery.error,
                      "sent_at": delivery.sent_at, "attempts": 1 if delivery.status != "pending" else 0},
        )


def move_back(apps, schema_editor):
    AlertSubscription = apps.get_model("air", "AlertSubscription")
    Subscription = apps.get_model("notifications", "Subscription")
    for row in Subscription.objects.filter(themes__isnull=False).order_by("pk"):
        if "air" in row.themes and not AlertSubscription.objects.filter(token=row.token).exists():
            AlertSubscription.objects.create(city_id=row.city_id, token=row.token, channel=row.channel,
                                             user_id=row.user_id, endpoint=row.endpoint, p256dh=row.p256dh,
                                             auth=row.auth, language=row.language, is_active=row.is_active)


class Migration(migrations.Migration):
    dependencies = [
        ("air", "0003_alerts"),
        ("notifications", "0001_initial"),
    ]

    operations = [migrations.RunPython(move_air_subscriptions, move_back)]

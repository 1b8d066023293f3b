"""Air-alert subscriptions and deliveries now live in the notification centre (notifications 0002
copied them there)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("air", "0003_alerts"),
        ("notifications", "0002_move_air_subscriptions"),
    ]

    operations = [
        migrations.DeleteModel(name="AlertDelivery"),
        migrations.DeleteModel(name="AlertSubscription"),
    ]

"""The participation daily digest becomes the notification centre's: every person who chose it
(`participation.NotificationPreference.daily_digest`) gets the daily digest on their e-mail
subscription in each city where they follow an item or have news waiting (the subscription is made,
with the "participation" theme, if they had none; a weekly digest chosen in the centre is kept).
What waited for their next participation digest (not e-mailed, from the last 7 days, as the old
digest read it) becomes centre notifications waiting for that digest, so nothing is lost and
nothing is sent twice. `participation 0012` then drops the old table.

A subscription the person stopped (one-click unsubscribe) stays stopped: its digest is set, so that
turning it on again keeps the choice.
"""

import uuid
from datetime import timedelta

from django.db import migrations
from django.utils import timezone

# The words of the old sending code (participation/services/delivery.py), frozen here.
TITLES = {"fr": "Du nouveau sur une participation que vous suivez", "en": "News from a participation you follow"}
LANGUAGES = ("fr", "en")


def move_digest_choice(apps, schema_editor):
    Preference = apps.get_model("participation", "NotificationPreference")
    Follow = apps.get_model("participation", "Follow")
    News = apps.get_model("participation", "Notification")
    Subscription = apps.get_model("notifications", "Subscription")
    Notification = apps.get_model("notifications", "Notification")
    Delivery = apps.get_model("notifications", "Delivery")
    now = timezone.now()
    digest_users = list(Preference.objects.filter(daily_digest=True, user__email__gt="")
                        .values_list("user_id", flat=True))
    for start in range(0, len(digest_users), 500):
        users = digest_users[start:start + 500]
        languages = {}  # (city, user) -> language of the latest follow or news
        for city_id, user_id, language in Follow.objects.filter(user_id__in=users).order_by(
                "created_at", "pk").values_list("city_id", "user_id", "language"):
            languages[(city_id, user_id)] = language
        waiting = list(News.objects.filter(user_id__in=users, emailed_at__isnull=True,
                                           created_at__gte=now - timedelta(days=7)).order_by("created_at", "pk"))
        for news in waiting:
            languages.setdefault((news.city_id, news.user_id), news.language)
        subscriptions = {}
        for (city_id, user_id), language in languages.items():
            subscription = Subscription.objects.filter(city_id=city_id, user_id=user_id, channel="email").first()
            if subscription is None:
                subscription = Subscription(city_id=city_id, user_id=user_id, channel="email", token=uuid.uuid4(),
                                            themes=[], language=language if language in LANGUAGES else "fr")
            if "participation" not in subscription.themes:
                subscription.themes = [*subscription.themes, "participation"]
            if subscription.digest == "none":
                subscription.digest = "daily"
            subscription.save()
            subscriptions[(city_id, user_id)] = subscription
        for news in waiting:
            language = news.language if news.language in LANGUAGES else "fr"
            notification, _created = Notification.objects.get_or_create(
                city_id=news.city_id, key=f"participation:{news.pk}",
                defaults={"theme": "participation", "severity": "Minor", "user_id": news.user_id,
                          "messages": {language: {"title": TITLES[language], "body": news.message, "url": news.url}},
                          "communes": [], "category": "", "fanned_out_at": now})
            Delivery.objects.get_or_create(notification=notification,
                                           subscription=subscriptions[(news.city_id, news.user_id)],
                                           defaults={"channel": "email", "status": "digest"})
        News.objects.filter(pk__in=[news.pk for news in waiting]).update(emailed_at=now)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_cityalert_source"),
        ("participation", "0011_counting_method_words"),
    ]

    operations = [migrations.RunPython(move_digest_choice, migrations.RunPython.noop)]

"""The participation daily digest folded into the notification centre's: migrated forward with
existing rows, every person who chose it has the daily digest on their e-mail subscription in each
city where they follow something (made if missing), what waited for the old digest waits for the
centre's, and each gets the centre's digest (one per city subscription) holding their participation
news — and no second one from participation, which has no digest of its own any more."""

import importlib.util
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from citypocket.cities.demo import load_demo_cities
from citypocket.cities.models import City
from citypocket.notifications.models import Delivery, Subscription, Theme
from citypocket.notifications.models import Notification as CentreNotification
from citypocket.notifications.schedule import send_daily_digests, send_weekly_digests
from citypocket.participation.models import Notification
from citypocket.participation.services.delivery import email_notifications
from citypocket.participation.tests.factories import FollowFactory, NotificationFactory, ProposalFactory
from testsupport import UserFactory
from testsupport import migrate_to as migrate

BEFORE = [("notifications", "0004_cityalert_source"), ("participation", "0011_counting_method_words")]


@pytest.mark.django_db(transaction=True)
def test_daily_digest_readers_move_to_the_centre_digest_and_get_one_digest():
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    load_demo_cities()
    rouen, aix = City.objects.get(slug="rouen"), City.objects.get(slug="aix-en-provence")
    in_rouen, in_aix = ProposalFactory(city=rouen), ProposalFactory(city=aix)
    daily, weekly, each, two_cities = (UserFactory() for _ in range(4))
    old = migrate(BEFORE)
    try:
        Preference = old.get_model("participation", "NotificationPreference")
        # The model of that state: the live one has the fields of later migrations.
        OldSubscription = old.get_model("notifications", "Subscription")
        for person in (daily, weekly, two_cities):
            Preference.objects.create(user_id=person.pk, daily_digest=True)
        Preference.objects.create(user_id=each.pk, daily_digest=False)
        # `daily` followed in English and has no subscription in the centre (nor ever had).
        FollowFactory(user=daily, proposal=in_rouen, language="en")
        waiting = NotificationFactory(city=rouen, user=daily, language="en", message="Benches: accepted.",
                                      url="/rouen/participate/proposals/1/")
        stale = NotificationFactory(city=rouen, user=daily, message="Trop ancien.")
        Notification.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(days=8))
        # `weekly` chose a weekly digest in the centre: kept, and it now holds participation news too.
        FollowFactory(user=weekly, proposal=in_rouen)
        OldSubscription.objects.create(city_id=rouen.pk, user_id=weekly.pk, channel="email", token=uuid.uuid4(),
                                       themes=[Theme.CITY_ALERTS], digest="weekly")
        # `each` wanted one e-mail per change: nothing changes.
        FollowFactory(user=each, proposal=in_rouen)
        OldSubscription.objects.create(city_id=rouen.pk, user_id=each.pk, channel="email", token=uuid.uuid4(),
                                       themes=[Theme.CITY_ALERTS, Theme.PARTICIPATION])
        # `two_cities` follows in Rouen (subscribed there) and in Aix (not subscribed there).
        FollowFactory(user=two_cities, proposal=in_rouen)
        FollowFactory(user=two_cities, proposal=in_aix)
        OldSubscription.objects.create(city_id=rouen.pk, user_id=two_cities.pk, channel="email", token=uuid.uuid4(),
                                       themes=[Theme.CITY_ALERTS, Theme.PARTICIPATION])
    finally:
        migrate(leaves)

    def email(person, city=rouen):
        return Subscription.objects.get(user=person, city=city, channel="email")

    assert (email(daily).digest, email(daily).themes, email(daily).language) == ("daily", [Theme.PARTICIPATION], "en")
    assert (email(weekly).digest, email(weekly).themes) == ("weekly", [Theme.CITY_ALERTS, Theme.PARTICIPATION])
    assert email(each).digest == "none"
    assert email(two_cities).digest == "daily" and email(two_cities, aix).digest == "daily"
    assert email(two_cities, aix).themes == [Theme.PARTICIPATION]
    # What waited for the old digest waits for the centre's; the stale one (older than the old
    # digest's 7 days) is left as it was.
    moved = CentreNotification.objects.get(key=f"participation:{waiting.pk}")
    assert moved.user_id == daily.pk and moved.message("en")["body"] == "Benches: accepted."
    assert moved.message("en")["title"] == "News from a participation you follow"
    assert Delivery.objects.get(notification=moved).status == "digest"
    assert Notification.objects.get(pk=waiting.pk).emailed_at is not None
    assert Notification.objects.get(pk=stale.pk).emailed_at is None
    assert not CentreNotification.objects.filter(key=f"participation:{stale.pk}").exists()

    # The old digest is gone: only the centre's runs.
    assert importlib.util.find_spec("citypocket.participation.schedule") is None
    # News after the move: `each` hears at once, digest readers wait for the morning.
    fresh = [NotificationFactory(city=city, user=person, message=f"Nouvelles {city.slug} {person.pk}",
                                 url=f"/{city.slug}/")
             for person, city in ((daily, rouen), (weekly, rouen), (each, rouen), (two_cities, rouen),
                                  (two_cities, aix))]
    email_notifications(notification_ids=[n.pk for n in fresh])
    assert [message.to for message in mail.outbox] == [[each.email]]
    mail.outbox.clear()

    assert send_daily_digests.call() == 3  # daily (Rouen), two_cities (Rouen, Aix)
    by_person = {}
    for message in mail.outbox:
        by_person.setdefault(message.to[0], []).append(message)
    assert set(by_person) == {daily.email, two_cities.email}
    [digest] = by_person[daily.email]
    assert digest.subject == "Your daily CityPocket digest"
    assert "Benches: accepted." in digest.body and f"Nouvelles rouen {daily.pk}" in digest.body
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert [len(m.body.split("\n- ")) for m in by_person[two_cities.email]] == [1, 1]  # one per city
    mail.outbox.clear()
    assert send_daily_digests.call() == 0 and mail.outbox == []  # nothing twice
    assert send_weekly_digests.call() == 1
    [weekly_digest] = mail.outbox
    assert weekly_digest.to == [weekly.email] and f"Nouvelles rouen {weekly.pk}" in weekly_digest.body

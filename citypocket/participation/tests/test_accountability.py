"""Accountability results, follows, in-app and e-mail notifications, and the daily digest (the
notification centre's)."""

import json
from datetime import date

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation

from citypocket.cities.models import Role
from citypocket.notifications.models import Subscription, Theme
from citypocket.notifications.schedule import send_daily_digests
from citypocket.notifications.services import set_theme_digest
from citypocket.participation.models import Follow, Notification, PhaseKind, Proposal
from citypocket.participation.services.accountability import announce_result_change
from citypocket.participation.services.proposals import answer_proposal, submit_proposal
from citypocket.participation.tests.conftest import make_process
from citypocket.participation.tests.factories import (
    ActionResultFactory,
    FollowFactory,
    MilestoneFactory,
)
from testsupport import UserFactory, assert_problem, assert_tenant_isolated, login, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def result(rouen):
    process = make_process(rouen, slug="budget-2026", open_phase=PhaseKind.RESULTS)
    result = ActionResultFactory(process=process, title="Abris vélos en gare", progress=20)
    MilestoneFactory(result=result, date=date(2026, 9, 1), title="Marché attribué")
    return result


def test_accountability_list_gives_progress_and_milestones(client, rouen, result):
    """GET …/accountability lists results with status, progress and milestones."""
    body = client.get(f"/api/v1/cities/{rouen.slug}/accountability").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["status"] == "planned" and item["progress"] == 20
    assert item["milestones"] == [{"date": "2026-09-01", "title": "Marché attribué", "description": ""}]


def test_followers_are_notified_in_app_and_by_email(client, rouen, result,
                                                    django_capture_on_commit_callbacks):
    """A change is one in-app notification per follower and one e-mail; digest users get it in the
    notification centre's daily digest, once."""
    each, digest = UserFactory(), UserFactory()
    for person in (each, digest):
        login(client, person, mfa=False)
        response = client.put(f"/api/v1/cities/{rouen.slug}/accountability/{result.pk}/follow")
        assert response.json() == {"following": True}
    set_theme_digest(user=digest, theme=Theme.PARTICIPATION, digest="daily")
    result.progress, result.status = 60, "in_progress"
    result.save()
    with django_capture_on_commit_callbacks(execute=True):
        announce_result_change(result=result)
    assert Notification.objects.filter(user=each).count() == 1
    assert Notification.objects.filter(user=digest).count() == 1
    assert [m.to for m in mail.outbox] == [[each.email]]
    assert "60" in mail.outbox[0].body
    listed = client.get(f"/api/v1/cities/{rouen.slug}/notifications").json()  # signed in as `digest`
    assert listed["unread"] == 1 and "Abris vélos en gare" in listed["items"][0]["message"]
    mail.outbox.clear()
    assert send_daily_digests.call() == 1
    assert [m.to for m in mail.outbox] == [[digest.email]]
    assert "Abris vélos en gare" in mail.outbox[0].body and "List-Unsubscribe" in mail.outbox[0].extra_headers
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0
    assert send_daily_digests.call() == 0
    assert len(mail.outbox) == 1  # nothing twice


def test_admin_change_announces_to_followers(rouen, result):
    """Saving a result in the back office notifies its followers."""
    follower = UserFactory()
    FollowFactory(user=follower, result=result)
    editor = login(Client(), make_staff(rouen, Role.EDITOR))
    data = {"city": rouen.pk, "process": result.process_id, "title": result.title, "description": "",
            "status": "in_progress", "progress": 80,
            "milestones-TOTAL_FORMS": 0, "milestones-INITIAL_FORMS": 0}
    response = editor.post(f"/admin/participation/actionresult/{result.pk}/change/", data)
    assert response.status_code == 302, response.content[:2000]
    result.refresh_from_db()
    assert result.progress == 80
    assert Notification.objects.filter(user=follower).count() == 1


def test_authors_follow_their_proposal_and_hear_the_answer(rouen):
    """Submitting follows the proposal; the city's answer notifies the author."""
    process = make_process(rouen, slug="idees", open_phase=PhaseKind.PROPOSALS)
    author = UserFactory()
    proposal = submit_proposal(process=process, author=author, title="Bancs", body="Des bancs")
    assert Follow.objects.filter(user=author, proposal=proposal).exists()
    answer_proposal(proposal=Proposal.objects.get(pk=proposal.pk), status="accepted", text="Prévu en 2027.")
    [notification] = Notification.objects.filter(user=author)
    assert "Bancs" in notification.message and str(proposal.pk) in notification.url


def test_following_needs_an_account(client, rouen, result):
    """Anonymous follow is a 401."""
    assert_problem(client.put(f"/api/v1/cities/{rouen.slug}/accountability/{result.pk}/follow"), 401)
    assert not Follow.objects.exists()


def test_notifications_page_through_all_of_them_with_the_true_count(client, rouen):
    """60 notifications: `count` is 60 (it used to stop at 50), pages of `limit` go newest first to the end."""
    user = UserFactory()
    login(client, user, mfa=False)
    Notification.objects.bulk_create(
        [Notification(city=rouen, user=user, message=f"Avis {n:02d}", url="/") for n in range(60)])
    url = f"/api/v1/cities/{rouen.slug}/notifications"
    first = client.get(url).json()
    assert first["count"] == 60 and first["unread"] == 60 and len(first["items"]) == 50
    rest = client.get(url, {"offset": 50, "limit": 50}).json()
    messages = [item["message"] for item in first["items"] + rest["items"]]
    assert len(rest["items"]) == 10 and sorted(messages) == [f"Avis {n:02d}" for n in range(60)]
    marked = client.post(f"{url}/read?limit=5")
    assert marked.status_code == 200, marked.content
    assert marked.json()["unread"] == 0 and len(marked.json()["items"]) == 5
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()


def test_digest_preference_round_trip(client, rouen, result):
    """PUT then GET the (deprecated) daily-digest preference: it is the digest of the person's e-mail
    subscription that carries participation news."""
    user = UserFactory()
    login(client, user, mfa=False)
    assert client.get("/api/v1/participation/preferences").json() == {"daily_digest": False}
    client.put(f"/api/v1/cities/{rouen.slug}/accountability/{result.pk}/follow")
    response = client.put("/api/v1/participation/preferences", data=json.dumps({"daily_digest": True}),
                          content_type="application/json")
    assert response.json() == {"daily_digest": True}
    assert client.get("/api/v1/participation/preferences").json() == {"daily_digest": True}
    assert Subscription.objects.get(user=user, city=rouen).digest == "daily"
    client.put("/api/v1/participation/preferences", data=json.dumps({"daily_digest": False}),
               content_type="application/json")
    assert Subscription.objects.get(user=user, city=rouen).digest == "none"


def test_results_and_notifications_are_isolated_per_city(rouen, aix, result):
    """A Rouen result under Aix is a 404; following it there changes nothing."""
    assert_tenant_isolated(city=rouen, other_city=aix, url=f"/api/v1/cities/{aix.slug}/accountability/{result.pk}")
    assert_tenant_isolated(city=rouen, other_city=aix, method="put",
                           url=f"/api/v1/cities/{aix.slug}/accountability/{result.pk}/follow",
                           check_unchanged=lambda: not Follow.objects.exists())


def test_result_and_notification_pages(client, rouen, result):
    """The result page follows with a plain form; the notifications page lists them, shows the digest
    chosen in the notification centre and links there."""
    user = UserFactory()
    login(client, user, mfa=False)
    url = f"/{rouen.slug}/participate/results/{result.pk}/"
    assert "Marché attribué" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert Follow.objects.filter(user=user, result=result).exists()
    announce_result_change(result=result)
    html = client.get(f"/{rouen.slug}/participate/notifications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Abris vélos en gare" in html
    assert Notification.objects.get(user=user).read_at is not None
    assert "By e-mail: each notification as it comes." in html and f'href="/{rouen.slug}/notifications/"' in html
    Subscription.objects.filter(user=user, city=rouen).update(digest="weekly")
    html = client.get(f"/{rouen.slug}/participate/notifications/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Par e-mail\u00a0: un résumé hebdomadaire." in html
    assert client.post(f"/{rouen.slug}/participate/notifications/").status_code == 405


def test_each_follower_hears_in_the_language_they_followed_in(client, rouen, result,
                                                              django_capture_on_commit_callbacks):
    """In one run, a follower who followed in English gets English and one who followed in French gets French."""
    english, french = UserFactory(), UserFactory()
    for person, language in ((english, "en"), (french, "fr")):
        login(client, person, mfa=False)
        response = client.put(f"/api/v1/cities/{rouen.slug}/accountability/{result.pk}/follow",
                              HTTP_ACCEPT_LANGUAGE=language)
        assert response.json() == {"following": True}
    result.progress, result.status = 60, "in_progress"
    result.save()
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):  # a French worker
        announce_result_change(result=result)
    mails = {message.to[0]: message for message in mail.outbox}
    assert mails[english.email].subject == "News from a participation you follow"
    assert mails[english.email].body.startswith("Abris vélos en gare: In progress, 60 % done.\n")
    assert mails[french.email].subject == "Du nouveau sur une participation que vous suivez"
    assert mails[french.email].body.startswith("Abris vélos en gare\u00a0: En cours, avancement 60 %.\n")
    assert Notification.objects.get(user=english).message == "Abris vélos en gare: In progress, 60 % done."
    assert Notification.objects.get(user=french).language == "fr"
    assert dict(Follow.objects.values_list("user_id", "language")) == {english.pk: "en", french.pk: "fr"}


def test_authors_and_digest_readers_hear_in_their_language(client, rouen, django_capture_on_commit_callbacks):
    """An author who wrote in English hears the answer in English, in the centre's daily digest too."""
    process = make_process(rouen, slug="ideas", open_phase=PhaseKind.PROPOSALS)
    author = UserFactory()
    login(client, author, mfa=False)
    response = client.post(f"/api/v1/cities/{rouen.slug}/proposals", content_type="application/json",
                           data=json.dumps({"process": process.slug, "title": "Benches", "body": "More benches"}),
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 201, response.content
    proposal = Proposal.objects.get(pk=response.json()["id"])
    client.put("/api/v1/participation/preferences", data=json.dumps({"daily_digest": True}),
               content_type="application/json")
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        answer_proposal(proposal=proposal, status="accepted", text="Planned for 2027.")
    assert mail.outbox == []  # it waits for the digest
    assert send_daily_digests.call() == 1
    [digest] = mail.outbox
    assert digest.subject == "Your daily CityPocket digest"
    assert 'The city answered the proposal "Benches": Accepted.' in digest.body

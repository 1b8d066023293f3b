"""Personal data as one registry: every model that names a person is declared, the export lists
every personal row of an account, and the erasure leaves none, each kind by its declared rule."""

import json
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from allauth.usersessions.models import UserSession
from axes.models import AccessAttempt, AccessAttemptExpiration, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape

from citypocket.accounts.models import User
from citypocket.audit.tests.factories import AuditEntryFactory
from citypocket.cities.models import City, Role
from citypocket.cities.tests.factories import StaffMembershipFactory
from citypocket.core.privacy import (
    Anonymise,
    Authored,
    Content,
    Keep,
    NotPersonal,
    erase_personal_data,
    export_personal_data,
    list_declarations,
    registry,
)
from citypocket.notifications.models import Subscription
from citypocket.notifications.tests.factories import (
    AlertConfirmationFactory,
    CityAlertFactory,
    DeliveryFactory,
    SubscriptionFactory,
)
from citypocket.notifications.tests.factories import NotificationFactory as CentreNotificationFactory
from citypocket.opendata.tests.factories import DatasetVersionFactory, VersionEventFactory
from citypocket.participation.errors import ProofAlreadyUsed
from citypocket.participation.models import (
    Answer,
    Ballot,
    BallotItem,
    Budget,
    CensusRecord,
    Comment,
    PhaseKind,
    Proposal,
)
from citypocket.participation.services.budgets import count_budget
from citypocket.participation.services.identity import verify_resident
from citypocket.participation.tests.factories import (
    AnswerFactory,
    BallotFactory,
    BudgetFactory,
    CensusRecordFactory,
    CensusUploadFactory,
    CommentFactory,
    CommentFlagFactory,
    FollowFactory,
    LetterCodeFactory,
    NotificationFactory,
    ProcessFactory,
    ProjectFactory,
    ProposalFactory,
    RegistrationFactory,
    ResidentVerificationFactory,
    SupportFactory,
    SurveyResponseFactory,
)
from citypocket.participation.verifiers import census_digest
from citypocket.safety import services as safety
from citypocket.safety.models import SensitiveAccessLog
from citypocket.safety.tests.factories import HarassmentReportFactory
from testsupport import PASSWORD, UserFactory, enrol_totp, login, rows_of

pytestmark = pytest.mark.django_db

REMOVED_FR = "[Supprimé par son auteur]"
IDENTITY = {"last_name": "Martin", "birth_date": "1975-11-30", "postcode": "76100"}


def vote(city, *, voter, status=Budget.Status.VOTING, open_phase=PhaseKind.VOTE) -> Ballot:
    """`voter`'s ballot for one project in a budget of `city` (voting open by default)."""
    process = ProcessFactory(city=city, open_phase=open_phase)
    budget = BudgetFactory(city=city, process=process, status=status)
    return BallotFactory(budget=budget, voter=voter, projects=[ProjectFactory(budget=budget)])


def give_everything(user, city) -> dict[str, list]:
    """One row (at least) of every declared kind of personal data, for `user` in `city`, made the
    way the app makes it where a service exists. Keys are the declarations' `app_label.model`."""
    built: dict[str, list] = {}

    def add(key, *rows):
        built.setdefault(key, []).extend(rows)

    now = timezone.now()
    add("accounts.user", user)
    user.groups.add(Group.objects.get_or_create(name="Relecteurs")[0])
    add("accounts.user_groups", User.groups.through.objects.get(user=user))
    user.user_permissions.add(Permission.objects.get(codename="view_city"))
    add("accounts.user_user_permissions", User.user_permissions.through.objects.get(user=user))
    address = EmailAddress.objects.get(user=user)
    add("account.emailaddress", address)
    add("account.emailconfirmation", EmailConfirmation.create(address))
    add("mfa.authenticator", enrol_totp(user))
    link = SocialAccount.objects.create(user=user, provider="franceconnect", uid=f"fc-sub-{user.pk:04}",
                                        extra_data={"acr": "eidas1", "given_name": "Marie", "family_name": "Dupont"})
    add("socialaccount.socialaccount", link)
    app = SocialApp.objects.create(provider="franceconnect", name="FranceConnect", client_id="cp", secret="s3cret")
    add("socialaccount.socialtoken", SocialToken.objects.create(app=app, account=link, token="opaque-access-token"))
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session.create()
    add("usersessions.usersession", UserSession.objects.create(
        user=user, session_key=session.session_key, ip="192.0.2.10", user_agent="Mozilla/5.0 Firefox/128"))
    add("sessions.session", Session.objects.get(session_key=session.session_key))
    attempt = AccessAttempt.objects.create(username=user.email, ip_address="2001:db8::1", user_agent="curl/8",
                                           http_accept="*/*", path_info="/accounts/login/", get_data="",
                                           post_data="", failures_since_start=2)
    add("axes.accessattempt", attempt)
    add("axes.accessattemptexpiration",
        AccessAttemptExpiration.objects.create(access_attempt=attempt, expires_at=now + timedelta(minutes=15)))
    add("axes.accessfailurelog", AccessFailureLog.objects.create(
        username=user.email, ip_address="2001:db8::1", user_agent="curl/8", http_accept="*/*",
        path_info="/accounts/login/"))
    add("axes.accesslog", AccessLog.objects.create(
        username=user.email, ip_address="2001:db8::1", user_agent="curl/8", http_accept="*/*",
        path_info="/accounts/login/"))
    add("audit.auditentry", AuditEntryFactory(city=city, actor=user, actor_email=user.email))
    version = DatasetVersionFactory(dataset__city=city, created_by=user)
    add("opendata.datasetversion", version)
    add("opendata.versionevent", VersionEventFactory(version=version, actor=user, reason="Relu et validé."))
    add("admin.logentry", LogEntry.objects.create(
        user=user, content_type=ContentType.objects.get_for_model(City), object_id=str(city.pk),
        object_repr=city.name, action_flag=CHANGE, change_message="[]"))
    add("cities.staffmembership", StaffMembershipFactory(city=city, user=user, role=Role.SAFETY_OFFICER))

    subscription = SubscriptionFactory(city=city, webpush=True, user=user)
    add("notifications.subscription", subscription)
    add("notifications.delivery", DeliveryFactory(notification__city=city, subscription=subscription))
    add("notifications.notification", CentreNotificationFactory(city=city, user=user))
    add("notifications.cityalert", CityAlertFactory(city=city, author=user))
    add("notifications.alertconfirmation", AlertConfirmationFactory(alert__city=city, user=user))

    add("participation.residentverification", ResidentVerificationFactory(city=city, user=user))
    add("participation.censusrecord", CensusRecordFactory(city=city, used_by=user))
    add("participation.censusupload", CensusUploadFactory(city=city, uploaded_by=user))
    add("participation.lettercode", LetterCodeFactory(city=city, created_by=user))
    ballots = [vote(city, voter=user), vote(city, voter=user, status=Budget.Status.PUBLISHED,
                                            open_phase=PhaseKind.RESULTS)]
    add("participation.ballot", *ballots)
    add("participation.ballotitem", *BallotItem.objects.filter(ballot__in=ballots))
    add("participation.proposal", ProposalFactory(city=city, author=user, lat=49.44, lon=1.09,
                                                  title="Un banc place du Vieux-Marché"))
    others = ProposalFactory(city=city)
    add("participation.support", SupportFactory(proposal=others, user=user))
    add("participation.comment", CommentFactory(proposal=others, author=user, body="Bonne idée, et à l'ombre."))
    add("participation.commentflag", CommentFlagFactory(comment=CommentFactory(proposal=others), user=user))
    add("participation.follow", FollowFactory(city=city, user=user, proposal=others))
    add("participation.notification", NotificationFactory(city=city, user=user))
    add("participation.registration", RegistrationFactory(city=city, user=user))
    response = SurveyResponseFactory(city=city, user=user)
    add("participation.surveyresponse", response)
    add("participation.answer", AnswerFactory(response=response, text="Des fontaines à boire."))

    report = HarassmentReportFactory(city=city, description="Insultes à l'arrêt de bus.")
    safety.read_report_details(user=user, report=report)
    add("safety.sensitiveaccesslog", *SensitiveAccessLog.objects.filter(user=user))
    add("safety.reportupdate", safety.add_staff_update(user=user, report=report, text="Appel à la victime."))
    return built


@pytest.fixture
def everything(rouen):
    user = UserFactory(email="marie.dupont@example.org")
    return user, give_everything(user, rouen)


def erased_account(user) -> User:
    """A stand-in for an account after its erasure (the row is gone; its id and address are known)."""
    return User(pk=user.pk, email=user.email)


# --- The walk: nothing that names a person is left out ------------------------------------------


def test_every_model_with_a_relation_to_an_account_is_declared():
    """Walks every installed model (many-to-many tables included): each foreign key, one-to-one or
    many-to-many to the user model belongs to a declaration through that very field, or the model
    is declared not personal, with its reason."""
    declared = {(d.model, d.user.split("__")[0]) for d in list_declarations() if isinstance(d.user, str)}
    declared_models = {d.model for d in list_declarations()}
    not_personal = {n.model: n.reason for n in registry.list_not_personal()}
    assert all(str(reason).strip() for reason in not_personal.values())
    missing = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if not (field.is_relation and field.related_model is User) or field.auto_created:
                continue
            if field.many_to_many:  # the relation lives in its own table, which must be declared
                if field.remote_field.through not in declared_models:
                    missing.append(f"{model._meta.label}.{field.name}")
            elif (model, field.name) not in declared and model not in not_personal:
                missing.append(f"{model._meta.label}.{field.name}")
    assert missing == []
    assert User in declared_models


def test_every_model_with_a_field_naming_a_person_is_declared():
    """E-mail, username, address, user agent, session: a model holding one is declared too."""
    names = {"email", "user_email", "username", "ip", "ip_address", "user_agent", "session_key", "session_data"}
    declared = {d.model for d in list_declarations()} | {n.model for n in registry.list_not_personal()}
    holders = [m for m in apps.get_models() if names & {f.name for f in m._meta.concrete_fields}]
    assert {m._meta.label for m in holders} >= {"axes.AccessAttempt", "safety.SensitiveAccessLog",
                                               "sessions.Session", "usersessions.UserSession"}
    assert [m._meta.label for m in holders if m not in declared] == []


def test_a_forgotten_model_fails_the_walk_and_the_system_check(monkeypatch):
    """Take one declaration away: the registry's walk names the model and `check` reports an error."""
    kept = [d for d in registry._declarations if d.key != "participation.support"]
    monkeypatch.setattr(registry, "_declarations", kept)
    assert registry.list_undeclared() == ["participation.Support.user points to an account and is not declared"]
    assert [m.id for m in registry.check_personal_data()] == ["privacy.E002"]
    monkeypatch.setattr(registry, "_not_personal", [*registry._not_personal, NotPersonal(
        model=apps.get_model("participation.Support"), reason="for the test")])
    assert registry.list_undeclared() == []


def test_every_declaration_works_and_says_why_and_how_long():
    """Fields and paths exist, rules fit their links, and each states what art. 30 needs."""
    assert registry.list_declaration_errors() == []
    for declaration in list_declarations():
        for text in (declaration.purpose, declaration.retention, declaration.recipients):
            assert str(text).strip(), declaration.key
        assert declaration.erase.describe(), declaration.key


def test_docs_name_every_declared_model():
    """docs/privacy.md has the rule of each declared model (a new declaration adds its line)."""
    from pathlib import Path

    import citypocket

    text = (Path(citypocket.__file__).parent.parent / "docs" / "privacy.md").read_text()
    assert [d.key for d in list_declarations() if f"`{d.key}`" not in text] == []


# --- Export -----------------------------------------------------------------------------------


def test_every_declaration_has_a_row_in_the_test_account(everything):
    """The test account below holds a row of every declared kind (a new declaration needs one here)."""
    _user, built = everything
    assert set(built) == {d.key for d in list_declarations()}


def test_the_export_lists_every_personal_row_of_the_account(everything, rouen):
    """Each row made for the account is in the export, under its model, with the declared fields;
    another person's rows are not."""
    user, built = everything
    stranger = UserFactory()
    give_everything(stranger, rouen)
    export = export_personal_data(user)
    for declaration in list_declarations():
        exported = {item["id"] for item in rows_of(export, declaration.key)}
        assert {declaration.row_id(row.pk) for row in built[declaration.key]} <= exported, declaration.key
        assert exported == {declaration.row_id(pk) for pk in declaration.rows(user).values_list("pk", flat=True)}
    text = json.dumps(export, ensure_ascii=False)
    assert stranger.email not in text
    assert rows_of(export, "participation.proposal")[0]["title"] == "Un banc place du Vieux-Marché"
    assert rows_of(export, "participation.answer")[0]["text"] == "Des fontaines à boire."
    assert rows_of(export, "socialaccount.socialaccount")[0]["extra_data"]["family_name"] == "Dupont"
    assert rows_of(export, "notifications.subscription")[0]["channel"] == "webpush"
    assert rows_of(export, "notifications.subscription")[0]["digest"] == "none"  # the digest choice (once participation's)


def test_the_export_holds_no_secret(everything):
    """Password hash, TOTP secret, session key, tokens, push keys, digests: listed rows, never their secrets."""
    user, built = everything
    text = json.dumps(export_personal_data(user), ensure_ascii=False)
    subscription = built["notifications.subscription"][0]
    secrets = [user.password, built["sessions.session"][0].session_key, "opaque-access-token", "s3cret",
               str(subscription.token), built["participation.censusrecord"][0].digest,
               built["participation.surveyresponse"][0].respondent_key,
               built["mfa.authenticator"][0].data["secret"]]
    for secret in secrets:
        assert secret not in text


def test_my_data_pages_show_every_kind_and_the_json_is_never_cached(everything):
    """The readable page lists the rows with their labels; the download is the same data as JSON."""
    user, _built = everything
    client = login(Client(), user, mfa=False)
    page = client.get("/accounts/my-data/all/", HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Un banc place du Vieux-Marché" in html and "Bonne idée, et à l&#x27;ombre." in html
    assert f"fc-sub-{user.pk:04}" in html and "Des fontaines à boire." in html
    summary = client.get("/accounts/my-data/")
    assert "/accounts/my-data/all/" in summary.content.decode()
    download = client.get("/accounts/my-data/export.json")
    assert download["Content-Type"] == "application/json" and "no-store" in download["Cache-Control"]
    data = json.loads(download.content)
    assert data["format"] == "citypocket.personal-data/1"
    assert rows_of(data, "accounts.user")[0]["email"] == "marie.dupont@example.org"


# --- Erasure ----------------------------------------------------------------------------------


def test_erasure_leaves_no_row_naming_the_person(everything):
    """After the erasure no declared model has a row of the account; what a rule keeps is there
    without its link (Anonymise), or with its text replaced (Authored)."""
    user, built = everything
    handled = erase_personal_data(user=user, content=Content.REMOVE)
    gone = erased_account(user)
    assert not User.objects.filter(pk=user.pk).exists()
    for declaration in list_declarations():
        if isinstance(declaration.erase, Keep):  # out of the right to erasure's reach: still there
            assert declaration.rows(gone).count() == len(built[declaration.key]), declaration.key
            continue
        assert not declaration.rows(gone).exists(), declaration.key
        assert handled[declaration.key] >= len(built[declaration.key])
        if isinstance(declaration.erase, Anonymise):
            for row in built[declaration.key]:
                assert getattr(declaration.model.objects.get(pk=row.pk), declaration.link) is None
    assert not Proposal.objects.filter(pk=built["participation.proposal"][0].pk).exists()
    assert not Comment.objects.filter(pk=built["participation.comment"][0].pk).exists()
    assert CensusRecord.objects.get(pk=built["participation.censusrecord"][0].pk).used_at is not None
    assert not Session.objects.filter(session_key=built["sessions.session"][0].session_key).exists()
    assert not Subscription.objects.filter(endpoint=built["notifications.subscription"][0].endpoint).exists()


def test_erasure_keeping_what_was_written_replaces_its_text(everything):
    """'Keep it': the proposal and the comment stay, without author, place or text; the free-text
    answer too; in the city's language."""
    user, built = everything
    erase_personal_data(user=user, content=Content.REPLACE)
    proposal = Proposal.objects.get(pk=built["participation.proposal"][0].pk)
    assert (proposal.author, proposal.title, proposal.body, proposal.lat, proposal.lon) == (
        None, REMOVED_FR, REMOVED_FR, None, None)
    comment = Comment.objects.get(pk=built["participation.comment"][0].pk)
    assert (comment.author, comment.body) == (None, REMOVED_FR)
    answer = Answer.objects.select_related("response").get(pk=built["participation.answer"][0].pk)
    assert answer.text == REMOVED_FR and answer.response.user_id is None


def test_deleting_what_one_wrote_keeps_what_others_answered(rouen):
    """'Delete it': a comment with someone else's reply, a proposal with someone else's comment or a
    city answer stay with their text replaced; the rest goes."""
    user = UserFactory()
    commented = ProposalFactory(city=rouen, author=user)
    CommentFactory(proposal=commented)
    answered = ProposalFactory(city=rouen, author=user, answer_status="evaluating")
    alone = ProposalFactory(city=rouen, author=user)
    replied = CommentFactory(proposal=ProposalFactory(city=rouen), author=user)
    reply = CommentFactory(proposal=replied.proposal, parent=replied)
    own_reply_only = CommentFactory(proposal=replied.proposal, author=user)
    CommentFactory(proposal=replied.proposal, parent=own_reply_only, author=user)
    erase_personal_data(user=user, content=Content.REMOVE)
    assert set(Proposal.objects.filter(pk__in=[commented.pk, answered.pk, alone.pk]).values_list("pk", "title")) == {
        (commented.pk, REMOVED_FR), (answered.pk, REMOVED_FR)}
    assert Comment.objects.get(pk=replied.pk).body == REMOVED_FR
    assert Comment.objects.get(pk=reply.pk).body == reply.body
    assert not Comment.objects.filter(pk=own_reply_only.pk).exists()


def test_a_closed_vote_keeps_the_ballot_and_its_result_an_open_one_loses_it(rouen):
    """Open vote: the ballot is deleted (as a withdrawal). Closed vote: it stays without voter, and
    counting again gives the same result."""
    user = UserFactory()
    open_ballot = vote(rouen, voter=user)
    closed_ballot = vote(rouen, voter=user, status=Budget.Status.PUBLISHED, open_phase=PhaseKind.RESULTS)
    before = count_budget(budget=closed_ballot.budget)
    counted = list(before.rows.values_list("project_id", "votes", "selected"))
    erase_personal_data(user=user)
    assert not Ballot.objects.filter(pk=open_ballot.pk).exists()
    kept = Ballot.objects.get(pk=closed_ballot.pk)
    assert kept.voter is None and kept.items.count() == 1
    after = count_budget(budget=closed_ballot.budget)
    assert after.ballots_count == before.ballots_count == 1
    assert list(after.rows.values_list("project_id", "votes", "selected")) == counted


def test_an_erased_account_does_not_free_its_census_identity(rouen):
    """Verified by census, erased, signed up again: the identity is still used, the new account refused."""
    upload = CensusUploadFactory(city=rouen)
    CensusRecordFactory(city=rouen, upload=upload, digest=census_digest(salt=upload.salt, **IDENTITY))
    first = UserFactory()
    verify_resident(city=rouen, user=first, method="census", data=IDENTITY)
    erase_personal_data(user=first)
    with pytest.raises(ProofAlreadyUsed):
        verify_resident(city=rouen, user=UserFactory(), method="census", data=IDENTITY)


def test_a_signed_in_push_subscription_is_exported_and_erased(rouen, citizen):
    """Subscribed to air alerts on this device while signed in: in "my data", and gone with the account."""
    client = login(Client(), citizen, mfa=False)
    client.post("/api/v1/cities/rouen/air/alerts/push-subscriptions", content_type="application/json",
                data=json.dumps({"endpoint": "https://push.example.org/mine", "keys": {"p256dh": "k", "auth": "a"}}))
    [row] = rows_of(export_personal_data(citizen), "notifications.subscription")
    assert row["endpoint"] == "https://push.example.org/mine"
    erase_personal_data(user=citizen)
    assert not Subscription.objects.exists()


def test_deleting_the_account_from_the_page_applies_the_choice(rouen):
    """The deletion form asks what becomes of what the person wrote, and does it."""
    user = UserFactory()
    proposal = ProposalFactory(city=rouen, author=user)
    client = login(Client(), user, mfa=False)
    page = client.get("/accounts/my-data/").content.decode()
    assert 'name="content" value="remove"' in page and 'name="content" value="replace"' in page
    response = client.post("/accounts/my-data/", {"password": PASSWORD, "content": "replace"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    proposal.refresh_from_db()
    assert proposal.author is None and proposal.body == REMOVED_FR


def test_an_erasure_that_fails_changes_nothing(everything, monkeypatch):
    """One transaction: a rule failing half-way leaves the account and its rows as they were."""
    user, _built = everything

    def fail(self, rows, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Authored, "apply", fail)
    with pytest.raises(RuntimeError):
        erase_personal_data(user=user)
    assert User.objects.filter(pk=user.pk).exists()
    assert Ballot.objects.filter(voter=user).count() == 2
    assert SocialAccount.objects.filter(user=user).exists()


# --- Record of processing activities (GDPR art. 30) -------------------------------------------


def test_processing_record_command_lists_every_declaration_with_the_citys_counts(everything, rouen, aix):
    """`processing_record --city` prints one activity per declaration, counting that city's rows only."""
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("processing_record", city="rouen", format="json", language="en", stdout=out)
    record = json.loads(out.getvalue())
    assert record["controller"] == rouen.official_name
    by_key = {activity["key"]: activity for activity in record["activities"]}
    assert set(by_key) == {d.key for d in list_declarations()}
    assert by_key["participation.ballot"]["rows"] == 2 and by_key["participation.ballot"]["scope"] == "city"
    assert by_key["accounts.user"]["rows"] is None and by_key["accounts.user"]["scope"] == "platform"
    assert by_key["notifications.subscription"]["transfers"]
    assert by_key["participation.proposal"]["legal_basis"].startswith("A task in the public interest")
    out = StringIO()
    call_command("processing_record", city="aix-en-provence", format="json", stdout=out)
    assert {a["key"]: a["rows"] for a in json.loads(out.getvalue())["activities"]}["participation.ballot"] == 0
    out = StringIO()
    call_command("processing_record", city="rouen", stdout=out)
    markdown = out.getvalue()
    assert markdown.startswith("# Registre des activités de traitement — Métropole Rouen Normandie")
    assert "- **Finalité**:" in markdown and everything[0].email not in markdown


def test_an_unknown_city_is_a_command_error():
    """A slug that names no city stops the command with a message, not a traceback."""
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("processing_record", city="atlantis")


def test_a_city_admin_reads_and_downloads_the_record_of_their_city_only(rouen, aix):
    """Rouen's city admin gets the page and both downloads; Aix's record is a 404 for them; an
    editor of Rouen is not let in."""
    from testsupport import make_staff

    admin = login(Client(), make_staff(rouen, Role.CITY_ADMIN))
    url = f"/admin/cities/city/{rouen.pk}/processing-record/"
    page = admin.get(url)
    assert page.status_code == 200
    ballots = next(d for d in list_declarations() if d.key == "participation.ballot")
    with translation.override("fr"):
        assert escape(str(ballots.purpose)) in page.content.decode()
    assert admin.get(f"/admin/cities/city/{rouen.pk}/change/").content.decode().count(url) == 1
    markdown = admin.get(url + "?format=md")
    assert markdown["Content-Type"].startswith("text/markdown")
    assert 'filename="rouen-processing-record.md"' in markdown["Content-Disposition"]
    assert json.loads(admin.get(url + "?format=json").content)["city"] == "rouen"
    assert admin.get(f"/admin/cities/city/{aix.pk}/processing-record/").status_code == 404
    editor = login(Client(), make_staff(rouen, Role.EDITOR))
    assert editor.get(url).status_code in (302, 403, 404)


def test_deleting_an_account_in_the_back_office_applies_the_same_rules(rouen):
    """A superuser's deletion goes through the erasure: the closed vote keeps its ballot, anonymous,
    and a proposal stays with its text replaced."""
    person = UserFactory()
    ballot = vote(rouen, voter=person, status=Budget.Status.PUBLISHED, open_phase=PhaseKind.RESULTS)
    proposal = ProposalFactory(city=rouen, author=person)
    superuser = UserFactory(is_superuser=True, is_staff=True)
    admin = login(Client(), superuser)
    response = admin.post(f"/admin/accounts/user/{person.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=person.pk).exists()
    assert Ballot.objects.get(pk=ballot.pk).voter is None
    proposal.refresh_from_db()
    assert (proposal.author, proposal.body) == (None, REMOVED_FR)

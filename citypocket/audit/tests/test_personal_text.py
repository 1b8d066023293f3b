"""No personal free text in clear in the log: a canary written into every kind of personal field, then
handled through the back office, must never appear in any column of any audit entry, nor on its pages."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.apps import apps
from django.db import connection, models
from django.test import Client

from citypocket.accounts.models import User
from citypocket.audit import rules
from citypocket.audit.models import AuditEntry
from citypocket.audit.registration import audited_models
from citypocket.audit.services import record
from citypocket.cities.models import Role, StaffMembership
from citypocket.participation import models as participation
from citypocket.participation.tests.factories import ActionResultFactory, ProposalFactory
from citypocket.safety.models import HarassmentReport, ReportUpdate
from citypocket.safety.tests.conftest import file_report
from citypocket.sensors.models import IngestToken
from testsupport import UserFactory, admin_form_data, login, make_staff

pytestmark = pytest.mark.django_db

CANARY = "Zq7CanaryPersonalText"


def post_form(client, url, **values):
    data = admin_form_data(client.get(url))
    response = client.post(url, {**data, **{name: [str(value)] for name, value in values.items()}})
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    return response


def every_stored_value() -> list[str]:
    """Every cell of every row of the log table, as the database returns it."""
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")
        return [str(cell) for row in cursor.fetchall() for cell in row]


def test_the_canary_never_reaches_the_log(rouen, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    resident = UserFactory(email=f"{CANARY.lower()}@example.org")
    proposal = ProposalFactory(city=rouen, author=resident, title=f"{CANARY} title", body=f"{CANARY} body")
    doomed = ProposalFactory(city=rouen, process=proposal.process, author=resident, title=f"{CANARY} doomed",
                             body=f"{CANARY} doomed body")
    comment = participation.Comment.objects.create(city=rouen, proposal=proposal, author=resident, body=CANARY)
    report = file_report(rouen, lat=49.44, lon=1.09, description=CANARY, contact=f"{CANARY}@example.org",
                         place_name=CANARY)
    result = ActionResultFactory(city=rouen, process=proposal.process)

    editor = make_staff(rouen, Role.EDITOR, user=make_staff(rouen, Role.MODERATOR))
    staff = login(Client(), editor)
    # A moderator answers the proposal, removes the comment; an editor links it to a result, deletes another.
    post_form(staff, f"/admin/participation/proposal/{proposal.pk}/change/", answer_status="accepted",
              answer_text=f"{CANARY} answer")
    assert staff.post("/admin/participation/comment/", {"action": "remove",
                                                        "_selected_action": [str(comment.pk)]}).status_code == 302
    post_form(staff, f"/admin/participation/actionresult/{result.pk}/change/", proposals=proposal.pk)
    assert staff.post(f"/admin/participation/proposal/{doomed.pk}/delete/", {"post": "yes"}).status_code == 302

    # A safety officer triages the report with a note and a reply.
    officer = login(Client(), make_staff(rouen, Role.SAFETY_OFFICER))
    assert officer.post(f"/admin/safety/harassmentreport/{report.pk}/change/", {
        "status": "forwarded", "note": f"{CANARY} note", "reply": f"{CANARY} reply"}).status_code == 302

    # A superuser changes an account's address, gives a role to it, then deletes another account.
    superuser = login(Client(), UserFactory(is_superuser=True, is_staff=True))
    post_form(superuser, f"/admin/accounts/user/{resident.pk}/change/", email=f"{CANARY.lower()}.new@example.org")
    assert superuser.post("/admin/cities/staffmembership/add/", {
        "city": str(rouen.pk), "user": str(resident.pk), "role": Role.EDITOR}).status_code == 302
    other = UserFactory(email=f"{CANARY.lower()}.other@example.org")
    assert superuser.post(f"/admin/accounts/user/{other.pk}/delete/", {"post": "yes"}).status_code == 302

    # An event whose detail holds free text: masked unless the caller says it is not personal.
    record(actor=editor, action="publication.override", obj=proposal, detail={"reason": CANARY, "kind": "manual"},
           clear=("kind",))

    kinds = set(AuditEntry.objects.values_list("content_type__model", flat=True))
    assert {"proposal", "comment", "actionresult", "harassmentreport", "reportupdate", "user",
            "staffmembership"} <= kinds, kinds
    stored = every_stored_value()
    assert not [value for value in stored if CANARY.lower() in value.lower()]
    masked = [value for value in stored if rules.MASK_PREFIX in value]
    assert masked, "nothing was masked: the scan above proves nothing"

    answer = AuditEntry.objects.get(content_type__model="proposal", action=AuditEntry.Action.UPDATE,
                                    changes__has_key="answer_status")
    assert answer.object_repr == f"proposal #{proposal.pk}"
    assert answer.changes["answer_status"] == ["", "accepted"]  # what is not personal stays readable
    assert answer.changes["answer_text"][1] == rules.mask(f"{CANARY} answer")
    assert AuditEntry.objects.get(event="publication.override").additional_data == {
        "reason": rules.mask(CANARY), "kind": "manual"}
    assert ReportUpdate.objects.count() == 2 and HarassmentReport.objects.get().status == "forwarded"
    assert StaffMembership.objects.filter(user=resident).exists()

    # The log's own pages, as a superuser (who sees every entry), show digests, never the text
    # (once the admin's own "… was added" messages, which name the objects, have been shown).
    superuser.get("/admin/")
    for entry in AuditEntry.objects.all():
        page = superuser.get(f"/admin/audit/auditentry/{entry.pk}/change/")
        assert page.status_code == 200 and CANARY.lower() not in page.content.decode().lower()
    listing = superuser.get("/admin/audit/auditentry/")
    assert listing.status_code == 200 and CANARY.lower() not in listing.content.decode().lower()


def test_the_field_rule_leaves_out_secrets_and_masks_personal_text():
    assert "password" in rules.excluded_fields(User)
    assert "email" in rules.masked_fields(User) and "last_login" not in rules.masked_fields(User)
    assert "token_hash" in rules.excluded_fields(IngestToken)
    assert {"description_enc", "contact_enc", "receipt_hash"} <= set(rules.excluded_fields(HarassmentReport))
    assert "h3_cell" in rules.masked_fields(HarassmentReport) and "status" not in rules.masked_fields(HarassmentReport)
    assert "data" in rules.excluded_fields(Authenticator)
    assert {"ip", "user_agent", "data"} <= set(rules.masked_fields(UserSession))
    assert "session_key" in rules.excluded_fields(UserSession)
    assert {"title", "body", "answer_text"} <= set(rules.masked_fields(participation.Proposal))
    assert "salt" in rules.excluded_fields(participation.CensusUpload)
    assert rules.masked_fields(participation.Category) == []  # a category's name is the city's wording


def test_every_free_text_field_of_an_audited_model_is_masked_or_left_out():
    for model in audited_models():
        hidden = set(rules.masked_fields(model)) | set(rules.excluded_fields(model))
        for field in model._meta.concrete_fields:
            if isinstance(field, (models.TextField, models.JSONField, models.EmailField)):
                assert field.name in hidden, f"{model._meta.label}.{field.name}"


def test_declared_fields_exist():
    for declared in (rules.PERSONAL_FIELDS, rules.SECRET_FIELDS):
        for label, names in declared.items():
            model = apps.get_model(label)
            assert names <= {field.name for field in model._meta.concrete_fields}, label


def test_labels_of_rows_about_a_person_are_their_kind_and_id(rouen):
    proposal = ProposalFactory(city=rouen, title=CANARY)
    assert rules.safe_repr(proposal) == f"proposal #{proposal.pk}"
    assert rules.safe_repr(proposal.author) == f"user #{proposal.author.pk}"
    assert rules.safe_repr(proposal.process) == str(proposal.process)


def test_the_mask_is_a_keyed_digest(settings):
    digest = rules.mask(CANARY)
    assert digest.startswith(rules.MASK_PREFIX) and CANARY not in digest and len(digest) == len("masked:") + 16
    assert rules.mask(CANARY) == digest and rules.mask(CANARY + ".") != digest
    assert rules.mask("") == "" and rules.mask("None") == "None"
    settings.SECRET_KEY = "another-key-" + "y" * 40
    assert rules.mask(CANARY) != digest

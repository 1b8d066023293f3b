"""Staff triage in the admin: only safety officers of the report's city decrypt, and every read is
audited; retention purges contacts and anonymises closed cases."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from citypocket.cities.models import Role
from citypocket.core.problems import PermissionDenied
from citypocket.safety import crypto, services
from citypocket.safety.models import AccessAction, HarassmentReport, ReportUpdate, SensitiveAccessLog, Status
from citypocket.safety.tests.conftest import file_report
from testsupport import UserFactory, assert_tenant_isolated, login, make_staff, rows_of

pytestmark = pytest.mark.django_db

SECRET_TEXT = "MatrixSecretText"
SECRET_CONTACT = "matrix.secret@example.org"
SECRET_PLACE = "MatrixSecretPlace"


@pytest.fixture
def report(rouen):
    return file_report(rouen, lat=49.44111, lon=1.09222, description=SECRET_TEXT, contact=SECRET_CONTACT,
                       place_name=SECRET_PLACE)


def change_url(report) -> str:
    return f"/admin/safety/harassmentreport/{report.pk}/change/"


def test_safety_officer_of_the_city_reads_details_and_the_read_is_logged(rouen, report):
    """The officer sees place, text and contact in the change view; one audit entry names them."""
    officer = make_staff(rouen, Role.SAFETY_OFFICER)
    response = login(Client(), officer).get(change_url(report))
    assert response.status_code == 200
    body = response.content.decode()
    assert SECRET_TEXT in body and SECRET_CONTACT in body and SECRET_PLACE in body and "49.44111" in body
    log = SensitiveAccessLog.objects.get()
    assert (log.user, log.report_id, log.action, log.city) == (officer, report.pk, AccessAction.READ_DETAILS, rouen)


@pytest.mark.parametrize("who", ["anonymous", "citizen", "editor", "moderator", "city_admin", "superuser"])
def test_nobody_else_of_the_city_reads_a_report(rouen, report, who):
    """Anonymous, citizen, editor, moderator, city admin, superuser: no details, no list, nothing logged."""
    client = Client()
    if who == "citizen":
        login(client, UserFactory(), mfa=False)
    elif who in ("editor", "moderator", "city_admin"):
        login(client, make_staff(rouen, who))
    elif who == "superuser":
        login(client, UserFactory(is_superuser=True, is_staff=True))
    for url in (change_url(report), "/admin/safety/harassmentreport/",
                "/admin/safety/harassmentreport/exact-map/", "/admin/safety/harassmentreport/figures/"):
        response = client.get(url)
        assert response.status_code in (302, 403), (who, url, response.status_code)
        body = response.content.decode()
        assert SECRET_TEXT not in body and SECRET_CONTACT not in body and str(report.pk)[:8] not in body
    assert not SensitiveAccessLog.objects.exists()


def test_staff_of_another_city_get_nothing_from_a_report(rouen, aix, report):
    """Every role of Aix, safety officer included, is turned away from Rouen's report."""
    for url in (change_url(report),):
        assert_tenant_isolated(
            city=rouen, other_city=aix, url=url, expected=(302, 403),
            secrets=[SECRET_TEXT, SECRET_CONTACT, SECRET_PLACE, "49.44111"],
        )
    assert not SensitiveAccessLog.objects.exists()


def test_officer_of_another_city_cannot_change_status(rouen, aix, report):
    """A POST from Aix's safety officer leaves Rouen's report untouched."""

    def unchanged():
        assert HarassmentReport.objects.get(pk=report.pk).status == Status.NEW

    assert_tenant_isolated(city=rouen, other_city=aix, url=change_url(report), method="post",
                           data={"status": "closed"}, as_json=False, expected=(302, 403),
                           check_unchanged=unchanged, roles=[Role.SAFETY_OFFICER, Role.CITY_ADMIN])


def test_officer_lists_only_coarse_columns_of_their_city(rouen, aix, report):
    """The triage list shows category, month, status — no decrypted field — and only this city's reports."""
    other = file_report(aix, lat=43.5263, lon=5.4475)
    officer = make_staff(rouen, Role.SAFETY_OFFICER)
    response = login(Client(), officer).get("/admin/safety/harassmentreport/", {"status__exact": "new"})
    body = response.content.decode()
    assert response.status_code == 200
    assert str(report.pk)[:8] in body and str(other.pk)[:8] not in body
    assert SECRET_TEXT not in body and SECRET_CONTACT not in body
    assert not SensitiveAccessLog.objects.exists()


def test_officer_triages_adds_a_note_and_a_reply(rouen, report):
    """Status change, internal note and reply are saved (encrypted) and audited."""
    officer = make_staff(rouen, Role.SAFETY_OFFICER)
    response = login(Client(), officer).post(change_url(report), {
        "status": "forwarded", "note": "Called the partner", "reply": "We passed it on to the police.",
    })
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.FORWARDED
    texts = [crypto.decrypt_text(u.body_enc) for u in ReportUpdate.objects.order_by("sequence")]
    assert texts == ["Called the partner", "We passed it on to the police."]
    actions = sorted(SensitiveAccessLog.objects.values_list("action", flat=True))
    assert actions == ["add_note", "add_note", "change_status"]
    assert services.list_replies_for_reporter(report=report)[0]["text"] == "We passed it on to the police."


def test_exact_map_and_figures_for_the_officer(rouen, report):
    """The exact map lists the point and logs the read; the monthly figures count the report."""
    officer = make_staff(rouen, Role.SAFETY_OFFICER)
    client = login(Client(), officer)
    response = client.get("/admin/safety/harassmentreport/exact-map/")
    assert response.status_code == 200 and "49.44111" in response.content.decode()
    assert 'id="exact-points"' in response.content.decode() and 'id="exact-map"' in response.content.decode()
    assert SensitiveAccessLog.objects.filter(action=AccessAction.READ_MAP, report_id=report.pk).count() == 1
    figures = client.get("/admin/safety/harassmentreport/figures/")
    assert figures.status_code == 200
    assert f"{report.period:%Y-%m}" in figures.content.decode()
    assert SECRET_TEXT not in figures.content.decode()


def test_read_service_refuses_non_officers(rouen, aix, report):
    """Decryption itself checks the role: a city admin or another city's officer gets PermissionDenied."""
    for user in (make_staff(rouen, Role.CITY_ADMIN), make_staff(aix, Role.SAFETY_OFFICER)):
        with pytest.raises(PermissionDenied):
            services.read_report_details(user=user, report=report)
    assert not SensitiveAccessLog.objects.exists()


def test_audit_log_is_read_only_and_city_scoped(rouen, aix, report):
    """Officers of Rouen see Rouen's audit entries; they cannot change or delete them."""
    officer = make_staff(rouen, Role.SAFETY_OFFICER)
    services.read_report_details(user=officer, report=report)
    log = SensitiveAccessLog.objects.get()
    client = login(Client(), officer)
    assert client.get("/admin/safety/sensitiveaccesslog/").status_code == 200
    assert client.post(f"/admin/safety/sensitiveaccesslog/{log.pk}/delete/", {"post": "yes"}).status_code == 403
    assert SensitiveAccessLog.objects.filter(pk=log.pk).exists()
    assert_tenant_isolated(city=rouen, other_city=aix, url=f"/admin/safety/sensitiveaccesslog/{log.pk}/change/",
                           expected=(302, 403), secrets=[officer.email])


def test_purge_erases_contact_and_anonymises_two_months_after_closing(rouen, report, capsys):
    """Closed 61+ days ago: contact, place, time, text and updates erased; coarse facts kept."""
    officer = make_staff(rouen, Role.SAFETY_OFFICER)
    services.add_staff_update(user=officer, report=report, text="note")
    services.change_report_status(user=officer, report=report, status=Status.CLOSED)
    recent = file_report(rouen, lat=49.44, lon=1.09, contact="keep@example.org")
    services.change_report_status(user=officer, report=recent, status=Status.CLOSED)
    HarassmentReport.objects.filter(pk=report.pk).update(closed_on=timezone.localdate() - dt.timedelta(days=61))
    call_command("purge_safety_data")
    assert "1 reports anonymised, 1 contacts erased" in capsys.readouterr().out
    report.refresh_from_db()
    assert (report.contact_enc, report.location_enc, report.place_name_enc, report.description_enc,
            report.occurred_at_enc) == ("", "", "", "", "")
    assert report.anonymised_on == timezone.localdate() and report.contact_erased_on == timezone.localdate()
    assert (report.category, report.h3_cell != "", report.status) == ("verbal", True, Status.CLOSED)
    assert not ReportUpdate.objects.filter(report=report).exists()
    recent.refresh_from_db()
    assert crypto.decrypt_text(recent.contact_enc) == "keep@example.org"
    call_command("purge_safety_data")
    assert "0 reports anonymised" in capsys.readouterr().out


def test_reopening_a_case_stops_the_retention_clock(rouen, report):
    """Reopened (status no longer closed): closed_on is cleared and nothing is purged."""
    officer = make_staff(rouen, Role.SAFETY_OFFICER)
    services.change_report_status(user=officer, report=report, status=Status.CLOSED)
    services.change_report_status(user=officer, report=report, status=Status.REVIEWED)
    assert report.closed_on is None
    summary = services.purge_safety_data(today=timezone.localdate() + dt.timedelta(days=400))
    assert summary.reports_anonymised == 0


def test_staff_gdpr_export_lists_their_sensitive_reads(rouen, report):
    """A staff member's data export includes the reads they made; the report content is not in it."""
    from citypocket.core.privacy import export_personal_data

    officer = make_staff(rouen, Role.SAFETY_OFFICER)
    services.read_report_details(user=officer, report=report)
    exported = export_personal_data(officer)
    reads = rows_of(exported, "safety.sensitiveaccesslog")
    assert [(e["action"], e["report_id"], e["city__slug"]) for e in reads] == [("read_details", str(report.pk), "rouen")]
    assert SECRET_TEXT not in str(exported)

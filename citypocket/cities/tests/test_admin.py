"""The back office is scoped per city, and staff need a second factor to enter it."""

import pytest
from django.test import Client

from citypocket.cities.models import Role, StaffMembership
from testsupport import UserFactory, assert_tenant_isolated, login, make_staff

pytestmark = pytest.mark.django_db


def test_staff_without_totp_are_sent_to_set_one_up(rouen):
    """A staff member signed in with a password only cannot open the admin; they enrol TOTP first."""
    editor = make_staff(rouen, Role.EDITOR)
    client = login(Client(), editor, mfa=False)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate")


def test_staff_with_totp_but_no_second_factor_this_session_must_reauthenticate(rouen):
    """Having a TOTP is not enough: this session must have used it."""
    from testsupport import enrol_totp

    editor = make_staff(rouen, Role.EDITOR)
    enrol_totp(editor)
    client = login(Client(), editor, mfa=False)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/accounts/2fa/reauthenticate" in response["Location"]


def test_citizen_pages_do_not_ask_staff_for_a_second_factor(rouen):
    """The MFA gate is on the back office only."""
    editor = make_staff(rouen, Role.EDITOR)
    client = login(Client(), editor, mfa=False)
    assert client.get("/rouen/").status_code == 200


def test_city_admin_sees_only_their_city_memberships(rouen, aix):
    """In the admin, Rouen's city admin lists Rouen's staff and not Aix's."""
    rouen_admin = make_staff(rouen, Role.CITY_ADMIN)
    aix_editor = make_staff(aix, Role.EDITOR)
    client = login(Client(), rouen_admin)
    response = client.get("/admin/cities/staffmembership/")
    assert response.status_code == 200
    assert rouen_admin.email in response.content.decode()
    assert aix_editor.email not in response.content.decode()


def test_staff_of_another_city_cannot_open_or_change_a_membership(rouen, aix):
    """The tenant-isolation helper: every role of Aix gets nothing from Rouen's membership."""
    member = make_staff(rouen, Role.MODERATOR)
    membership = StaffMembership.objects.get(user=member, city=rouen)
    url = f"/admin/cities/staffmembership/{membership.pk}/change/"

    def unchanged():
        assert StaffMembership.objects.filter(pk=membership.pk, role=Role.MODERATOR, city=rouen).exists()

    # The admin answers 302 (to the admin index, "does not exist") or 403 — never the page.
    assert_tenant_isolated(
        city=rouen, other_city=aix, url=url, expected=(302, 403, 404), secrets=[member.email], check_unchanged=unchanged
    )
    assert_tenant_isolated(
        city=rouen, other_city=aix, url=url.replace("change", "delete"), method="post", data={"post": "yes"}, as_json=False,
        expected=(302, 403, 404), check_unchanged=unchanged,
    )


def test_citizen_cannot_enter_the_admin(rouen):
    """Someone without a staff role is not let in."""
    client = login(Client(), UserFactory(), mfa=False)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login" in response["Location"]

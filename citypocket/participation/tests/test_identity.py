"""Identity tiers and residency verifiers: census digests, letter codes, the tier rule per action."""

import io
import json
from pathlib import Path

import pytest
from django.test import Client

from citypocket.cities.models import Role
from citypocket.participation.access import compute_tier
from citypocket.participation.models import CensusRecord, CensusUpload, LetterCode, ResidentVerification, Tier
from citypocket.participation.services.identity import generate_letter_codes, import_census
from citypocket.participation.verifiers import Verifier, get_verifier, normalise_name, register_verifier
from testsupport import UserFactory, assert_problem, login, make_staff

pytestmark = pytest.mark.django_db

# Invented people (no real census data is ever committed).
CENSUS = Path(__file__).parent / "fixtures" / "census-sample.csv"


def post_residency(client, city, **data):
    return client.post(f"/api/v1/cities/{city.slug}/residency", data=json.dumps(data),
                       content_type="application/json")


def test_census_import_keeps_only_salted_digests(rouen):
    """Importing the census stores digests: no name, date or postcode is anywhere in the database."""
    upload = import_census(city=rouen, file=io.BytesIO(CENSUS.read_bytes()))
    assert upload.row_count == 3 and len(upload.salt) == 32
    digests = list(CensusRecord.objects.filter(upload=upload).values_list("digest", flat=True))
    assert len(digests) == 3 and all(len(d) == 64 for d in digests)
    dump = json.dumps(list(CensusRecord.objects.values())) + json.dumps(list(CensusUpload.objects.values()),
                                                                         default=str)
    for raw in ("Martin", "MARTIN", "1975", "76100"):
        assert raw not in dump


def test_a_new_census_replaces_the_old_one(rouen):
    """Uploading again replaces the previous census (and its salt)."""
    import_census(city=rouen, file=io.BytesIO(CENSUS.read_bytes()))
    import_census(city=rouen, file=io.BytesIO(b"last_name,birth_date,postcode\nDurand,1960-01-01,76000\n"))
    assert CensusUpload.objects.filter(city=rouen).count() == 1
    assert CensusRecord.objects.filter(city=rouen).count() == 1


def test_census_match_makes_a_resident_regardless_of_accents_and_date_format(client, rouen):
    """'lefevre dupont' born 1980-03-07 in 76000 matches 'Lefèvre-Dupont;07/03/1980;76000'."""
    import_census(city=rouen, file=io.BytesIO(CENSUS.read_bytes()))
    user = UserFactory()
    login(client, user, mfa=False)
    response = post_residency(client, rouen, method="census", last_name="lefevre dupont",
                              birth_date="1980-03-07", postcode="76 000")
    assert response.status_code == 200, response.content
    assert response.json()["tier"] == "resident" and response.json()["method"] == "census"
    assert ResidentVerification.objects.filter(city=rouen, user=user, method="census").exists()
    assert compute_tier(user=user, city=rouen) == Tier.RESIDENT


def test_census_mismatch_is_refused_and_attempts_are_limited(client, rouen):
    """A wrong birth date is a 422; after 5 failures even the right answer is refused for the day."""
    import_census(city=rouen, file=io.BytesIO(CENSUS.read_bytes()))
    login(client, UserFactory(), mfa=False)
    for _ in range(5):
        assert_problem(post_residency(client, rouen, method="census", last_name="Martin",
                                      birth_date="1975-11-29", postcode="76100"), 422)
    assert_problem(post_residency(client, rouen, method="census", last_name="Martin",
                                  birth_date="1975-11-30", postcode="76100"), 422)
    assert not ResidentVerification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_failed_attempts_are_each_counted(rouen):
    """10 wrong census answers at once (several tabs, several web workers): the count is atomic, so
    exactly 5 are checked and 5 refused as too many, and after them even the right answer is refused."""
    import threading

    from django.db import connections

    from citypocket.participation.errors import VerificationFailed
    from citypocket.participation.services.identity import verify_resident

    import_census(city=rouen, file=io.BytesIO(CENSUS.read_bytes()))
    user = UserFactory()
    wrong = {"last_name": "Martin", "birth_date": "1975-11-29", "postcode": "76100"}
    barrier, answers = threading.Barrier(10), []

    def attempt():
        barrier.wait()
        try:
            verify_resident(city=rouen, user=user, method="census", data=wrong)
        except VerificationFailed as error:
            answers.append("too many" if error.retry_after else "no match")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == ["no match"] * 5 + ["too many"] * 5
    with pytest.raises(VerificationFailed):
        verify_resident(city=rouen, user=user, method="census", data={**wrong, "birth_date": "1975-11-30"})
    assert not ResidentVerification.objects.exists()


def test_census_of_one_city_does_not_verify_in_another(client, rouen, aix):
    """Rouen's census proves nothing in Aix."""
    import_census(city=rouen, file=io.BytesIO(CENSUS.read_bytes()))
    login(client, UserFactory(), mfa=False)
    assert_problem(post_residency(client, aix, method="census", last_name="Martin", birth_date="1975-11-30",
                                  postcode="76100"), 422)


def test_letter_code_works_once_and_is_stored_hashed(client, rouen):
    """A generated code verifies one person, is stored as a digest, and cannot be reused."""
    [code] = generate_letter_codes(city=rouen, count=1)
    stored = LetterCode.objects.get()
    assert code.replace("-", "") not in stored.digest and len(stored.digest) == 64
    first, second = UserFactory(), UserFactory()
    login(client, first, mfa=False)
    assert post_residency(client, rouen, method="postal_code", code=code.lower()).status_code == 200
    assert ResidentVerification.objects.filter(user=first, method="postal_code").exists()
    login(client, second, mfa=False)
    assert_problem(post_residency(client, rouen, method="postal_code", code=code), 422)
    assert not ResidentVerification.objects.filter(user=second).exists()


def test_verification_needs_a_signed_in_account(client, rouen):
    """Anonymous: 401; unverified e-mail: 403."""
    assert_problem(post_residency(client, rouen, method="postal_code", code="X"), 401)
    login(client, UserFactory(verified=False), mfa=False)
    assert_problem(post_residency(client, rouen, method="postal_code", code="X"), 403)


def test_unknown_method_is_a_422(client, rouen):
    """A method no verifier registered is refused."""
    login(client, UserFactory(), mfa=False)
    body = assert_problem(post_residency(client, rouen, method="horoscope"), 422)
    assert body["errors"][0]["field"] == "method"


def test_verifiers_are_pluggable(client, rouen):
    """A verifier registered by another module is used by the same endpoint."""
    register_verifier(Verifier(method="library_card", label="Library card", fields=("code",),
                               check=lambda *, city, data: data.get("code") == "BIB-42"))
    try:
        login(client, UserFactory(), mfa=False)
        assert post_residency(client, rouen, method="library_card", code="BIB-42").status_code == 200
    finally:
        from citypocket.participation import verifiers

        verifiers._registry.pop("library_card")
    assert get_verifier("library_card") is None


def test_tiers_grow_with_proof(rouen):
    """No account → anonymous; verified e-mail → account; plus residency → resident."""
    assert compute_tier(user=UserFactory(verified=False), city=rouen) == Tier.ANONYMOUS
    user = UserFactory()
    assert compute_tier(user=user, city=rouen) == Tier.ACCOUNT


def test_normalise_name_ignores_accents_case_and_punctuation():
    """Names compare the way a clerk would read them."""
    assert normalise_name(" Lefèvre-Dupont ") == normalise_name("LEFEVRE DUPONT") == "LEFEVREDUPONT"


def test_city_admin_uploads_a_census_in_the_back_office(rouen):
    """The admin upload form stores digests and never the file."""
    admin = login(Client(), make_staff(rouen, Role.CITY_ADMIN))
    with CENSUS.open("rb") as handle:
        response = admin.post("/admin/participation/residentverification/census/",
                              {"city": rouen.pk, "file": handle})
    assert response.status_code == 302, response.content[:500]
    assert CensusRecord.objects.filter(city=rouen).count() == 3


def test_city_admin_downloads_letter_codes_once(rouen, aix):
    """Codes come back once as CSV; an Aix admin cannot make codes for Rouen."""
    admin = login(Client(), make_staff(rouen, Role.CITY_ADMIN))
    response = admin.post("/admin/participation/residentverification/letter-codes/", {"city": rouen.pk, "count": 3})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert len(response.content.decode().strip().splitlines()) == 4
    assert LetterCode.objects.filter(city=rouen).count() == 3
    other = login(Client(), make_staff(aix, Role.CITY_ADMIN))
    response = other.post("/admin/participation/residentverification/letter-codes/", {"city": rouen.pk, "count": 3})
    assert response.status_code == 200  # the form redisplays: Rouen is not a valid choice for Aix staff
    assert LetterCode.objects.filter(city=rouen).count() == 3


def test_one_census_identity_verifies_one_account_only(client, rouen):
    """The census match uses up its record: a second account giving the same identity is refused, with
    a message saying so, and stays unverified."""
    import_census(city=rouen, file=io.BytesIO(CENSUS.read_bytes()))
    identity = {"method": "census", "last_name": "Martin", "birth_date": "1975-11-30", "postcode": "76100"}
    first, second = UserFactory(), UserFactory()
    login(client, first, mfa=False)
    assert post_residency(client, rouen, **identity).status_code == 200
    record = CensusRecord.objects.get(used_by=first)
    assert record.used_at is not None
    login(client, second, mfa=False)
    body = assert_problem(post_residency(client, rouen, **identity), 422)
    assert body["type"].endswith("/proof-already-used")
    assert "déjà servi à vérifier un autre compte" in body["detail"]
    assert not ResidentVerification.objects.filter(user=second).exists()
    assert CensusRecord.objects.get(pk=record.pk).used_by == first


def test_verifying_again_with_the_same_identity_keeps_the_first_verification(client, rouen):
    """The account that used the identity may send it again: it is still verified, nothing else changes."""
    import_census(city=rouen, file=io.BytesIO(CENSUS.read_bytes()))
    identity = {"method": "census", "last_name": "Martin", "birth_date": "1975-11-30", "postcode": "76100"}
    user = UserFactory()
    login(client, user, mfa=False)
    assert post_residency(client, rouen, **identity).status_code == 200
    assert post_residency(client, rouen, **identity).status_code == 200
    assert ResidentVerification.objects.filter(user=user).count() == 1
    assert CensusRecord.objects.filter(used_by=user).count() == 1


def test_a_new_census_keeps_the_identities_already_used(rouen):
    """Uploading the census again (new salt) does not free an identity that verified an account."""
    from citypocket.participation.errors import ProofAlreadyUsed
    from citypocket.participation.services.identity import verify_resident

    import_census(city=rouen, file=io.BytesIO(CENSUS.read_bytes()))
    identity = {"last_name": "N'Diaye", "birth_date": "1990-01-12", "postcode": "76000"}
    first = UserFactory()
    verify_resident(city=rouen, user=first, method="census", data=identity)
    import_census(city=rouen, file=io.BytesIO(CENSUS.read_bytes()))
    [used] = CensusRecord.objects.filter(city=rouen, used_at__isnull=False)
    assert used.used_by == first
    with pytest.raises(ProofAlreadyUsed):
        verify_resident(city=rouen, user=UserFactory(), method="census", data=identity)


@pytest.mark.django_db(transaction=True)
def test_two_accounts_racing_with_one_identity_get_one_verification(rouen):
    """Two accounts send the same identity at the same moment: exactly one is verified."""
    import threading

    from django.db import connections

    from citypocket.participation.errors import VerificationFailed
    from citypocket.participation.services.identity import verify_resident

    import_census(city=rouen, file=io.BytesIO(CENSUS.read_bytes()))
    identity = {"last_name": "Martin", "birth_date": "1975-11-30", "postcode": "76100"}
    people = [UserFactory(), UserFactory()]
    barrier, outcomes = threading.Barrier(2), []

    def attempt(user):
        barrier.wait()
        try:
            verify_resident(city=rouen, user=user, method="census", data=identity)
            outcomes.append("verified")
        except VerificationFailed:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(user,)) for user in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "verified"]
    assert ResidentVerification.objects.filter(city=rouen).count() == 1

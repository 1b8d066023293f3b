"""Identity tiers: who a participant is for a city (anonymous, verified account, verified resident).

Residency is proven by a pluggable verifier (see participation.verifiers). Nothing identifying is
kept from the proof itself: the census is stored as salted HMAC digests only, and letter codes
are stored as digests; the verification row records the method and the time, nothing else.
A proof is used up by the account it verifies: a letter code once used, a census record marked
with the account it verified, so that one resident is one verified account.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from citypocket.cities.models import City


class Tier(models.TextChoices):
    """The identity an action requires, from the weakest to the strongest."""

    ANONYMOUS = "anonymous", _("Anyone, without an account")
    ACCOUNT = "account", _("An account with a verified e-mail address")
    RESIDENT = "resident", _("A verified resident of the city")


class VerificationMethod(models.TextChoices):
    CENSUS = "census", _("Census match")
    POSTAL_CODE = "postal_code", _("Code sent by post")


class ResidentVerification(models.Model):
    """`user` has proven to be a resident of `city` with `method` at `verified_at`."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+", verbose_name=_("city"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resident_verifications",
        verbose_name=_("user"),
    )
    method = models.CharField(_("method"), max_length=20, choices=VerificationMethod.choices)
    verified_at = models.DateTimeField(_("verified at"))

    class Meta:
        verbose_name = _("resident verification")
        verbose_name_plural = _("resident verifications")
        constraints = [models.UniqueConstraint(fields=["city", "user"], name="participation_one_verification")]

    def __str__(self) -> str:
        return f"{self.user} · {self.city} · {self.get_method_display()}"


class CensusUpload(models.Model):
    """One census file uploaded by staff; only its salt and row count are kept, never the file."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+", verbose_name=_("city"))
    salt = models.CharField(_("salt"), max_length=64, editable=False)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("census upload")
        verbose_name_plural = _("census uploads")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.city} · {self.uploaded_at:%Y-%m-%d} · {self.row_count}"


class CensusRecord(models.Model):
    """The salted digest of one census person's normalised identifiers (name, birth date, postcode).

    `used_at` is set when the record verifies an account (`used_by`), and never cleared: erasing
    that account empties `used_by` but the identity stays used up, so that deleting an account
    and opening another does not give the same resident a second verification (and ballot).
    """

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+", verbose_name=_("city"))
    upload = models.ForeignKey(CensusUpload, on_delete=models.CASCADE, related_name="records")
    digest = models.CharField(max_length=64)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("verified account"),
    )
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("census record")
        verbose_name_plural = _("census records")
        constraints = [
            models.UniqueConstraint(fields=["upload", "digest"], name="participation_census_digest"),
            models.UniqueConstraint(fields=["upload", "used_by"], name="participation_census_used_once"),
            models.CheckConstraint(condition=Q(used_by__isnull=True) | Q(used_at__isnull=False),
                                   name="participation_census_used_when"),
        ]

    def __str__(self) -> str:
        return self.digest[:12]


class LetterCode(models.Model):
    """A one-time code printed on a letter posted to a household; stored as a digest only."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+", verbose_name=_("city"))
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("letter code")
        verbose_name_plural = _("letter codes")

    def __str__(self) -> str:
        return f"{self.city} · {self.created_at:%Y-%m-%d}"

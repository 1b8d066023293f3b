"""What of a changed field the audit log keeps: its value, a keyed digest of it, or nothing.

One rule for every audited model, so that a new field is covered the day it is added:

* **left out** (not even masked): secrets and what is derived from them, by name — passwords,
  tokens, secrets, keys, salts, hashes and digests — and encrypted columns (`…_enc`), plus the
  fields listed in `SECRET_FIELDS`;
* **masked** (a keyed digest replaces the value; one sees that it changed, and whether it came
  back to an earlier value, never what it says): free text and free structure (`TextField`,
  `JSONField`), e-mail and IP addresses, any field named like an e-mail, and the fields declared
  personal in `PERSONAL_FIELDS` (short text a resident writes, where a person was…);
* everything else (numbers, dates, choices, flags, ids of related rows, names of places and
  services written by staff) is kept before and after.

An object's label (`object_repr`) is its `str()`, except for a model that is about a person — the
user model, any model pointing to an account, any model with a personal field — whose label is
only its kind and id (`proposal #12`): the `str()` of a comment, a proposal or a membership would
print what a resident wrote or someone's e-mail address.
"""

import re

from django.contrib.auth import get_user_model
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.encoding import smart_str

SECRET_NAME = re.compile(r"password|secret|token|key|salt|hash|digest|_enc$")

# Declared by hand: what the rule above cannot see from a field's type or name.
SECRET_FIELDS: dict[str, set[str]] = {
    "mfa.Authenticator": {"data"},  # the TOTP secret and the recovery codes' seed
}
PERSONAL_FIELDS: dict[str, set[str]] = {
    "participation.Proposal": {"title"},  # written by a resident
    "safety.HarassmentReport": {"h3_cell"},  # where a victim was
    "socialaccount.SocialAccount": {"uid"},  # the person's identifier at FranceConnect
    "usersessions.UserSession": {"user_agent"},
}
MASKED_TYPES = (models.TextField, models.JSONField, models.EmailField, models.GenericIPAddressField)
MASK_PREFIX = "masked:"


def _tracked(model) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields if not field.many_to_many]


def excluded_fields(model) -> list[str]:
    """Fields of `model` the log never holds, in any form."""
    declared = SECRET_FIELDS.get(model._meta.label, set())
    return sorted(field.name for field in _tracked(model)
                  if field.name in declared or SECRET_NAME.search(field.name))


def masked_fields(model) -> list[str]:
    """Fields of `model` whose values the log keeps as keyed digests only."""
    declared = PERSONAL_FIELDS.get(model._meta.label, set())
    excluded = set(excluded_fields(model))
    return sorted(
        field.name for field in _tracked(model)
        if field.name not in excluded
        and (field.name in declared or "email" in field.name or isinstance(field, MASKED_TYPES))
    )


def is_about_a_person(model) -> bool:
    """The user model, a model pointing to an account, or one with a declared personal field."""
    user_model = get_user_model()
    if model is user_model or model._meta.label in PERSONAL_FIELDS:
        return True
    return any(field.is_relation and field.related_model is user_model for field in model._meta.concrete_fields)


def safe_repr(obj) -> str:
    """The label the log keeps for `obj`: its `str()`, or only its kind and id when it is about a person."""
    if is_about_a_person(type(obj)):
        return f"{obj._meta.model_name} #{obj.pk}"
    return smart_str(obj)


def mask(value: str) -> str:
    """A keyed digest of `value` (HMAC-SHA256 under SECRET_KEY, 16 hex digits); empty and None stay as they are.

    The same text gives the same digest while SECRET_KEY is the same, so a reader sees that a field
    changed, or came back to an earlier value, without any way to read or guess it (a plain hash of
    an e-mail address could be found by trying addresses; a keyed one cannot without the key).
    """
    if value in ("", "None"):
        return value
    return MASK_PREFIX + salted_hmac("citypocket.audit.mask", value, algorithm="sha256").hexdigest()[:16]

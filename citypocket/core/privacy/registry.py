"""The declarations of personal data: what each app keeps about a person, and the rule that erases it.

Each CityPocket app lists its declarations in `<app>/privacy.py` as `PERSONAL_DATA`; `discover()`
(called by `CoreConfig.ready`) collects them, in the order of INSTALLED_APPS. One declaration per
model says where the person is (`user`: an ORM path such as `author` or
`response__user`, or a lookup for rows that name the person another way), which fields the export
shows, the erasure rule (`rules.py`) and what the GDPR's record of processing activities
(art. 30) needs: purpose, legal basis, people concerned, recipients, retention.

`list_undeclared()` walks every installed model: one with a relation to the user model, or with a
field that names a person (e-mail, username, address, session), must be declared — as personal
data, or as `NotPersonal` with the reason. A system check and a test call it, so a new model with
a link to an account cannot be forgotten by the export and the erasure.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from citypocket.core.privacy.rules import Anonymise, Rule, WithParent

# Fields that name a person without being a foreign key to the account.
IDENTIFYING_FIELDS = frozenset({
    "email", "user_email", "username", "ip", "ip_address", "user_agent", "session_key", "session_data",
})


# Phrases many declarations share (one translation each).
WHILE_THE_ACCOUNT_EXISTS = _("While the account exists; erased with it.")
THE_PERSON_ONLY = _("The person only.")
THE_CITY_STAFF = _("The staff of the city concerned, each within their role.")
THE_PLATFORM_ADMINISTRATORS = _("The platform's administrators.")


class LegalBasis(models.TextChoices):
    """GDPR art. 6(1). A city is a public authority: legitimate interests (f) do not serve its tasks."""

    CONSENT = "consent", _("Consent of the person (GDPR art. 6(1)(a))")
    CONTRACT = "contract", _("The terms of use the person accepted (GDPR art. 6(1)(b))")
    LEGAL_OBLIGATION = "legal_obligation", _("A legal obligation of the controller (GDPR art. 6(1)(c))")
    PUBLIC_TASK = "public_task", _("A task in the public interest of the city (GDPR art. 6(1)(e))")


class Subjects(models.TextChoices):
    PEOPLE = "people", _("People with an account (residents, visitors)")
    STAFF = "staff", _("City staff")


@dataclass(frozen=True)
class PersonalData:
    """The personal rows of one model, found through its link to the account, and how to export and
    erase them."""

    model: type[models.Model]
    user: str | Callable[[Any], Q]  # ORM path to the account, or user -> Q for rows naming them otherwise
    export: tuple[str, ...]  # ORM paths shown in the export, each a key of the exported rows
    erase: Rule
    purpose: Any
    basis: str
    retention: Any
    recipients: Any
    subjects: str = Subjects.PEOPLE
    transfers: Any = ""  # recipients outside the EU, if any
    city: str | None = None  # ORM path to the City when the model has no `city` of its own
    secret_pk: bool = False  # the primary key is a secret (a session key): rows are named by its digest
    title: Any = ""  # what the rows are, for people, when the model's verbose name does not say it
    app: str = ""  # the declaring app's label, filled in by discover()

    @property
    def key(self) -> str:
        """`app_label.model`: a model is declared once, whatever the number of its links."""
        return self.model._meta.label_lower

    @property
    def link(self) -> str | None:
        """The foreign key of the model that points at the account, when the path is one step."""
        return self.user if isinstance(self.user, str) and "__" not in self.user else None

    def row_id(self, pk) -> str:
        """How the export names a row: its primary key, or a digest of it when the key is a secret."""
        if self.secret_pk:
            return salted_hmac("citypocket.privacy.row", str(pk), algorithm="sha256").hexdigest()[:16]
        return str(pk)

    def lookup(self, user) -> Q:
        return self.user(user) if callable(self.user) else Q(**{self.user: user})

    def rows(self, user) -> models.QuerySet:
        """The rows of `user`, in a stable order."""
        return self.model._default_manager.filter(self.lookup(user)).order_by("pk")

    @property
    def city_path(self) -> str | None:
        """The path to the row's city: the model's own `city`, else the declared path; None when the
        rows belong to no city in particular (the account, sign-in)."""
        if "city" in {f.name for f in self.model._meta.concrete_fields}:
            return "city"
        return self.city

    def label(self, path: str) -> str:
        """The name of an exported field, for people: the verbose name of its first step."""
        first = path.split("__")[0]
        try:
            return str(self.model._meta.get_field(first).verbose_name)
        except FieldDoesNotExist:
            return path


@dataclass(frozen=True)
class NotPersonal:
    """A model that the walk would take for personal data and is not, with the reason."""

    model: type[models.Model]
    reason: Any
    app: str = ""


_declarations: list[PersonalData] = []
_not_personal: list[NotPersonal] = []


def discover() -> None:
    """Collects `PERSONAL_DATA` from the `privacy` module of every CityPocket app (idempotent)."""
    _declarations.clear()
    _not_personal.clear()
    for config in apps.get_app_configs():
        if not config.name.startswith("citypocket.") or config.label == "core":
            continue
        try:
            module = import_module(f"{config.name}.privacy")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.privacy":
                raise
            continue
        for item in getattr(module, "PERSONAL_DATA", ()):
            kind = NotPersonal if isinstance(item, NotPersonal) else PersonalData
            target = _not_personal if kind is NotPersonal else _declarations
            target.append(replace(item, app=config.label))


def list_declarations() -> list[PersonalData]:
    """Every declaration, app by app in the order of INSTALLED_APPS, as each app lists them."""
    return list(_declarations)


def list_not_personal() -> list[NotPersonal]:
    return list(_not_personal)


# --- Walking the models -------------------------------------------------------------------------


def _resolve(model, path: str):
    """The fields along `path` from `model`; raises FieldDoesNotExist."""
    fields = []
    for name in path.split("__"):
        found = model._meta.get_field(name)
        fields.append(found)
        if found.is_relation and found.related_model is not None:
            model = found.related_model
    return fields


def user_links(model) -> list[str]:
    """The names of `model`'s foreign keys (and one-to-ones) to the user model. A many-to-many
    relation is a table of its own with such a key (`include_auto_created` walks it)."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return [f.name for f in model._meta.concrete_fields if f.is_relation and f.related_model is user_model]


def identifying_fields(model) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.name in IDENTIFYING_FIELDS]


def list_undeclared() -> list[str]:
    """Installed models with a link to an account, or a field naming a person, that nobody declared."""
    declared = {(d.model, d.user) for d in _declarations if isinstance(d.user, str)}
    exempt = {n.model for n in _not_personal}
    declared_models = {d.model for d in _declarations} | exempt
    problems = []
    for model in apps.get_models(include_auto_created=True):
        if model is apps.get_model(settings.AUTH_USER_MODEL) and model not in declared_models:
            problems.append(f"{model._meta.label}: the account itself is not declared")
        for link in user_links(model):
            if (model, link) not in declared and model not in exempt:
                problems.append(f"{model._meta.label}.{link} points to an account and is not declared")
        if identifying_fields(model) and model not in declared_models:
            names = ", ".join(identifying_fields(model))
            problems.append(f"{model._meta.label} has a field naming a person ({names}) and is not declared")
    return problems


def list_declaration_errors() -> list[str]:
    """Declarations that cannot work: unknown fields, a path that does not reach an account, a rule
    that does not fit its link."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    declared_models = {d.model for d in _declarations}
    errors = [f"{model._meta.label} is declared more than once" for model in declared_models
              if sum(d.model is model for d in _declarations) > 1]
    for d in _declarations:
        where = f"{d.app}: {d.key}"
        try:
            if isinstance(d.user, str) and _resolve(d.model, d.user)[-1].related_model is not user_model:
                errors.append(f"{where}: {d.user} does not lead to the user model")
            for path in d.export:
                _resolve(d.model, path)
            if d.city_path:
                _resolve(d.model, d.city_path)
        except FieldDoesNotExist as error:
            errors.append(f"{where}: {error}")
            continue
        if isinstance(d.erase, Anonymise):
            link = d.model._meta.get_field(d.link) if d.link else None
            if link is None or not link.null:
                errors.append(f"{where}: Anonymise needs a nullable foreign key to the account, not {d.user}")
        if isinstance(d.erase, WithParent) and d.erase.parent not in declared_models:
            errors.append(f"{where}: its parent {d.erase.parent._meta.label} is not declared")
    return errors


def check_personal_data(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """System check: every declaration works and every personal model is declared."""
    messages = [checks.Error(message, id="privacy.E001") for message in list_declaration_errors()]
    messages += [checks.Error(message, hint="Declare it in the app's privacy.py (docs/privacy.md).",
                              id="privacy.E002") for message in list_undeclared()]
    return messages

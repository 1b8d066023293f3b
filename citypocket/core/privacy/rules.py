"""Erasure rules: what happens to each kind of personal row when its person deletes the account.

A rule is applied to the person's rows of one model (a QuerySet of at most a few hundred rows,
found before anything was changed), inside the one transaction of the erasure:

* `Delete` — the rows are deleted;
* `Anonymise` — the rows stay, their link to the account is emptied (and the listed fields set to
  the given values): what the city must keep (an audit log, a used census identity, a vote
  already counted) and that without the link names nobody;
* `Authored` — content the person wrote (a proposal, a comment, a free-text answer): as the person
  chooses (`Content`), deleted, or kept without the author and with its text replaced by a
  placeholder in the city's language. A row that other people's content hangs on (replies to a
  comment) is never deleted: its text is replaced, whatever the choice;
* `WithParent` — rows that belong to another declared row (a ballot's items, a subscription's
  deliveries) and go, or stay anonymous, with it;
* `Custom` — a function, with the sentence that states its rule (the ballots of a vote);
* `Keep` — the rows stay as they are, because the right to erasure does not reach them (GDPR
  art. 17(3)): an append-only record the city must keep, such as the audit log of its back office.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

PLACEHOLDER = _("[Removed by its author]")


class Content(models.TextChoices):
    """What the person chooses for what they wrote, when they delete their account."""

    REMOVE = "remove", _("Delete what I wrote")
    REPLACE = "replace", _("Keep it without my name, its text replaced by “[Removed by its author]”")


class Rule(Protocol):
    def apply(self, rows: models.QuerySet, *, declaration, user, content: str) -> None: ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class Delete:
    def apply(self, rows, *, declaration, user, content) -> None:
        rows.delete()

    def describe(self) -> str:
        return gettext("Deleted.")


@dataclass(frozen=True)
class Anonymise:
    values: dict[str, Any] = field(default_factory=dict)  # other fields set on erasure, e.g. {"ip": None}
    note: Any = ""  # why the row is kept

    def apply(self, rows, *, declaration, user, content) -> None:
        rows.update(**{declaration.link: None, **self.values})

    def describe(self) -> str:
        sentence = gettext("Kept without the link to the account.")
        return f"{sentence} {self.note}".strip()


@dataclass(frozen=True)
class Keep:
    reason: Any  # why the right to erasure does not reach these rows

    def apply(self, rows, *, declaration, user, content) -> None:
        pass

    def describe(self) -> str:
        sentence = gettext("Kept unchanged (GDPR art. 17(3)).")
        return f"{sentence} {self.reason}"


@dataclass(frozen=True)
class Authored:
    text: tuple[str, ...]  # fields whose text is the person's: replaced by the placeholder
    clear: tuple[str, ...] = ()  # other fields emptied when the row is kept (a place the person gave)
    only: Q | None = None  # the rows holding text (e.g. free-text answers); the others are left alone
    kept_when: Callable[[models.QuerySet, Any], models.QuerySet] | None = None  # rows others' content hangs on

    def apply(self, rows, *, declaration, user, content) -> None:
        if self.only is not None:
            rows = rows.filter(self.only)
        if content == Content.REMOVE:
            kept = set(self.kept_when(rows, user).values_list("pk", flat=True)) if self.kept_when else set()
            rows.exclude(pk__in=kept).delete()
            rows = rows.model._default_manager.filter(pk__in=kept)
        cleared = {name: None if rows.model._meta.get_field(name).null else "" for name in self.clear}
        unlinked = {declaration.link: None} if declaration.link else {}
        for language, pks in _by_language(rows, declaration.city_path).items():
            with translation.override(language):
                placeholder = str(PLACEHOLDER)
            rows.model._default_manager.filter(pk__in=pks).update(
                **{name: placeholder for name in self.text}, **cleared, **unlinked)

    def describe(self) -> str:
        return gettext(
            "As the person chooses: deleted, or kept without the author with the text replaced by "
            "“[Removed by its author]”. Kept with the text replaced when other people's contributions "
            "depend on it.")


@dataclass(frozen=True)
class WithParent:
    parent: type[models.Model]

    def apply(self, rows, *, declaration, user, content) -> None:
        """Nothing of its own: the parent's rule deletes these rows (CASCADE) or keeps them anonymous."""

    def describe(self) -> str:
        return gettext("Deleted or kept with its %(parent)s.") % {"parent": self.parent._meta.verbose_name}


@dataclass(frozen=True)
class Custom:
    function: Callable[..., None]  # function(rows, user=..., content=...)
    rule: Any  # the sentence stating the rule, for the export, the record and the docs

    def apply(self, rows, *, declaration, user, content) -> None:
        self.function(rows, user=user, content=content)

    def describe(self) -> str:
        return str(self.rule)


def _by_language(rows, city_path: str | None) -> dict[str, list]:
    """The rows' primary keys by the default language of their city (the platform's when none)."""
    groups: dict[str, list] = {}
    if city_path is None:
        return {settings.LANGUAGE_CODE: list(rows.values_list("pk", flat=True))} if rows.exists() else {}
    for pk, language in rows.values_list("pk", f"{city_path}__default_language"):
        groups.setdefault(language or settings.LANGUAGE_CODE, []).append(pk)
    return groups

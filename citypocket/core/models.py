"""Platform tables that belong to no domain: the answers already given to form posts that carried an
idempotency key (see core/idempotency.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotentAnswer(models.Model):
    """The answer a form post gave, kept so that the same post sent again gets it back unchanged.

    Neither the key nor the answer is readable here: `key_digest` is a SHA-256 of the key (a random
    UUID only the sending device knows) with its scope and owner, and `sealed_answer` is the answer
    encrypted with a key derived from that UUID. A safety receipt code, shown once and never stored
    in clear, stays unreadable in a database dump.
    """

    scope = models.CharField(_("scope"), max_length=60)
    key_digest = models.CharField(_("key digest"), max_length=64)
    sealed_answer = models.TextField(_("sealed answer"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotent answer")
        verbose_name_plural = _("idempotent answers")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key_digest"], name="core_idempotent_answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key_digest[:8]}"

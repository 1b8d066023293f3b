"""Shared by the participation endpoints: CSRF for session writes (its one place is core.http)."""

from citypocket.core.http import CsrfFailed, enforce_csrf

__all__ = ["CsrfFailed", "enforce_csrf"]

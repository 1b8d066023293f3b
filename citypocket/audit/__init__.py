"""Audit log of the back office: who changed what, in which city; readable by the city's admins, append-only.

See docs/audit.md. Record an event that is not a model change with `citypocket.audit.services.record`.
"""

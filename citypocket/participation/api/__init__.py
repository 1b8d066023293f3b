"""The participation API under /api/v1/cities/{city}/…: processes, residency, budgets, proposals,
surveys and meetings. Citizens write with their session and the CSRF token; every write is
rate-limited."""

from ninja import Router

from citypocket.participation.api import accountability, budgets, meetings, processes, proposals, surveys

router = Router(tags=["participation"])
for module in (processes, budgets, proposals, surveys, meetings, accountability):
    router.add_router("", module.router)

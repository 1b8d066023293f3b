"""Congestion of counting points (TrafficFlowObserved: vehicle_flow veh/h, occupancy 0..1).

The state comes from the loop-detector occupancy rate (share of time a vehicle is over the loop),
the usual congestion indicator of French road operators. Thresholds (documented in
docs/mobility.md; to be tuned per road with the operator):

    occupancy < 15 %        fluide
    15 % <= occ < 25 %      pré-saturé
    25 % <= occ < 40 %      saturé
    occ >= 40 %             bloqué

Without a fresh occupancy reading the state is `unknown` (never a guess from flow alone: a low flow
means both an empty road and a blocked one).
"""

from django.utils.translation import gettext_lazy as _

FLUIDE = "fluide"
PRE_SATURE = "pre_sature"
SATURE = "sature"
BLOQUE = "bloque"
UNKNOWN = "unknown"

THRESHOLDS = ((0.15, FLUIDE), (0.25, PRE_SATURE), (0.40, SATURE))
LABELS = {
    FLUIDE: _("Free-flowing"),
    PRE_SATURE: _("Heavy"),
    SATURE: _("Saturated"),
    BLOQUE: _("Blocked"),
    UNKNOWN: _("Unknown"),
}
# How much a congested approach lowers a car park's search score (points out of 100).
APPROACH_PENALTY = {PRE_SATURE: 5.0, SATURE: 15.0, BLOQUE: 30.0}
APPROACH_REASONS = {
    PRE_SATURE: _("Ranked down: traffic is heavy on the approach."),
    SATURE: _("Ranked down: traffic is saturated on the approach."),
    BLOQUE: _("Ranked down: traffic is blocked on the approach."),
}
# Counting points within this distance of a car park are on its approach.
APPROACH_RADIUS_M = 500.0
SEVERITY = {UNKNOWN: -1, FLUIDE: 0, PRE_SATURE: 1, SATURE: 2, BLOQUE: 3}


def congestion(occupancy: float | None) -> str:
    """The congestion state for an occupancy rate in 0..1 (None -> unknown)."""
    if occupancy is None:
        return UNKNOWN
    for limit, state in THRESHOLDS:
        if occupancy < limit:
            return state
    return BLOQUE

"""CO₂ avoided by leaving the car at a park-and-ride instead of driving into the centre.

Assumptions (sources in docs/mobility.md, "CO₂ avoided"):
- the car would have driven from the park-and-ride to the destination: great-circle distance x
  ROAD_DETOUR (1.3, a usual urban circuity factor), plus CIRCLING_KM (1.0 km) spent looking for a
  space in the centre (cruising for parking);
- car: CAR_KG_PER_KM = 0.218 kg CO₂e per vehicle-km (ADEME impactCO2 / Base Carbone, average
  internal-combustion car, manufacture included), one occupant;
- the same distance by tram: 0.0042 kg/passenger-km, by bus: 0.113 kg/passenger-km (ADEME
  impactCO2), chosen from the line's name (tram / TEOR-BRT / bus). One way, one person.
"""

from dataclasses import dataclass

from citypocket.core.geo import haversine_m

ROAD_DETOUR = 1.3
CIRCLING_KM = 1.0
CAR_KG_PER_KM = 0.218
TRAM_KG_PER_KM = 0.0042
BUS_KG_PER_KM = 0.113


@dataclass(frozen=True, slots=True)
class Co2Estimate:
    car_km: float
    car_kg: float
    transit_kg: float
    avoided_kg: float


def transit_factor(line: str) -> float:
    name = line.lower()
    if "tram" in name or (name.startswith("t") and name[1:2].isdigit() and "teor" not in name):
        return TRAM_KG_PER_KM
    return BUS_KG_PER_KM


def avoided(*, park_and_ride: tuple[float, float], destination: tuple[float, float], transit_line: str) -> Co2Estimate:
    distance_km = haversine_m(*park_and_ride, *destination) / 1000 * ROAD_DETOUR
    car_km = distance_km + CIRCLING_KM
    car_kg = car_km * CAR_KG_PER_KM
    transit_kg = distance_km * transit_factor(transit_line or "bus")
    return Co2Estimate(
        round(car_km, 2), round(car_kg, 3), round(transit_kg, 3), round(max(0.0, car_kg - transit_kg), 2)
    )

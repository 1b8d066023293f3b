"""Observed properties, their canonical units and the unit conversions the engine accepts.

Concentrations are stored in µg/m³. Gas mixing ratios (ppb, ppm) are converted with the
molar volume at 20 °C and 1013.25 hPa (24.055 L/mol), the reference conditions of the EU
air-quality directive 2008/50/EC (annex VI): µg/m³ = ppb * M / 24.055, with M in g/mol.
Particulate matter has no molar mass, so ppb is refused for it.
"""

import math

UG_M3 = "ug/m3"
ONE = "1"
VEH_H = "veh/h"

MOLAR_VOLUME_20C = 24.055  # L/mol at 293.15 K, 101.325 kPa
MOLAR_MASS = {  # g/mol
    "no2": 46.0055,
    "no": 30.0061,
    "o3": 47.9982,
    "so2": 64.066,
    "co": 28.0101,
    "nh3": 17.0305,
    "c6h6": 78.1118,
}
PPB_TO_UG_M3 = {gas: mass / MOLAR_VOLUME_20C for gas, mass in MOLAR_MASS.items()}

CONCENTRATIONS = {"no2", "no", "nox", "o3", "so2", "co", "nh3", "c6h6", "pm10", "pm25", "pm1"}
PROPERTIES: dict[str, str] = {
    **{name: UG_M3 for name in CONCENTRATIONS},
    "available_spots": ONE,
    "total_spots": ONE,
    "occupancy": ONE,
    "vehicle_flow": VEH_H,
    "average_speed": "km/h",
    "temperature": "Cel",
    "relative_humidity": ONE,
    "noise_level": "dB(A)",
}
# Upper bounds that no real sensor reaches: a value above is a fault, not a pollution episode.
MAX_VALUE = {UG_M3: 100_000.0, VEH_H: 100_000.0, "km/h": 400.0, "dB(A)": 200.0}

# Spellings of the same unit, folded before conversion.
_ALIASES = {
    "ug/m3": UG_M3,
    "µg/m3": UG_M3,
    "μg/m3": UG_M3,
    "ug/m³": UG_M3,
    "µg/m³": UG_M3,
    "μg/m³": UG_M3,
    "ugm-3": UG_M3,
    "gq": UG_M3,  # UN/CEFACT code for microgram per cubic metre (used by Smart Data Models)
    "mg/m3": "mg/m3",
    "mg/m³": "mg/m3",
    "gp": "mg/m3",  # UN/CEFACT milligram per cubic metre
    "ng/m3": "ng/m3",
    "ng/m³": "ng/m3",
    "ppb": "ppb",
    "61": "ppb",  # UN/CEFACT part per billion
    "ppm": "ppm",
    "59": "ppm",  # UN/CEFACT part per million
    "1": ONE,
    "c62": ONE,  # UN/CEFACT "one"
    "count": ONE,
    "spots": ONE,
    "{spots}": ONE,
    "fraction": ONE,
    "%": "%",
    "p1": "%",  # UN/CEFACT percent
    "percent": "%",
    "veh/h": VEH_H,
    "vehicles/h": VEH_H,
    "veh/min": "veh/min",
    "km/h": "km/h",
    "kmh": "km/h",
    "cel": "Cel",
    "°c": "Cel",
    "db(a)": "dB(A)",
    "dba": "dB(A)",
    "2n": "dB(A)",
}


class UnitError(ValueError):
    """The value cannot be expressed in the datastream's unit, or is out of bounds; the message is the reason."""


def fold_unit(unit: str) -> str:
    return _ALIASES.get(str(unit).strip().lower().replace(" ", ""), str(unit).strip())


def convert(*, property: str, value: float, unit: str, target: str) -> float:
    """`value` in `unit` expressed in `target` (the datastream's unit); raises UnitError with the reason."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UnitError("value is not a number")
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        raise UnitError("value is not finite (NaN or infinity)")
    source = fold_unit(unit)
    goal = fold_unit(target)
    if source == goal:
        result = value
    elif goal == UG_M3 and source == "mg/m3":
        result = value * 1000.0
    elif goal == UG_M3 and source == "ng/m3":
        result = value / 1000.0
    elif goal == UG_M3 and source in ("ppb", "ppm"):
        factor = PPB_TO_UG_M3.get(property)
        if factor is None:
            raise UnitError(f"unit {unit!r} cannot be converted for {property} (no molar mass)")
        result = value * factor * (1000.0 if source == "ppm" else 1.0)
    elif goal == ONE and source == "%" and property in ("occupancy", "relative_humidity"):
        result = value / 100.0
    elif goal == VEH_H and source == "veh/min":
        result = value * 60.0
    else:
        raise UnitError(f"unknown unit {unit!r} for {property} (expected {target})")
    check_bounds(property=property, value=result, unit=goal)
    return result


def check_bounds(*, property: str, value: float, unit: str) -> None:
    if math.isnan(value) or math.isinf(value):
        raise UnitError("value is not finite (NaN or infinity)")
    if property in CONCENTRATIONS and value < 0:
        raise UnitError(f"negative concentration for {property}")
    if value < 0 and property in ("available_spots", "total_spots", "occupancy", "vehicle_flow", "relative_humidity"):
        raise UnitError(f"negative value for {property}")
    if property in ("occupancy", "relative_humidity") and value > 1:
        raise UnitError(f"{property} must be a fraction between 0 and 1")
    ceiling = MAX_VALUE.get(unit)
    if ceiling is not None and value > ceiling:
        raise UnitError(f"value {value:g} {unit} is above the plausible maximum {ceiling:g}")

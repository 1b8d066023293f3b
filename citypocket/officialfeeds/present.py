"""Words for the levels and the watering answer, in the active language (pages, API and alert texts)."""

from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from citypocket.officialfeeds import vigieau
from citypocket.officialfeeds.models import WarningLevel, WaterLevel

WATER_SEVERITY = {"none": 0, "vigilance": 0, "alerte": 1, "alerte_renforcee": 2, "crise": 3}
WARNING_SEVERITY = {"green": 0, "yellow": 1, "orange": 2, "red": 3}
VIGIEAU_SITE = "https://vigieau.gouv.fr/"
VIGILANCE_SITE = "https://vigilance.meteofrance.fr/fr"


def phenomenon_label(name: str) -> str:
    return {
        "wind": _("Wind"),
        "rain_flood": _("Rain and flooding"),
        "thunderstorms": _("Thunderstorms"),
        "floods": _("River floods"),
        "snow_ice": _("Snow and ice"),
        "heatwave": _("Heatwave"),
        "extreme_cold": _("Extreme cold"),
        "avalanches": _("Avalanches"),
        "waves_submersion": _("Waves and coastal flooding"),
    }.get(name, name)


def water_level_label(level: str) -> str:
    return str(WaterLevel(level).label) if level in WaterLevel.values else level


def warning_level_label(level: str) -> str:
    return str(WarningLevel(level).label) if level in WarningLevel.values else level


def hours(window) -> str:
    start, end = window
    return f"{time_format(start, 'H:i')}\u2013{time_format(end, 'H:i')}"


def watering_sentence(answer: vigieau.WateringAnswer) -> str:
    """ "Yes", "No", or "Yes, outside 09:00-19:00" in the active language."""
    if answer.answer == "no":
        return _("No, watering a garden is forbidden today.")
    if answer.answer == "outside_hours":
        return _("Yes, outside %(hours)s.") % {"hours": ", ".join(hours(w) for w in answer.windows)}
    return _("Yes, no rule forbids watering a garden today.")


def water_texts(*, place: str, old_level: str | None, new_level: str, answer) -> dict:
    """Title and body of a water-restriction change, in French and in English."""
    texts = {}
    for language in ("fr", "en"):
        with override(language):
            values = {
                "place": place,
                "level": water_level_label(new_level),
                "old": water_level_label(old_level) if old_level else _("no level"),
            }
            texts[language] = {
                "title": _("Water-use restrictions in %(place)s: %(level)s") % values,
                "body": _(
                    "The drought order now sets the level %(level)s (before: %(old)s). "
                    "Can I water my garden today? %(answer)s"
                )
                % {**values, "answer": watering_sentence(answer)},
            }
    return texts


def warning_texts(*, department: str, old_level: str | None, new_level: str, phenomena: dict) -> dict:
    """Title and body of a weather-warning change, in French and in English."""
    texts = {}
    for language in ("fr", "en"):
        with override(language):
            worst = [phenomenon_label(name) for name, colour in phenomena.items() if colour == new_level]
            values = {
                "department": department,
                "level": warning_level_label(new_level),
                "old": warning_level_label(old_level) if old_level else _("no level"),
                "phenomena": ", ".join(worst) or "-",
            }
            texts[language] = {
                "title": _("Weather warning %(level)s for the département %(department)s") % values,
                "body": _("Météo-France sets the warning level %(level)s (before: %(old)s) for: %(phenomena)s.")
                % values,
            }
    return texts


def _clock(value) -> str:
    return value.strftime("%H:%M")


def water_dict(row, answer: vigieau.WateringAnswer) -> dict:
    """A stored commune state as the API and the page show it (labels in the active language)."""
    rules = [
        {"theme": r.get("theme", ""), "name": r.get("name", ""), "description": r.get("description", "")}
        for r in row.rules
    ]
    watering = [r for r in rules if vigieau.Rule(**r).is_watering]
    return {
        "city": row.city.slug,
        "commune": row.commune_code,
        "commune_name": row.commune_name,
        "level": row.level,
        "label": water_level_label(row.level),
        "severity": WATER_SEVERITY.get(row.level, 0),
        "watering": {
            "answer": answer.answer,
            "forbidden_hours": [{"start": _clock(s), "end": _clock(e)} for s, e in answer.windows],
            "text": watering_sentence(answer),
        },
        "watering_rules": watering,
        "other_rules": [r for r in rules if r not in watering],
        "zone": row.zone_name,
        "order_start": row.order_start,
        "order_end": row.order_end,
        "source_url": row.order_url or VIGIEAU_SITE,
        "level_since": row.changed_at,
        "fetched_at": row.fetched_at,
        "demo": row.is_demo,
    }


def warning_dict(row) -> dict:
    """A stored weather warning as the API and the page show it."""
    return {
        "city": row.city.slug,
        "department": row.department,
        "level": row.level,
        "label": warning_level_label(row.level),
        "phenomena": [
            {"phenomenon": name, "label": phenomenon_label(name), "level": colour}
            for name, colour in sorted(row.phenomena.items(), key=lambda item: -WARNING_SEVERITY.get(item[1], 0))
        ],
        "bulletin_time": row.updated_at,
        "level_since": row.changed_at,
        "fetched_at": row.fetched_at,
        "source_url": VIGILANCE_SITE,
        "demo": row.is_demo,
    }

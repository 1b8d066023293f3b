"""`official_level_changed`: sent when an official feed's level changes for an area of a city.

Contract (keyword arguments, all always given; docs/officialfeeds.md):

- `sender`: the model class of the state (`WaterRestriction` or `WeatherWarning`).
- `city`: the `cities.City`.
- `kind`: `"water_restriction"` or `"weather_warning"`.
- `area`: `{"communes": ["13001"]}` (INSEE codes) or `{"department": "13"}`.
- `old_level`: the previous level, `None` the first time an area is read.
- `new_level`: water `none | vigilance | alerte | alerte_renforcee | crise`; weather
  `green | yellow | orange | red`.
- `severity`: 0 (nothing to do) to 3 (the worst: crise / red), for both kinds.
- `texts`: `{"fr": {"title", "body"}, "en": {"title", "body"}}`, plain text ready to publish.
- `url`: the official source (the order's PDF, or the Météo-France vigilance page).
- `changed_at`: aware datetime of the change; `is_demo`: True for demo data.

Sent after the transaction that stored the change commits (never for a rolled-back one), once per
change: a refresh that reads the same level sends nothing. The first reading of an area sends only
when its level is not the quiet one (`none` / `green`).
"""

from django.dispatch import Signal

official_level_changed = Signal()

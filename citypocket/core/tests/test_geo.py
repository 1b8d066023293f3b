"""Great-circle distances: one formula, in core, used by every app."""

import math
import re
from pathlib import Path

import pytest

from citypocket.core.geo import EARTH_RADIUS_M, haversine_m

PACKAGE = Path(__file__).resolve().parents[2]


def test_haversine_gives_known_distances():
    """A degree of latitude is 111.2 km on the mean sphere; antipodes are half the circumference apart."""
    assert haversine_m(49.0, 1.0, 50.0, 1.0) == pytest.approx(111_195, abs=1)
    assert haversine_m(0.0, 0.0, 0.0, 180.0) == pytest.approx(math.pi * EARTH_RADIUS_M)
    assert haversine_m(49.4431, 1.0993, 49.4431, 1.0993) == 0
    # Paris (Notre-Dame) to London (Charing Cross): about 344 km as the crow flies.
    assert 343_000 < haversine_m(48.8530, 2.3499, 51.5073, -0.1276) < 345_000


def test_no_app_carries_its_own_great_circle_formula():
    """The haversine lives in core.geo only: a second copy drifts (they had two Earth radii)."""
    copies = [
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if "tests" not in path.parts and path.name != "geo.py"
        and re.search(r"\basin\(|\batan2\(", path.read_text(encoding="utf-8"))
    ]
    assert copies == []

"""CityPocket: an open-source, multi-city citizen platform."""

__version__ = "0.1.0"

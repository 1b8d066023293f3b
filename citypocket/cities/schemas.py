from ninja import Schema


class LatLon(Schema):
    lat: float
    lon: float


class CityOut(Schema):
    slug: str
    name: str
    official_name: str
    insee_codes: list[str]
    centre: LatLon
    bbox: list[float]
    timezone: str
    default_language: str
    languages: list[str]
    brand_colour: str
    tile_url: str
    tile_attribution: str

    @staticmethod
    def resolve_centre(obj) -> dict:
        return {"lat": obj.centre_lat, "lon": obj.centre_lon}

    @staticmethod
    def resolve_bbox(obj) -> list[float]:
        return list(obj.bbox)

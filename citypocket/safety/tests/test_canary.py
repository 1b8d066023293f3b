"""The canary: reports carry unique markers in place name, text, contact, exact point and time; no
public output of the platform — API, pages, exports, hotspots, errors, logs — ever shows one."""

import datetime as dt
import json

import h3
import pytest
from django.test import Client

from citypocket.safety.demo import load_demo
from citypocket.safety.models import HarassmentReport
from citypocket.safety.tests.conftest import distant_cells, published_period
from testsupport import login

pytestmark = pytest.mark.django_db

API = "/api/v1/cities/{city}/safety"


def test_no_public_output_reveals_anything_about_a_report(rouen, aix, citizen, marker, caplog, capsys):
    """Twelve canary reports (one published cell) and a few more; every public surface is scanned."""
    load_demo()
    # Only the canary reports: the demo's simulated hotspot reports would add cells of their own.
    HarassmentReport.objects.filter(receipt_hash__startswith="demo-").delete()
    caplog.set_level("DEBUG")
    period = published_period()
    occurred = dt.datetime.combine(period.replace(day=9), dt.time(20, 13, 37)).isoformat() + "+01:00"
    (cell,) = distant_cells(rouen, 1)
    centre_lat, centre_lon = h3.cell_to_latlng(cell)
    secrets: list[str] = [occurred[:19]]
    codes = []
    client = Client()
    signed_in = login(Client(), citizen, mfa=False)
    for i in range(14):
        lat, lon = round(centre_lat + 0.000011 * (i % 4), 7), round(centre_lon + 0.000013 * (i // 4), 7)
        body = {"category": "touching" if i % 2 else "threats", "occurred_at": occurred, "role": "witness",
                "lat": lat, "lon": lon, "place_name": marker("place"), "description": marker("text"),
                "contact": marker("contact") + "@example.org"}
        secrets += [body["place_name"], body["description"], body["contact"], f"{lat:.7f}"[:9], f"{lon:.7f}"[:8]]
        sender = signed_in if i == 0 else client  # a signed-in citizen is not linked to the report either
        response = sender.post(API.format(city="rouen") + "/reports", json.dumps(body),
                               content_type="application/json", REMOTE_ADDR=f"198.51.100.{i}")
        assert response.status_code == 201, response.content
        codes.append(response.json()["receipt_code"])
        public_outputs = [response.content]
    HarassmentReport.objects.update(received_on=period.replace(day=12))
    ids = [str(pk) for pk in HarassmentReport.objects.values_list("pk", flat=True)]
    secrets += ids + [pk[:8] for pk in ids] + [pk.replace("-", "") for pk in ids]
    secrets += [s.replace(".", ",") for s in secrets if s[:2].isdigit()]  # French number formatting

    # Errors must not echo what was sent either.
    leaky = {"category": "touching", "occurred_at": occurred, "lat": 43.5, "lon": 5.4,
             "place_name": marker("place"), "description": marker("text"), "contact": marker("contact")}
    secrets += [leaky["place_name"], leaky["description"], leaky["contact"]]
    public_outputs.append(client.post(API.format(city="rouen") + "/reports", json.dumps(leaky),
                                      content_type="application/json").content)
    public_outputs.append(client.post(API.format(city="rouen") + "/reports",
                                      json.dumps(leaky | {"category": "nope", "description": "x" * 5000}),
                                      content_type="application/json").content)
    public_outputs.append(client.post(API.format(city="aix-en-provence") + "/reports", json.dumps(leaky),
                                      content_type="application/json").content)
    # The HTML form re-displays what its sender typed (to that sender only, never cached): not public,
    # but its status and the logs are checked below with everything else.
    own = client.post("/rouen/safety/report/", {"category": "nope", "occurred_on": "x",
                                                "description": leaky["description"]})
    assert own.status_code == 422 and "no-store" in own["Cache-Control"]

    # Follow-up: the holder of a receipt code sees status and replies, not the report's content.
    for code in codes[:2]:
        public_outputs.append(client.post(API.format(city="rouen") + "/reports/follow",
                                          json.dumps({"receipt_code": code}), content_type="application/json").content)
        public_outputs.append(client.post("/rouen/safety/follow/", {"receipt_code": code}).content)

    for city in ("rouen", "aix-en-provence"):
        base = API.format(city=city)
        for url in (base + "/hotspots", base + f"/hotspots?month={period:%Y-%m}", base + "/safe-places",
                    base + "/filmed-zones", f"/{city}/safety/", f"/{city}/safety/help/", f"/{city}/safety/report/",
                    f"/{city}/safety/follow/", f"/{city}/safety/video-protection/",
                    f"/{city}/safety/learn/street-harassment/", f"/{city}/safety/learn/nothing/"):
            response = client.get(url)
            assert response.status_code in (200, 404), (url, response.status_code)
            public_outputs.append(response.content)
    hotspots = client.get(API.format(city="rouen") + "/hotspots").json()
    assert [f["properties"]["count"] for f in hotspots["features"]] == [14]  # the data is there, aggregated
    public_outputs.append(client.get("/api/v1/openapi.json").content)
    public_outputs.append(signed_in.get("/accounts/my-data/export.json").content)

    captured = capsys.readouterr()
    public_outputs += [caplog.text.encode(), captured.out.encode(), captured.err.encode()]
    everything = b"\n".join(public_outputs).decode("utf-8", "replace")
    leaks = [secret for secret in secrets if secret in everything]
    assert leaks == []
    assert all(code not in caplog.text and code not in captured.err for code in codes)

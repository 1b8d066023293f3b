

def test_hotspots_with_year_zero_is_a_422_not_a_crash(client, rouen):
    """A month such as 0000-01 is an invalid value (problem+json 422), never a server error."""
    from testsupport import assert_problem as _assert_problem

    _assert_problem(client.get("/api/v1/cities/rouen/safety/hotspots?month=0000-01"), 422)


def test_receipt_answers_are_never_cached(client, rouen):
    """The answer that carries the receipt code says no-store."""
    response = client.post(
        "/api/v1/cities/rouen/safety/reports",
        data={"category": "verbal", "occurred_at": "2026-11-20T21:00:00+01:00", "place_name": "Place du Vieux-Marché"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]

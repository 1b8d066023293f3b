"""The edge cache in front of Django: what it keeps, for how long, and what it never keeps."""

import io

import pytest

from citypocket.core import edge


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class Origin:
    """A WSGI application that counts its calls and answers what the test set."""

    def __init__(self):
        self.calls = 0
        self.status = "200 OK"
        self.headers = [("Content-Type", "application/json"), ("Cache-Control", "public, max-age=30"),
                        ("ETag", '"v1"'), ("Vary", "Accept-Language"), ("X-Omitted-Rows", "0")]
        self.environs = []
        self.closed = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        self.environs.append(environ)
        start_response(self.status, list(self.headers))
        origin = self

        class Body(list):
            def close(self):
                origin.closed += 1

        return Body([f"answer {self.calls} {environ.get('QUERY_STRING', '')}".encode()])


@pytest.fixture
def route():
    seconds = {"value": 5}
    edge.register("test/<thing>", r"/test/\w+", seconds=lambda: seconds["value"])
    yield seconds
    edge._routes[:] = [r for r in edge._routes if r.route != "test/<thing>"]


def call(app, path="/test/a", *, method="GET", query="", **headers):
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "testserver",
               "SERVER_PORT": "80", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(),
               **{f"HTTP_{name.upper()}": value for name, value in headers.items()}}
    seen = {}

    def start_response(status, response_headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(response_headers)

    body = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], body


def test_keeps_a_public_answer_for_its_seconds(route):
    origin, clock = Origin(), Clock()
    app = edge.EdgeCache(origin, clock=clock)
    first = call(app)
    assert first[2] == b"answer 1 " and origin.closed == 1  # the origin's request_finished still runs
    clock.now += 3
    status, headers, body = call(app)
    assert (status, body, origin.calls) == ("200 OK", b"answer 1 ", 1)
    assert headers["Age"] == "3" and headers["Cache-Control"] == "public, max-age=30"
    assert headers["Vary"] == "Accept-Language"
    clock.now += 2.01
    assert call(app)[2] == b"answer 2 " and origin.calls == 2


def test_each_query_and_language_has_its_own_answer(route):
    origin = Origin()
    app = edge.EdgeCache(origin, clock=Clock())
    assert call(app, query="format=csv")[2] == b"answer 1 format=csv"
    assert call(app, query="format=ngsi-ld")[2] == b"answer 2 format=ngsi-ld"
    assert call(app, accept_language="en-GB,en;q=0.9")[2] == b"answer 3 "
    assert call(app, accept_language="en")[2] == b"answer 3 "  # the same negotiated language
    assert call(app, cookie="django_language=en")[2] == b"answer 3 "
    assert call(app, accept_language="fr-FR")[2] == b"answer 4 "
    assert call(app)[2] == b"answer 4 "  # French is the default
    assert call(app, query="format=csv")[2] == b"answer 1 format=csv"


def test_if_none_match_gets_304_without_a_body(route):
    origin = Origin()
    app = edge.EdgeCache(origin, clock=Clock())
    call(app)
    status, headers, body = call(app, if_none_match='W/"v1"')
    assert (status, body) == ("304 Not Modified", b"")
    assert headers["ETag"] == '"v1"' and headers["Vary"] == "Accept-Language" and "Age" in headers
    assert not {"Content-Type", "X-Omitted-Rows"} & set(headers)  # what a 304 must not carry
    assert call(app, if_none_match='"v0"')[0] == "200 OK"
    assert call(app, method="HEAD")[2] == b"" and origin.calls == 1


@pytest.mark.parametrize(
    "change",
    [
        {"status": "404 Not Found"},
        {"status": "304 Not Modified"},
        {"headers": [("Cache-Control", "private, max-age=30")]},
        {"headers": [("Cache-Control", "public, max-age=30"), ("Set-Cookie", "sessionid=x")]},
        {"headers": [("Content-Type", "application/json")]},
        {"headers": [("Cache-Control", "public, max-age=30"), ("Vary", "Accept-Language, Cookie")]},
        {"headers": [("Cache-Control", "public, max-age=30"), ("Vary", "*")]},
    ],
)
def test_never_keeps_errors_private_answers_or_cookies(route, change):
    origin = Origin()
    origin.status = change.get("status", origin.status)
    origin.headers = change.get("headers", origin.headers)
    app = edge.EdgeCache(origin, clock=Clock())
    call(app)
    call(app)
    assert origin.calls == 2


def test_only_registered_gets_without_credentials(route):
    origin = Origin()
    app = edge.EdgeCache(origin, clock=Clock())
    for _ in range(2):
        call(app, "/test/a/more")  # the whole path must match
        call(app, "/other")
        call(app, method="POST")
        call(app, authorization="Bearer x")
    assert origin.calls == 8
    call(app, method="HEAD")  # a HEAD does not fill the cache either
    call(app)
    call(app)
    assert origin.calls == 10
    route["value"] = 0  # zero seconds: off
    call(app)
    assert origin.calls == 11


def test_memory_is_bounded_in_bytes_oldest_first(route):
    origin, clock = Origin(), Clock()
    app = edge.EdgeCache(origin, clock=clock, max_bytes=40, max_body=20)
    for n in range(3):
        call(app, query=f"n={n}")  # 12 bytes each
    assert app.size == 36
    call(app, query="n=3")  # does not fit: the oldest goes
    assert [key[2] for key in app.entries] == ["n=1", "n=2", "n=3"] and app.size == 36
    clock.now += 10  # all expired: dropped first when room is needed
    call(app, query="n=4")
    assert [key[2] for key in app.entries] == ["n=4"] and app.size == 12
    call(app, query="n=" + "x" * 20)  # an answer over max_body is never kept
    assert len(app.entries) == 1 and app.size == 12


def test_a_revalidating_client_refreshes_the_kept_answer(route):
    """The refresh asks for the whole answer (no validators), keeps it, and the client gets its 304."""
    origin, clock = Origin(), Clock()
    app = edge.EdgeCache(origin, clock=clock)
    call(app)
    clock.now += 6
    status, _headers, body = call(app, if_none_match='"v1"', if_modified_since="Wed, 25 Nov 2026 10:00:00 GMT")
    assert (status, body) == ("304 Not Modified", b"")
    refresh = origin.environs[-1]
    assert "HTTP_IF_NONE_MATCH" not in refresh and "HTTP_IF_MODIFIED_SINCE" not in refresh
    assert call(app)[2] == b"answer 2 " and origin.calls == 2  # kept again


def test_a_failing_refresh_releases_its_claim(route):
    class Broken(Origin):
        def __call__(self, environ, start_response):
            raise RuntimeError("database down")

    app = edge.EdgeCache(Broken(), clock=Clock())
    with pytest.raises(RuntimeError):
        call(app)
    assert not app.refreshing


def test_one_request_refreshes_while_the_others_get_the_previous_answer(route):
    """No herd: while a refresh is in flight, a request gets the previous answer, unless it is too old."""
    clock, during = Clock(), []

    class Slow(Origin):
        nested = False

        def __call__(self, environ, start_response):
            if self.calls in (1, 2) and not self.nested:  # a second request arrives while these refreshes run
                self.nested = True
                during.append(call(app))
                self.nested = False
            return super().__call__(environ, start_response)

    origin = Slow()
    app = edge.EdgeCache(origin, clock=clock)
    call(app)
    clock.now += 6  # expired, less than twice the seconds old
    assert call(app)[2] == b"answer 2 "
    assert during[0][2] == b"answer 1 " and during[0][1]["Age"] == "6"
    clock.now += 10.5  # expired and more than twice the seconds old: nobody gets it any more
    assert call(app)[2] == b"answer 4 "
    assert during[1][2] == b"answer 3 "  # went to the origin itself
    assert origin.calls == 4 and not app.refreshing


def test_a_host_django_refuses_is_never_answered_from_the_edge(route, settings):
    settings.ALLOWED_HOSTS = ["citypocket.example"]
    origin = Origin()
    app = edge.EdgeCache(origin, clock=Clock())
    call(app, host="citypocket.example")
    assert call(app, host="citypocket.example")[2] == b"answer 1 "
    assert call(app, host="evil.example")[2] == b"answer 2 "  # Django's own answer (a 400 in real life)
    assert origin.calls == 2

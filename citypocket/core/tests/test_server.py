"""The production server as `citypocket run` starts it (gunicorn), on the test database: a chunked
ingest body is read whole, and no client address reaches the server's output."""

import json
import os
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from citypocket.core.management.commands.run import Command
from citypocket.core.serverworker import gunicorn_command
from citypocket.sensors.models import Observation
from citypocket.sensors.tests.factories import air_sensor
from citypocket.sensors.tests.test_http_ingest import batch, make_token
from testsupport import database_url

pytestmark = pytest.mark.django_db(transaction=True)

PROJECT_DIR = Path(__file__).resolve().parents[3]
CLIENT = "127.0.0.2"  # the tests' client address: loopback, but not the server's own




def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(threads: int = 1):
    """gunicorn with the command line of `citypocket run` (one worker, `threads` as WEB_THREADS); an
    operator's GUNICORN_CMD_ARGS asks for gunicorn's access log on stdout. Yields (base URL, stop)."""
    port = free_port()
    web = gunicorn_command(host="127.0.0.1", port=port, workers=1, threads=threads, keepalive=5)
    env = {**os.environ, "DATABASE_URL": database_url(), "SIMULATOR": "off", "PYTHONUNBUFFERED": "1",
           "GUNICORN_CMD_ARGS": "--access-logfile -"}
    process = subprocess.Popen(web, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    output = {}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                # One probe waits for the worker to load: a probe given up on would leave its connection in
                # the listening socket's queue, which a threaded worker then holds among its connections.
                if httpx.get(f"{base}/healthz", timeout=30).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("gunicorn did not start:\n" + process.communicate(timeout=10)[0].decode())
            time.sleep(0.2)

        def stop() -> str:
            if "text" not in output:
                process.terminate()
                output["text"] = process.communicate(timeout=30)[0].decode()
            return output["text"]

        yield base, stop
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=10)


@pytest.fixture
def server(rouen):
    """The web process as `citypocket run` starts it by default: one request at a time per process."""
    yield from start_server()


@pytest.fixture
def threaded_server(rouen):
    """The web process with WEB_THREADS=4: gthread keeping connections alive."""
    yield from start_server(threads=4)


def test_gunicorn_reads_a_chunked_ingest_body_and_logs_no_client_address(server, rouen):
    """A chunked POST /api/v1/ingest is stored whole; neither that request nor a malformed one leaves the client's
    address in gunicorn's or Django's output."""
    base, stop = server
    air_sensor(rouen)
    token = make_token(rouen)
    body = json.dumps(batch(40)).encode()

    def chunks():
        for start in range(0, len(body), 1000):
            yield body[start:start + 1000]

    with httpx.Client(transport=httpx.HTTPTransport(local_address=CLIENT), base_url=base, timeout=30) as http:
        response = http.post("/api/v1/ingest", content=chunks(),
                             headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        assert response.request.headers.get("Transfer-Encoding") == "chunked"
        assert response.status_code == 202, response.text
        assert response.json()["accepted"] == 40
        assert http.get("/rouen/").status_code == 200
    with socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1])), source_address=(CLIENT, 0)) as raw:
        raw.sendall(b"GET / HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n")  # refused by gunicorn itself
        assert raw.recv(100).startswith(b"HTTP/1.1 400")
    text = stop()
    assert Observation.objects.count() == 40
    assert '"route": "api/v1/ingest", "status": 202' in text, text  # Django's request line is there
    assert "Invalid request from ip=-" in text, text  # so is gunicorn's refusal, without its address
    assert CLIENT not in text, text


def test_citypocket_run_answers_one_request_at_a_time_per_process_unless_given_threads(settings):
    """By default gunicorn runs the queue worker (one request at a time per process, no keep-alive); with
    WEB_THREADS above 1, the balanced gthread worker with that many threads, its keep-alive following
    WEB_KEEPALIVE."""
    def web() -> list[str]:
        return dict(Command().processes(host="127.0.0.1", port=8000, web_workers=3))["web"]

    assert web()[web().index("--worker-class") + 1] == "citypocket.core.serverworker.QueueWorker"
    assert web()[web().index("--workers") + 1] == "3"
    assert "--threads" not in web() and "--keep-alive" not in web()
    settings.WEB_THREADS = 4
    assert web()[web().index("--worker-class") + 1] == "citypocket.core.serverworker.BalancedThreadWorker"
    assert web()[web().index("--threads") + 1] == "4"
    assert web()[web().index("--keep-alive") + 1] == "5"
    settings.WEB_KEEPALIVE = 0
    assert web()[web().index("--keep-alive") + 1] == "0"


def test_a_silent_connection_does_not_hold_the_only_process(server):
    """A client that connects and sends nothing (a browser's speculative connection) does not stop the
    one process from answering the next client, and each answer closes its connection: the client's next
    request goes to whichever process is free (docs/operations.md, "Serving")."""
    base, stop = server
    address = ("127.0.0.1", int(base.rsplit(":", 1)[1]))
    with socket.create_connection(address, timeout=30) as silent:
        time.sleep(0.5)
        started = time.monotonic()
        with socket.create_connection(address, timeout=30) as raw:
            head = answer(raw)
            assert b"\r\nConnection: close\r\n" in head, head
            assert raw.recv(1) == b"", "closed after its answer"
        assert time.monotonic() - started < 3, "answered while the silent connection stayed open"
        assert httpx.get(f"{base}/healthz", timeout=3).status_code == 200
        silent.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")  # speaks at last: answered
        assert answer(silent).startswith(b"HTTP/1.1 200")
    stop()


def answer(raw: socket.socket) -> bytes:
    """One answer to a GET of /healthz on `raw`, whole (its headers and its Content-Length of body)."""
    raw.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    received = b""
    while b"\r\n\r\n" not in received:
        received += raw.recv(65536)
    head, _, body = received.partition(b"\r\n\r\n")
    length = int(next(line.split(b":", 1)[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")))
    while len(body) < length:
        body += raw.recv(65536)
    assert head.startswith(b"HTTP/1.1 200"), head
    return head


def kept_alive(address) -> None:
    """A new connection is kept for a second request, once the worker has let go of the connections
    that just closed (its main thread counts them out as it notices their end; slower on a busy machine)."""
    deadline = time.monotonic() + 10
    while True:
        with socket.create_connection(address, timeout=30) as raw:
            if b"Connection: close" not in answer(raw):
                assert b"Connection: close" not in answer(raw), "the same connection answers a second request"
                return
        assert time.monotonic() < deadline, "no connection kept alive within 10 s"
        time.sleep(0.2)


def test_a_worker_keeps_one_connection_per_thread_and_closes_the_others_after_their_answer(threaded_server):
    """The worker (4 threads) keeps a connection for the client's next request; while it holds more
    connections than threads, each answer closes its connection, so that the client's next one goes to
    whichever worker is free (docs/operations.md, "Serving")."""
    base, stop = threaded_server
    address = ("127.0.0.1", int(base.rsplit(":", 1)[1]))
    kept_alive(address)

    crowd = [socket.create_connection(address, timeout=30) for _ in range(6)]
    try:
        time.sleep(0.5)  # the worker accepts all six: more connections than its four threads
        heads = [answer(raw) for raw in crowd]
        closed = [head for head in heads if b"\r\nConnection: close\r\n" in head]
        assert 2 <= len(closed) <= 6, heads
        for raw, head in zip(crowd, heads, strict=True):
            if b"\r\nConnection: close\r\n" in head:
                assert raw.recv(1) == b"", "closed after its answer"
    finally:
        for raw in crowd:
            raw.close()
    kept_alive(address)  # back to one connection: kept again
    stop()
